package dev.vxext.launcher;

import dev.vxext.NodeOptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The launcher's overrides of the configuration: {@code VXEXT_<KEY>} environment variables and
 * {@code -Dvxext.<key>} system properties, one rule for every scalar key.
 */
class EnvOverridesTest {

  private static final String[] CONF = {"-conf", "{\"nodeName\": \"n\", \"sessionTimeout\": 5000}"};

  private static NodeOptions options(Map<String, String> env, Map<String, String> properties) {
    return NodeApplication.options(CONF, env, properties);
  }

  @Test
  void theNameOfAnOverrideIsTheKeyInUpperSnakeOrThePropertyWithThePrefix() {
    Map<String, EnvOverrides.Key> byPath = new java.util.HashMap<>();
    EnvOverrides.keys().forEach(k -> byPath.put(k.path(), k));
    assertThat(byPath.get("zookeeperRootPath").env()).isEqualTo("VXEXT_ZOOKEEPER_ROOT_PATH");
    assertThat(byPath.get("sessionTimeout").env()).isEqualTo("VXEXT_SESSION_TIMEOUT");
    assertThat(byPath.get("sessionTimeout").property()).isEqualTo("vxext.sessionTimeout");
    assertThat(byPath.get("admin.token").property()).isEqualTo("vxext.admin.token");
    // the variables of earlier versions follow the rule
    assertThat(List.of("nodeName", "clusterManager", "zookeeperHosts", "clusterHost", "clusterPort", "admin.port", "admin.token")
      .stream().map(k -> byPath.get(k).env()))
      .containsExactly("VXEXT_NODE_NAME", "VXEXT_CLUSTER_MANAGER", "VXEXT_ZOOKEEPER_HOSTS", "VXEXT_CLUSTER_HOST",
        "VXEXT_CLUSTER_PORT", "VXEXT_ADMIN_PORT", "VXEXT_ADMIN_TOKEN");
    // every key of the configuration, the nested admin keys after admin
    assertThat(EnvOverrides.keys().stream().map(EnvOverrides.Key::path).filter(p -> !p.contains(".")))
      .containsExactlyElementsOf(NodeOptions.jsonKeys());
  }

  @Test
  void aSystemPropertyWinsOverTheEnvironmentWhichWinsOverTheFile() {
    assertThat(options(Map.of(), Map.of()).getSessionTimeout()).isEqualTo(5000);
    assertThat(options(Map.of("VXEXT_SESSION_TIMEOUT", "6000"), Map.of()).getSessionTimeout()).isEqualTo(6000);
    assertThat(options(Map.of("VXEXT_SESSION_TIMEOUT", "6000"), Map.of("vxext.sessionTimeout", "7000")).getSessionTimeout())
      .isEqualTo(7000);
  }

  @Test
  void valuesAreReadAsTheKeysTypeForEveryScalarKey() {
    NodeOptions o = options(Map.of("VXEXT_ZOOKEEPER_ROOT_PATH", "shop", "VXEXT_VERTX_METRICS", "true",
      "VXEXT_DIRECTORY_REPLICAS", "3", "VXEXT_NODE_NAME", "from-env", "VXEXT_ADMIN_PORT", "8089",
      "VXEXT_ZOOKEEPER_CREDENTIALS", "app:s3cret"), Map.of("vxext.admin.token", "0123456789abcdef0123",
      "vxext.clusterManager", "hazelcast", "vxext.hazelcastPort", "5801"));
    assertThat(o.getZookeeperRootPath()).isEqualTo("shop");
    assertThat(o.isVertxMetrics()).isTrue();
    assertThat(o.getDirectoryReplicas()).isEqualTo(3);
    assertThat(o.getNodeName()).isEqualTo("from-env");
    assertThat(o.getAdmin().getPort()).isEqualTo(8089);
    assertThat(o.getAdmin().getToken()).isEqualTo("0123456789abcdef0123");
    assertThat(o.getZookeeperCredentials()).isEqualTo("app:s3cret");
    assertThat(o.getClusterManager()).isEqualTo("hazelcast");
    assertThat(o.getHazelcastPort()).isEqualTo(5801);
  }

  @Test
  void aBadValueIsRefusedLikeInTheFileNamingTheVariable() {
    assertThatThrownBy(() -> options(Map.of("VXEXT_SESSION_TIMEOUT", "abc"), Map.of()))
      .hasMessage("VXEXT_SESSION_TIMEOUT: sessionTimeout must be a number, got \"abc\"");
    assertThatThrownBy(() -> options(Map.of("VXEXT_SESSION_TIMEOUT", "1.5"), Map.of()))
      .hasMessage("VXEXT_SESSION_TIMEOUT: sessionTimeout must be an integer, got 1.5");
    assertThatThrownBy(() -> options(Map.of(), Map.of("vxext.sessionTimeout", "10")))
      .hasMessage("-Dvxext.sessionTimeout: sessionTimeout must be between 1000 and 600000 ms, got 10");
    assertThatThrownBy(() -> options(Map.of("VXEXT_VERTX_METRICS", "yes"), Map.of()))
      .hasMessage("VXEXT_VERTX_METRICS: vertxMetrics must be true or false, got \"yes\"");
    assertThatThrownBy(() -> options(Map.of("VXEXT_ADMIN_TOKEN", "short"), Map.of()))
      .hasMessageStartingWith("VXEXT_ADMIN_TOKEN: admin.token must be at least 16 characters");
    // what holds for the whole is checked on the whole: a non-loopback admin host needs a token
    assertThatThrownBy(() -> options(Map.of("VXEXT_ADMIN_PORT", "8089", "VXEXT_ADMIN_HOST", "0.0.0.0"), Map.of()))
      .hasMessageStartingWith("admin.token is required");
    assertThat(options(Map.of("VXEXT_ADMIN_PORT", "8089", "VXEXT_ADMIN_HOST", "0.0.0.0", "VXEXT_ADMIN_TOKEN",
      "0123456789abcdef0123"), Map.of()).getAdmin().getHost()).isEqualTo("0.0.0.0");
  }

  @Test
  void anUnknownOrNonScalarOverrideIsRefusedWithTheNearestKnownOne() {
    assertThatThrownBy(() -> options(Map.of("VXEXT_ZOOKEEPER_HOST", "127.0.0.1:2181"), Map.of()))
      .hasMessage("VXEXT_ZOOKEEPER_HOST: unknown override — did you mean VXEXT_ZOOKEEPER_HOSTS?");
    assertThatThrownBy(() -> options(Map.of(), Map.of("vxext.sesionTimeout", "6000")))
      .hasMessage("-Dvxext.sesionTimeout: unknown override — did you mean -Dvxext.sessionTimeout?");
    assertThatThrownBy(() -> options(Map.of("VXEXT_SOMETHING_ELSE", "x"), Map.of()))
      .hasMessage("VXEXT_SOMETHING_ELSE: unknown override (-help lists them)");
    assertThatThrownBy(() -> options(Map.of("VXEXT_LAUNCHERS", "{}"), Map.of()))
      .hasMessage("VXEXT_LAUNCHERS: launchers is a JSON object and cannot be overridden; set it in the -conf file");
    assertThatThrownBy(() -> options(Map.of(), Map.of("vxext.cronJobs", "[]")))
      .hasMessage("-Dvxext.cronJobs: cronJobs is a JSON array and cannot be overridden; set it in the -conf file");
    assertThatThrownBy(() -> options(Map.of("VXEXT_ADMIN", "{}"), Map.of()))
      .hasMessageContaining("or override its keys (VXEXT_ADMIN_PORT, VXEXT_ADMIN_HOST, VXEXT_ADMIN_TOKEN)");
    // other variables and properties are none of its business
    assertThat(options(Map.of("VXEXTRA", "1", "PATH", "/bin"), Map.of("vxextra", "1", "java.home", "/")).getNodeName())
      .isEqualTo("n");
  }
}
