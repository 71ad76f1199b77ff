package dev.vxext.launcher;

import dev.vxext.ClusterNode;
import dev.vxext.impl.ZookeeperConfig;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ChildJvm;
import dev.vxext.testing.ClusterFixture;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher in child JVMs: bad configurations exit with one line, and nodes started from conf/ form a
 * cluster, run the declared daemons, and hand them off when stopped with SIGTERM.
 */
class NodeApplicationTest {

  private static final String MAIN = NodeApplication.class.getName();

  /** A log line of the launcher: date and time, thread, level, the logger's short name. */
  private static final java.util.regex.Pattern LOG_LINE =
    java.util.regex.Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3} \\[[^\\]]+\\] (TRACE|DEBUG|INFO|WARN|ERROR) [A-Za-z0-9_$]+ - .*");

  private static void assertRefused(List<String> args, String expected) throws Exception {
    assertRefused(List.of(), args, Map.of(), expected);
  }

  private static void assertRefused(List<String> jvmOptions, List<String> args, Map<String, String> env, String expected)
    throws Exception {
    try (ChildJvm jvm = ChildJvm.start(jvmOptions, System.getProperty("java.class.path"), MAIN, args, env)) {
      assertThat(jvm.waitFor(Duration.ofSeconds(30))).as("exit code").isEqualTo(2);
      Awaits.until(Duration.ofSeconds(5), () -> !jvm.stderr().isEmpty());
      assertThat(jvm.stderr()).as("stderr").hasSize(1);
      assertThat(jvm.stderr().get(0)).startsWith("vxext: ").contains(expected);
    }
  }

  @Test
  void badConfigurationsExitWithOneClearLine() throws Exception {
    Path dir = Files.createTempDirectory("vxext-conf");
    Path broken = Files.writeString(dir.resolve("broken.json"), "{ \"nodeName\": ");
    assertRefused(List.of(), "no configuration");
    assertRefused(List.of("-conf", dir.resolve("missing.json").toString()), "does not exist");
    assertRefused(List.of("-conf", broken.toString()), "is not a JSON object");
    assertRefused(List.of("-conf", "{\"syncInterval\": 1000}"), "nodeName is required");
    assertRefused(List.of("-conf", "{\"nodeName\": \"bad name\"}"), "nodeName");
    assertRefused(List.of("-conf", new JsonObject().put("nodeName", "n").put("cronJobs", new io.vertx.core.json.JsonArray()
      .add(new JsonObject().put("name", "nightly").put("spec", "99 * * * *").put("triggerProcess", "p"))).encode()), "nightly");
    assertRefused(List.of("-conf", new JsonObject().put("nodeName", "n").put("launchers", new JsonObject()
      .put("w", new JsonObject().put("verticle", "com.example.Nope"))).encode()), "com.example.Nope not found");
    assertRefused(List.of("-cluster", "-conf", "{\"nodeName\": \"n\"}"), "-cluster needs");
    assertRefused(List.of("-conf", "{\"nodeName\": \"n\", \"admin\": {\"port\": 8089, \"host\": \"0.0.0.0\"}}"),
      "admin.token is required");
  }

  @Test
  void moreThanOneInstanceIsRefusedWithOneLine() throws Exception {
    // two copies of the extensions in one process would elect two leaders and place each daemon twice
    assertRefused(List.of("-instances", "2", "-conf", "{\"nodeName\": \"n\"}"), "-instances 2: a node runs once per process");
    assertRefused(List.of("--instances=3", "-conf", "{\"nodeName\": \"n\"}"), "-instances 3: a node runs once per process");
  }

  @Test
  void anUnknownKeyExitsWithOneLineNamingItAndTheNearestKey() throws Exception {
    assertRefused(List.of("-conf", "{\"nodeName\": \"n\", \"zookeeperHost\": \"127.0.0.1:2181\"}"),
      "top level: unknown key 'zookeeperHost' — did you mean 'zookeeperHosts'?");
    assertRefused(List.of("-conf", "{\"nodeName\": \"n\", \"launchers\": {\"c\": {\"verticle\": \"dev.vxext.examples.CounterDaemon\","
      + " \"deamons\": []}}}"), "launcher 'c': unknown key 'deamons' — did you mean 'daemons'?");
  }

  @Test
  void environmentOverridesAreCheckedLikeTheFile() {
    List<String> args = List.of("-conf", "{\"nodeName\": \"n\"}");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeApplication.options(args.toArray(new String[0]),
        Map.of("VXEXT_CLUSTER_PORT", "4294975376"), Map.of()))
      .hasMessage("VXEXT_CLUSTER_PORT: clusterPort must be between 0 and 65535, got 4294975376");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeApplication.options(args.toArray(new String[0]),
        Map.of("VXEXT_ADMIN_PORT", "4294967376"), Map.of()))
      .hasMessage("VXEXT_ADMIN_PORT: admin.port must be between 0 and 65535 (or -1 for none), got 4294967376");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeApplication.options(args.toArray(new String[0]),
        Map.of("VXEXT_ZOOKEEPER_HOSTS", "::::,,"), Map.of()))
      .hasMessageStartingWith("VXEXT_ZOOKEEPER_HOSTS: zookeeperHosts '::::,,' is not a ZooKeeper connect string");
  }

  @Test
  void helpNeedsNoConfigurationAndListsTheOptionsKeysAndOverrides() throws Exception {
    for (String flag : List.of("-help", "--help", "-h")) {
      try (ChildJvm jvm = ChildJvm.start(MAIN, List.of(flag), Map.of())) {
        assertThat(jvm.waitFor(Duration.ofSeconds(30))).as(flag + ": exit code; stderr " + jvm.stderr()).isEqualTo(0);
        Awaits.until(Duration.ofSeconds(5), () -> jvm.printed("Exit codes"));
        String help = String.join("\n", jvm.stdout());
        assertThat(help).as(flag)
          .contains("java -jar vertx-cluster-extensions-<version>-fat.jar -conf node.json [options]")
          .contains("java -jar vertx-cluster-extensions-<version>-fat.jar zookeeper [--port 2181] [--dir <dataDir>]")
          .contains("-cluster-host").contains("-cluster-port").contains("-options")
          .contains("VXEXT_SESSION_TIMEOUT").contains("-Dvxext.sessionTimeout").contains("VXEXT_ADMIN_TOKEN")
          .doesNotContain("<mainVerticle>");
        for (String key : dev.vxext.NodeOptions.jsonKeys()) {
          assertThat(help).as(flag + " lists " + key).containsPattern("(?m)^  " + key + " ");
        }
        assertThat(jvm.stderr()).as(flag + ": stderr").isEmpty();
      }
    }
  }

  @Test
  void versionNeedsNoConfigurationAndNamesOursAndVertxs(@org.junit.jupiter.api.io.TempDir Path jarLike) throws Exception {
    String vertx = "Vert.x " + io.vertx.core.internal.VertxInternal.version();
    for (String flag : List.of("-version", "--version")) {
      try (ChildJvm jvm = ChildJvm.start(MAIN, List.of(flag), Map.of())) {
        assertThat(jvm.waitFor(Duration.ofSeconds(30))).as(flag + ": exit code; stderr " + jvm.stderr()).isEqualTo(0);
        Awaits.until(Duration.ofSeconds(5), () -> jvm.printed(vertx));
        // no jar here: the build's pom.properties is not on the class path
        assertThat(jvm.stdout()).as(flag).containsExactly("vertx-cluster-extensions dev", vertx);
      }
    }
    // in the jar: META-INF/maven/dev.vxext/vertx-cluster-extensions/pom.properties, written by maven-jar-plugin
    Path props = jarLike.resolve("META-INF/maven/dev.vxext/vertx-cluster-extensions/pom.properties");
    Files.createDirectories(props.getParent());
    Files.writeString(props, "artifactId=vertx-cluster-extensions\ngroupId=dev.vxext\nversion=9.8.7-test\n");
    try (ChildJvm jvm = ChildJvm.start(List.of(), jarLike + java.io.File.pathSeparator + System.getProperty("java.class.path"),
      MAIN, List.of("-version"), Map.of())) {
      assertThat(jvm.waitFor(Duration.ofSeconds(30))).isEqualTo(0);
      Awaits.until(Duration.ofSeconds(5), () -> jvm.printed(vertx));
      assertThat(jvm.stdout()).containsExactly("vertx-cluster-extensions 9.8.7-test", vertx);
    }
  }

  @Test
  void haIsRefusedWithOneLineThatPointsToDaemons() throws Exception {
    String conf = "{\"nodeName\": \"n\"}";
    assertRefused(List.of("-ha", "-conf", conf), "-ha: Vert.x 5's launcher has no HA");
    assertRefused(List.of("--ha"), "declare daemons");
    assertRefused(List.of("-conf", conf, "-hagroup", "g1"), "-hagroup: Vert.x 5's launcher has no HA");
    assertRefused(List.of("-quorum=2", "-conf", conf), "-quorum: Vert.x 5's launcher has no HA");
  }

  @Test
  void overridesComeFromSystemPropertiesOverTheEnvironmentOverTheFile() throws Exception {
    String conf = "{\"nodeName\": \"from-file\"}";
    try (ChildJvm jvm = ChildJvm.start(List.of("-Dvxext.nodeName=from-property"), System.getProperty("java.class.path"),
      MAIN, List.of("-conf", conf), Map.of("VXEXT_NODE_NAME", "from-env"))) {
      Awaits.until(Duration.ofSeconds(60), () -> jvm.printed("node from-property started"));
    }
    assertRefused(List.of(), List.of("-conf", conf), Map.of("VXEXT_ZOOKEEPER_HOST", "127.0.0.1:2181"),
      "VXEXT_ZOOKEEPER_HOST: unknown override — did you mean VXEXT_ZOOKEEPER_HOSTS?");
    assertRefused(List.of("-Dvxext.sesionTimeout=6000"), List.of("-conf", conf), Map.of(),
      "-Dvxext.sesionTimeout: unknown override — did you mean -Dvxext.sessionTimeout?");
    assertRefused(List.of("-Dvxext.sessionTimeout=6s"), List.of("-conf", conf), Map.of(),
      "-Dvxext.sessionTimeout: sessionTimeout must be a number, got \"6s\"");
  }

  /** {@code "vertxMetrics": true} in -conf: Vert.x's own meters are on the admin server's /metrics (they were not). */
  @Test
  void vertxMetricsFromTheConfAreServedOnTheAdminMetricsEndpoint() throws Exception {
    String conf = new JsonObject().put("nodeName", "metered").put("vertxMetrics", true)
      .put("admin", new JsonObject().put("port", 0)).encode();
    try (ChildJvm jvm = ChildJvm.start(List.of("-Dorg.slf4j.simpleLogger.log.dev.vxext.admin=info"),
      System.getProperty("java.class.path"), MAIN, List.of("-conf", conf), Map.of())) {
      java.util.regex.Pattern listening = java.util.regex.Pattern.compile(".*admin server on http://127\\.0\\.0\\.1:(\\d+)/.*");
      Awaits.until(Duration.ofSeconds(60), () -> jvm.stderr().stream().anyMatch(l -> listening.matcher(l).matches()));
      java.util.regex.Matcher m = jvm.stderr().stream().map(listening::matcher).filter(java.util.regex.Matcher::matches)
        .findFirst().orElseThrow();
      java.net.URI metrics = java.net.URI.create("http://127.0.0.1:" + m.group(1) + "/metrics");
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      Awaits.until(Duration.ofSeconds(30), () -> http.send(java.net.http.HttpRequest.newBuilder(metrics).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body().lines().anyMatch(l -> l.startsWith("vertx_")));
    }
  }

  /**
   * The launcher's own logging (as from the fat jar: no simplelogger.properties on the class path): date and
   * time, short logger names, no ZooKeeper client environment dump.
   */
  @Test
  void launcherLogsHaveTimestampsAndShortNamesAndNoZookeeperEnvironment() throws Exception {
    String zk = ClusterFixture.zookeeper().getConnectString();
    String conf = new JsonObject().put("nodeName", "logged").put("zookeeperHosts", zk)
      .put("zookeeperRootPath", "vxext-logging-" + ProcessHandle.current().pid()).put("sessionTimeout", 4000).encode();
    try (ChildJvm jvm = ChildJvm.start(List.of(), ChildJvm.mainClasspath(), MAIN, List.of("-conf", conf), Map.of())) {
      Awaits.until(Duration.ofSeconds(60), () -> jvm.printed("node logged started"));
      Awaits.until(Duration.ofSeconds(10), () -> jvm.stderr().stream().anyMatch(l -> l.contains("Succeeded in deploying verticle")));
      List<String> log = jvm.stderr();
      assertThat(log).as("the Vert.x launcher's line").anyMatch(l -> LOG_LINE.matcher(l).matches()
        && l.endsWith(" INFO VertxApplication - Succeeded in deploying verticle"));
      assertThat(log).as("every log line").filteredOn(l -> l.matches(".*\\] (INFO|WARN|ERROR) .*"))
        .isNotEmpty().allMatch(l -> LOG_LINE.matcher(l).matches());
      assertThat(log).as("ZooKeeper's client environment").noneMatch(l -> l.contains("Client environment"));
    }
  }

  @Test
  void anUnreachableZookeeperExitsWithOneLineWithinTheReachTimeout() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: connections to it are refused
    }
    String conf = new JsonObject().put("nodeName", "n").put("zookeeperHosts", "127.0.0.1:" + port)
      .put("zookeeperRootPath", "vxext-nowhere").encode();
    long start = System.nanoTime();
    try (ChildJvm jvm = ChildJvm.start(MAIN, List.of("-conf", conf), Map.of())) {
      assertThat(jvm.waitFor(Duration.ofSeconds(40))).as("exit code").isEqualTo(2);
      long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
      Awaits.until(Duration.ofSeconds(5), () -> !jvm.stderr().isEmpty());
      assertThat(jvm.stderr()).as("stderr").containsExactly("vxext: cannot reach ZooKeeper at 127.0.0.1:" + port
        + " (root path vxext-nowhere) within " + ZookeeperConfig.REACH_TIMEOUT / 1000 + " s; is it running?");
      assertThat(jvm.stdout()).as("stdout").isEmpty();
      // the 10 s wait, plus the JVM's start (it took 20 to 27 s, with 187 to 376 lines of stack traces, exit 11)
      assertThat(seconds).as("seconds to exit").isLessThan(ZookeeperConfig.REACH_TIMEOUT / 1000 + 8);
    }
  }

  @Test
  void nodesFromConfFormAClusterAndHandDaemonsOffOnSigterm() throws Exception {
    String zk = ClusterFixture.zookeeper().getConnectString();
    String root = "vxext-launcher-" + ProcessHandle.current().pid();
    ClusterFixture observerCluster = ClusterFixture.clustered();
    ClusterNode observer = observerCluster.start(observerCluster.options("observer")
      .setZookeeperHosts(zk).setZookeeperRootPath(root));
    Map<String, String> env = Map.of("VXEXT_ZOOKEEPER_HOSTS", zk);
    // node-1 at INFO: it may learn that node-2 is gone from the cluster manager ("node left") rather than
    // from its own probe, when another member proved it gone first and removed its znodes
    try (ChildJvm first = ChildJvm.start(List.of("-Dorg.slf4j.simpleLogger.log.dev.vxext=info"),
           System.getProperty("java.class.path"), MAIN, List.of("-conf", confWithRoot("conf/node-1.json", root)), env);
         ChildJvm two = ChildJvm.start(MAIN, List.of("-conf", confWithRoot("conf/node-2.json", root), "-cluster-host", "127.0.0.1"), env)) {
      {
        Awaits.until(Duration.ofSeconds(60), () -> first.printed("node node-1 started") && two.printed("node node-2 started"));
        Awaits.until(Duration.ofSeconds(30), () -> observer.addressBook().availableNodes().size() == 3);
        List<String> daemons = List.of("counter.orders", "counter.billing", "counter.mail", "tick.logger");
        Awaits.until(Duration.ofSeconds(30), () -> daemons.stream().allMatch(d -> {
          try {
            return await(observer.lookup(d)) != null;
          } catch (RuntimeException e) {
            return false;
          }
        }));
        JsonObject reply = await(observer.<JsonObject>call("counter.billing", "inc")).body();
        assertThat(reply.getLong("count")).isEqualTo(1010L);
        // SIGTERM node-2: its daemons move to node-1 (hand-off), node-2 exits
        two.terminate();
        two.waitFor(Duration.ofSeconds(30));
        Awaits.until(Duration.ofSeconds(30), () -> daemons.stream().allMatch(d -> {
          try {
            ProcessId p = await(observer.lookup(d));
            return p.node().equals("node-1");
          } catch (RuntimeException e) {
            return false;
          }
        }));
      }
    } finally {
      observerCluster.close();
    }
  }

  /** A survivor says once that a killed peer is gone: no stack trace per connection attempt (it logged 7-10). */
  @Test
  void aKilledPeerIsReportedInOneLineNotInStackTraces() throws Exception {
    String zk = ClusterFixture.zookeeper().getConnectString();
    String root = "vxext-launcher-kill-" + ProcessHandle.current().pid();
    Map<String, String> env = Map.of("VXEXT_ZOOKEEPER_HOSTS", zk);
    ClusterFixture observerCluster = ClusterFixture.clustered();
    ClusterNode observer = observerCluster.start(observerCluster.options("observer").setZookeeperHosts(zk)
      .setZookeeperRootPath(root));
    // node-1 at INFO: it may learn that node-2 is gone from the cluster manager ("node left") rather than
    // from its own probe, when another member proved it gone first and removed its znodes
    try (ChildJvm first = ChildJvm.start(List.of("-Dorg.slf4j.simpleLogger.log.dev.vxext=info"),
           System.getProperty("java.class.path"), MAIN, List.of("-conf", confWithRoot("conf/node-1.json", root)), env);
         ChildJvm two = ChildJvm.start(MAIN, List.of("-conf", confWithRoot("conf/node-2.json", root)), env)) {
      Awaits.until(Duration.ofSeconds(60), () -> first.printed("node node-1 started") && two.printed("node node-2 started")
        && observer.addressBook().availableNodes().size() == 3);
      // node-1 talks to node-2 (a call through the observer would not): both run daemons and exchange directory shares
      Awaits.until(Duration.ofSeconds(30), () -> await(observer.lookup("counter.orders")) != null);
      int before = first.stderr().size();
      two.kill();
      two.waitFor(Duration.ofSeconds(10));
      try {
        Awaits.until(Duration.ofSeconds(20), () -> first.stderr().stream()
          .anyMatch(l -> l.contains("node left: node-2")));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("node-1 never said node-2 is gone; its log: " + String.join("\n", first.stderr()), e);
      }
      // what the survivor prints in the next seconds (the session expires meanwhile: 4 s)
      org.awaitility.Awaitility.await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).until(() -> true);
      List<String> after = List.copyOf(first.stderr().subList(before, first.stderr().size()));
      assertThat(after).as("node-1's log after node-2 was killed").noneMatch(l -> l.contains("Connecting to server"))
        .noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by"));
      // one line says it is gone ("node left"), and at most one says why (its port refuses connections)
      assertThat(after.stream().filter(l -> l.contains("node left: node-2")).count()).as(after.toString()).isEqualTo(1);
      assertThat(after.stream().filter(l -> l.contains("node node-2 refuses connections on its event-bus")).count())
        .as(after.toString()).isLessThanOrEqualTo(1);
    } finally {
      observerCluster.close();
    }
  }

  private static String confWithRoot(String file, String root) throws Exception {
    return new JsonObject(Files.readString(Path.of(file))).put("zookeeperRootPath", root)
      .put("sessionTimeout", 4000).put("settleDelay", 500).encode();
  }
}
