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

  private static void assertRefused(List<String> args, String expected) throws Exception {
    try (ChildJvm jvm = ChildJvm.start(MAIN, args, Map.of())) {
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
        Map.of("VXEXT_CLUSTER_PORT", "4294975376")))
      .hasMessage("clusterPort must be between 0 and 65535, got 4294975376");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeApplication.options(args.toArray(new String[0]),
        Map.of("VXEXT_ADMIN_PORT", "4294967376")))
      .hasMessage("admin.port must be between 0 and 65535 (or -1 for none), got 4294967376");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeApplication.options(args.toArray(new String[0]),
        Map.of("VXEXT_ZOOKEEPER_HOSTS", "::::,,")))
      .hasMessageStartingWith("zookeeperHosts '::::,,' is not a ZooKeeper connect string");
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
    try (ChildJvm first = ChildJvm.start(MAIN, List.of("-conf", confWithRoot("conf/node-1.json", root)), env);
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
    try (ChildJvm first = ChildJvm.start(MAIN, List.of("-conf", confWithRoot("conf/node-1.json", root)), env);
         ChildJvm two = ChildJvm.start(MAIN, List.of("-conf", confWithRoot("conf/node-2.json", root)), env)) {
      Awaits.until(Duration.ofSeconds(60), () -> first.printed("node node-1 started") && two.printed("node node-2 started")
        && observer.addressBook().availableNodes().size() == 3);
      // node-1 talks to node-2 (a call through the observer would not): both run daemons and exchange directory shares
      Awaits.until(Duration.ofSeconds(30), () -> await(observer.lookup("counter.orders")) != null);
      int before = first.stderr().size();
      two.kill();
      two.waitFor(Duration.ofSeconds(10));
      try {
        Awaits.until(Duration.ofSeconds(20), () -> first.stderr().stream().anyMatch(l -> l.contains("node-2 refuses connections")));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("node-1 never said node-2 refuses connections; its log: " + String.join("\n", first.stderr()), e);
      }
      // what the survivor prints in the next seconds (the session expires meanwhile: 4 s)
      org.awaitility.Awaitility.await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).until(() -> true);
      List<String> after = List.copyOf(first.stderr().subList(before, first.stderr().size()));
      assertThat(after).as("node-1's log after node-2 was killed").noneMatch(l -> l.contains("Connecting to server"))
        .noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by"));
      assertThat(after.stream().filter(l -> l.contains("refuses connections")).count()).as(after.toString()).isEqualTo(1);
    } finally {
      observerCluster.close();
    }
  }

  private static String confWithRoot(String file, String root) throws Exception {
    return new JsonObject(Files.readString(Path.of(file))).put("zookeeperRootPath", root)
      .put("sessionTimeout", 4000).put("settleDelay", 500).encode();
  }
}
