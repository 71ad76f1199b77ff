package dev.vxext;

import dev.vxext.admin.AdminOptions;
import dev.vxext.cron.CronJob;
import dev.vxext.daemon.Launcher;
import dev.vxext.testing.EchoProcess;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The configuration surface, one row per case: a {@link NodeOptions} JSON in, the exception message (or
 * acceptance) out. Each refused row is a configuration a user wrote that used to be accepted silently
 * (or with a leaked {@code ClassCastException}): a typo in a key, a number that overflowed or was
 * truncated, a malformed ZooKeeper connect string, a TLS option that turned TLS off, a cron spec that
 * never fires, a launcher deployed zero times.
 */
class ConfigurationHardeningTest {

  private static final String LAUNCHER = "\"launchers\": {\"counter\": {\"verticle\": \"dev.vxext.examples.CounterDaemon\", %s}}";
  private static final String CRON = "\"cronJobs\": [{\"name\": \"tick\", \"triggerProcess\": \"tick.logger\", %s}]";
  private static final String PROCESS = "\"processes\": [{\"name\": \"greeter\", %s}]";
  private static final String ECHO = "\"verticle\": \"dev.vxext.testing.EchoProcess\"";
  private static final String PEM = "\"pemKeyCertOptions\": {\"certPath\": \"node.crt\", \"keyPath\": \"node.key\"}";

  /** {@code {"nodeName": "n", <body>}} */
  private static String node(String body) {
    return "{\"nodeName\": \"n\"" + (body.isEmpty() ? "" : ", " + body) + "}";
  }

  private static String launcher(String body) {
    return node(LAUNCHER.formatted(body));
  }

  private static String cron(String body) {
    return node(CRON.formatted(body));
  }

  private static String process(String body) {
    return node(PROCESS.formatted(body));
  }

  private static String eventBus(String body) {
    return node("\"zookeeperHosts\": \"127.0.0.1:2181\", \"eventBusOptions\": {" + body + "}");
  }

  static Stream<Arguments> refused() {
    return Stream.of(
      // 1. unknown keys, with the nearest known key
      arguments("1 top-level typo", node("\"zookeeperHost\": \"127.0.0.1:2181\""),
        "top level: unknown key 'zookeeperHost' — did you mean 'zookeeperHosts'?"),
      arguments("1 top-level wrong case", node("\"SessionTimeout\": 4000"),
        "top level: unknown key 'SessionTimeout' — did you mean 'sessionTimeout'?"),
      arguments("1 top-level far from any key", node("\"colour\": \"blue\""),
        "top level: unknown key 'colour' (known keys: nodeName, "),
      arguments("1 launcher typo", launcher("\"deamons\": [{\"name\": \"c1\"}]"),
        "launcher 'counter': unknown key 'deamons' — did you mean 'daemons'?"),
      arguments("1 daemon entry typo", launcher("\"daemons\": [{\"name\": \"c1\", \"arg\": {}}]"),
        "launcher 'counter': daemons[0]: unknown key 'arg' — did you mean 'args'?"),
      arguments("1 cron job typo", cron("\"spec\": \"* * * * *\", \"scop\": \"NODE\""),
        "cron job 'tick': unknown key 'scop' — did you mean 'scope'?"),
      arguments("1 admin typo", node("\"admin\": {\"prot\": 8080}"),
        "admin: unknown key 'prot' — did you mean 'port'?"),
      // 2. numbers, booleans and strings: range, integer, type, naming the key
      arguments("2 clusterPort overflows int", node("\"clusterPort\": 4294975376"),
        "clusterPort must be between 0 and 65535, got 4294975376"),
      arguments("2 admin.port overflows int", node("\"admin\": {\"port\": 4294967376}"),
        "admin.port must be between 0 and 65535 (or -1 for none), got 4294967376"),
      arguments("2 directoryReplicas not an integer", node("\"directoryReplicas\": 1.9"),
        "directoryReplicas must be an integer, got 1.9"),
      arguments("2 sessionTimeout a string", node("\"sessionTimeout\": \"abc\""),
        "sessionTimeout must be a number, got \"abc\""),
      arguments("2 sessionTimeout beyond long", node("\"sessionTimeout\": 99999999999999999999"),
        "sessionTimeout must be between 1000 and 600000 ms, got 99999999999999999999"),
      arguments("2 sessionTimeout null", node("\"sessionTimeout\": null"),
        "sessionTimeout must be a number, got null"),
      arguments("2 vertxMetrics a string", node("\"vertxMetrics\": \"yes\""),
        "vertxMetrics must be true or false, got \"yes\""),
      arguments("2 nodeName a number", "{\"nodeName\": 5}", "nodeName must be a string, got 5"),
      arguments("2 hazelcastMembers element a number", node("\"hazelcastMembers\": [1]"),
        "hazelcastMembers[0] must be a string, got 1"),
      arguments("2 admin a string", node("\"admin\": \"8080\""), "admin must be a JSON object, got \"8080\""),
      arguments("2 cron misfireGrace not an integer", cron("\"spec\": \"* * * * *\", \"misfireGrace\": 1.5"),
        "cron job 'tick': misfireGrace must be an integer, got 1.5"),
      arguments("2 cron name a number", node("\"cronJobs\": [{\"name\": 7, \"spec\": \"* * * * *\", \"triggerProcess\": \"p\"}]"),
        "cron job name must be a string, got 7"),
      arguments("2 cron payload an array", cron("\"spec\": \"* * * * *\", \"payload\": [1]"),
        "cron job 'tick': payload must be a JSON object, got [1]"),
      // 3. ZooKeeper connect string
      arguments("3 colons and commas", node("\"zookeeperHosts\": \"::::,,\""), "zookeeperHosts '::::,,' is not a ZooKeeper connect string"),
      arguments("3 empty element", node("\"zookeeperHosts\": \"zk1:2181,,zk2:2181\""), "element 2 is empty"),
      arguments("3 port 0", node("\"zookeeperHosts\": \"zk1:0\""), "port 0 of 'zk1:0' is not between 1 and 65535"),
      arguments("3 port too large", node("\"zookeeperHosts\": \"zk1:65536\""), "port 65536 of 'zk1:65536' is not between 1 and 65535"),
      arguments("3 port not a number", node("\"zookeeperHosts\": \"zk1:21a\""), "'zk1:21a' is not host:port"),
      arguments("3 chroot with an empty segment", node("\"zookeeperHosts\": \"zk1:2181//vx\""), "chroot '//vx'"),
      arguments("3 chroot before the last host", node("\"zookeeperHosts\": \"zk1:2181/vx,zk2:2181\""), "chroot '/vx,zk2:2181'"),
      // 4. TLS typos that turned TLS off
      arguments("4 ssl a string", eventBus("\"ssl\": \"true\", " + PEM), "eventBusOptions.ssl must be true or false, got \"true\""),
      arguments("4 SSL wrong case", eventBus("\"SSL\": true, " + PEM), "eventBusOptions: unknown key 'SSL' — did you mean 'ssl'?"),
      arguments("4 jksOptions is not read by Vert.x", eventBus("\"ssl\": true, \"jksOptions\": {\"path\": \"k.jks\"}"),
        "eventBusOptions: unknown key 'jksOptions' — did you mean 'keyStoreOptions'?"),
      arguments("4 clientAuth a boolean", eventBus("\"ssl\": true, \"clientAuth\": true, " + PEM),
        "eventBusOptions.clientAuth must be one of NONE, REQUEST, REQUIRED, got true"),
      arguments("4 ssl without key/certificate", eventBus("\"ssl\": true"),
        "eventBusOptions.ssl is true but no key/certificate is configured (pemKeyCertOptions, pfxKeyCertOptions or keyStoreOptions)"),
      arguments("4 eventBus port overflows int", eventBus("\"port\": 4294975376"), "eventBusOptions.port must be an integer"),
      // 5. a cron spec that never fires
      arguments("5 unix 30 February", cron("\"spec\": \"0 0 30 2 *\""), "cron job 'tick': spec '0 0 30 2 *' never fires"),
      arguments("5 quartz 31 April", cron("\"spec\": \"0 0 0 31 4 ?\", \"dialect\": \"quartz\""),
        "cron job 'tick': spec '0 0 0 31 4 ?' never fires"),
      arguments("5 quartz year in the past", cron("\"spec\": \"0 0 0 1 1 ? 2020\", \"dialect\": \"quartz\""),
        "cron job 'tick': spec '0 0 0 1 1 ? 2020' never fires"),
      // 6. a launcher deployed zero times
      arguments("6 instances 0", launcher("\"deploymentOptions\": {\"instances\": 0}"),
        "launcher 'counter': deploymentOptions.instances must be at least 1, got 0"),
      arguments("6 instances negative", launcher("\"deploymentOptions\": {\"instances\": -3}"),
        "launcher 'counter': deploymentOptions.instances must be at least 1, got -3"),
      arguments("6 instances not an integer", launcher("\"deploymentOptions\": {\"instances\": 1.5}"),
        "launcher 'counter': deploymentOptions.instances must be an integer, got 1.5"),
      arguments("6 deploymentOptions a string", launcher("\"deploymentOptions\": \"worker\""),
        "launcher 'counter': deploymentOptions must be a JSON object, got \"worker\""),
      // reserved process-name prefixes (a daemon would take a node service's address)
      arguments("names: a daemon named like the registry", node("\"launchers\": {\"counter\": {\"verticle\": \""
          + "dev.vxext.testing.EchoProcess\", \"daemons\": [{\"name\": \"vxext.registry\"}]}}"),
        "launcher 'counter': daemons[0] name 'vxext.registry' starts with the reserved prefix 'vxext.'"),
      arguments("names: a daemon named like a Vert.x address", node("\"launchers\": {\"counter\": {\"verticle\": \""
          + "dev.vxext.testing.EchoProcess\", \"daemons\": [{\"name\": \"__vertx.reply.1\"}]}}"),
        "launcher 'counter': daemons[0] name '__vertx.reply.1' starts with the reserved prefix '__vertx.'"),
      // 7. processes registered at start: the same rules as the other keys
      arguments("7 process typo", process(ECHO + ", \"confg\": {}"),
        "process 'greeter': unknown key 'confg' — did you mean 'config'?"),
      arguments("7 process verticle typo", process("\"verticel\": \"dev.vxext.testing.EchoProcess\""),
        "process 'greeter': unknown key 'verticel' — did you mean 'verticle'?"),
      arguments("7 process named like the registry", node("\"processes\": [{\"name\": \"vxext.registry\", " + ECHO + "}]"),
        "process name 'vxext.registry' starts with the reserved prefix 'vxext.'"),
      arguments("7 process named like a Vert.x address", node("\"processes\": [{\"name\": \"__vertx.reply.1\", " + ECHO + "}]"),
        "process name '__vertx.reply.1' starts with the reserved prefix '__vertx.'"),
      arguments("7 process name empty", node("\"processes\": [{\"name\": \"\", " + ECHO + "}]"),
        "process name must not be empty"),
      arguments("7 process name too long", node("\"processes\": [{\"name\": \"" + "p".repeat(129) + "\", " + ECHO + "}]"),
        "process name is 129 characters long, the maximum is 128"),
      arguments("7 process name missing", node("\"processes\": [{" + ECHO + "}]"), "process name is missing"),
      arguments("7 process name a number", node("\"processes\": [{\"name\": 7, " + ECHO + "}]"),
        "process name must be a string, got 7"),
      arguments("7 process declared twice", node("\"processes\": [{\"name\": \"greeter\", " + ECHO + "}, "
          + "{\"name\": \"greeter\", " + ECHO + "}]"), "process 'greeter' is declared twice"),
      arguments("7 process without a verticle", process("\"config\": {}"),
        "process 'greeter': \"verticle\" (a class name) is required"),
      arguments("7 process verticle not found", process("\"verticle\": \"com.example.NoSuchGreeter\""),
        "process 'greeter': verticle class com.example.NoSuchGreeter not found"),
      arguments("7 process verticle not a verticle", process("\"verticle\": \"java.lang.String\""),
        "process 'greeter': java.lang.String is not a concrete verticle (Deployable)"),
      arguments("7 process verticle not a class name", process("\"verticle\": \"Greeter; rm -rf\""),
        "process 'greeter': verticle 'Greeter; rm -rf' is not a class name"),
      arguments("7 process instances 0", process(ECHO + ", \"deploymentOptions\": {\"instances\": 0}"),
        "process 'greeter': deploymentOptions.instances must be at least 1, got 0"),
      arguments("7 process config an array", process(ECHO + ", \"config\": [1]"),
        "process 'greeter': config must be a JSON object, got [1]"),
      arguments("7 process config twice", process(ECHO + ", \"config\": {}, \"deploymentOptions\": {\"config\": {}}"),
        "process 'greeter': give the config as \"config\" or as \"deploymentOptions.config\", not both"),
      arguments("7 processes an object", node("\"processes\": {\"greeter\": {}}"),
        "processes must be a JSON array, got {\"greeter\":{}}"),
      arguments("7 processes entry a string", node("\"processes\": [\"greeter\"]"),
        "processes[0] must be a JSON object, got \"greeter\""),
      arguments("8 rebalance unknown value", node("\"rebalance\": \"always\""),
        "rebalance must be one of never, on-join, got \"always\""),
      arguments("8 rebalance enum name instead of the wire value", node("\"rebalance\": \"ON_JOIN\""),
        "rebalance must be one of never, on-join, got \"ON_JOIN\""),
      arguments("8 rebalance not a string", node("\"rebalance\": true"),
        "rebalance must be a string"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refused(String name, String json, String message) {
    JsonObject conf = new JsonObject(json);
    assertThatThrownBy(() -> new NodeOptions(conf).validate())
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining(message)
      .hasMessageNotContaining("class java.");
  }

  /** The same rules at the API boundary: the setters and constructors the JSON goes through. */
  @Test
  void settersRefuseTheSame() {
    assertThatThrownBy(() -> new NodeOptions().setZookeeperHosts("::::,,"))
      .hasMessageStartingWith("zookeeperHosts '::::,,' is not a ZooKeeper connect string");
    assertThatThrownBy(() -> new NodeOptions().setEventBusOptions(new JsonObject().put("SSL", true)))
      .hasMessage("eventBusOptions: unknown key 'SSL' — did you mean 'ssl'?");
    assertThatThrownBy(() -> new NodeOptions().setEventBusOptions(new JsonObject().put("ssl", true)))
      .hasMessageStartingWith("eventBusOptions.ssl is true but no key/certificate is configured");
    assertThatThrownBy(() -> new CronJob("x", "0 0 30 2 *", "p")).hasMessage("cron job 'x': spec '0 0 30 2 *' never fires");
    assertThatThrownBy(() -> new CronJob().setName("x").setDialect("quartz").setSpec("0 0 0 30 2 ?"))
      .hasMessage("cron job 'x': spec '0 0 0 30 2 ?' never fires");
    assertThatThrownBy(() -> new Launcher(EchoProcess::new, new DeploymentOptions().setInstances(0), null))
      .hasMessage("deploymentOptions.instances must be at least 1, got 0");
    assertThatThrownBy(() -> new AdminOptions().setPort(70_000)).hasMessageStartingWith("admin.port must be between 0 and 65535");
  }

  static Stream<Arguments> accepted() {
    Stream<Arguments> files;
    try {
      files = Files.list(Path.of("conf")).filter(p -> p.toString().endsWith(".json")).sorted()
        .map(p -> arguments(p.toString(), read(p)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Stream.concat(files, Stream.of(
      arguments("minimal", node("")),
      arguments("alone, empty hosts", node("\"zookeeperHosts\": \"\"")),
      arguments("three hosts, one without a port, a chroot", node("\"zookeeperHosts\": \"zk1:2181,zk2:2182,zk3/vxext/prod\"")),
      arguments("IPv6 host and spaces after commas", node("\"zookeeperHosts\": \"[::1]:2181, 127.0.0.1:2181\"")),
      arguments("integral number written as a decimal", node("\"clusterPort\": 8080.0, \"directoryReplicas\": 3")),
      arguments("rebalance on join", node("\"rebalance\": \"on-join\"")),
      arguments("rebalance never", node("\"rebalance\": \"never\"")),
      arguments("credentials null (as toJson writes them)", node("\"zookeeperCredentials\": null")),
      arguments("admin on any free port", node("\"admin\": {\"port\": 0, \"host\": \"127.0.0.1\"}")),
      arguments("mutual TLS with PEM", eventBus("\"ssl\": true, \"clientAuth\": \"REQUIRED\", " + PEM
        + ", \"pemTrustOptions\": {\"certPaths\": [\"ca.crt\"]}")),
      arguments("mutual TLS with PKCS#12", eventBus("\"ssl\": true, \"clientAuth\": \"REQUIRED\","
        + " \"pfxKeyCertOptions\": {\"path\": \"n.p12\", \"password\": \"p\"}, \"pfxTrustOptions\": {\"path\": \"ca.p12\", \"password\": \"p\"}")),
      arguments("TLS with a JKS key store", eventBus("\"ssl\": true, \"keyStoreOptions\": {\"path\": \"n.jks\", \"password\": \"p\"},"
        + " \"trustStoreOptions\": {\"path\": \"ca.jks\", \"password\": \"p\"}")),
      arguments("plain event bus options", eventBus("\"ssl\": false, \"tcpKeepAlive\": true, \"host\": \"127.0.0.1\", \"port\": 0,"
        + " \"clusterPublicHost\": \"10.0.0.1\", \"clusterPublicPort\": 15701, \"reconnectInterval\": 2000")),
      arguments("launcher passthroughs: deploymentOptions, daemon args", launcher("\"deploymentOptions\": {\"instances\": 2,"
        + " \"threadingModel\": \"WORKER\", \"anythingVertxIgnores\": 1}, \"daemons\": [{\"name\": \"c1\", \"args\": {\"anything\": [1]}}]")),
      arguments("cron payload is user data", cron("\"spec\": \"0 0 29 2 *\", \"payload\": {\"any\": {\"key\": true}}")),
      arguments("processes: config is user data, deploymentOptions passed to Vert.x", node("\"processes\": [{\"name\": \"greeter\", "
        + ECHO + ", \"config\": {\"any\": [1, {\"k\": null}]}, \"deploymentOptions\": {\"instances\": 2, \"threadingModel\": \"WORKER\"}},"
        + " {\"name\": \"greeter.B\", " + ECHO + "}]"))));
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void accepted(String name, String json) {
    NodeOptions options = new NodeOptions(new JsonObject(json));
    options.validate();
    // what toJson writes is read back the same (the copy constructor goes through it)
    assertThat(new NodeOptions(options).toJson()).isEqualTo(options.toJson());
  }
}
