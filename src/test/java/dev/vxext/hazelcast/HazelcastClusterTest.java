package dev.vxext.hazelcast;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.addressbook.impl.HashRing;
import dev.vxext.cluster.impl.FanOutClusterManager;
import dev.vxext.daemon.DaemonIterator;
import dev.vxext.daemon.DaemonProcess;
import dev.vxext.daemon.DaemonScanners;
import dev.vxext.daemon.Launcher;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import dev.vxext.testing.HazelcastSetup;
import dev.vxext.testing.EchoProcess;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The foundation and the daemons on 3 real Hazelcast nodes in this JVM (TCP-IP join on loopback, a
 * cluster name of its own). The nodes start once for the class; the tests run in order, the last ones
 * close nodes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HazelcastClusterTest {

  static {
    HazelcastSetup.quietAndQuick();
  }

  private static final Duration CONVERGE = Duration.ofSeconds(20);
  private static final List<String> DAEMONS = new ArrayList<>();

  static {
    for (int i = 0; i < 10; i++) DAEMONS.add(String.format("hz-daemon-%02d", i));
  }

  private final String rootPath = "hz-test-" + ProcessHandle.current().pid();
  /** The launcher declares its daemons once every node is up (a joining node moves no daemon). */
  private final AtomicBoolean declared = new AtomicBoolean();
  private ClusterFixture cluster;

  @BeforeAll
  void start() {
    DaemonWorker.reset();
    cluster = ClusterFixture.single();
    for (String n : List.of("hz-a", "hz-b", "hz-c")) {
      cluster.start(options(n));
    }
    awaitNodes(3);
  }

  @AfterAll
  void stop() {
    if (cluster != null) cluster.close();
  }

  private NodeOptions options(String name) {
    List<DaemonProcess> daemons = new ArrayList<>();
    for (int i = 0; i < DAEMONS.size(); i++) {
      daemons.add(new DaemonProcess(DAEMONS.get(i), new JsonObject().put("i", i)));
    }
    Supplier<DaemonIterator> scanner = () -> (declared.get() ? DaemonScanners.of(daemons) : DaemonScanners.none()).get();
    return new NodeOptions().setNodeName(name).setClusterManager(NodeOptions.HAZELCAST).setZookeeperRootPath(rootPath)
      .setSyncInterval(500).setSettleDelay(300).setReconcileInterval(1000).setRequestTimeout(ClusterFixture.REQUEST_TIMEOUT)
      .addLauncher("worker", new Launcher(DaemonWorker::new, null, scanner));
  }

  private void awaitNodes(int count) {
    Awaits.until(CONVERGE, () -> cluster.nodes().stream().allMatch(n -> n.addressBook().availableNodes().size() == count));
  }

  private Optional<String> locate(ClusterNode from, String name) {
    return ClusterFixture.locate(from, name);
  }

  private void awaitLocatedEverywhere(String name, String node) {
    cluster.awaitLocatedEverywhere(name, node, CONVERGE);
  }

  /** Waits until every daemon runs once, on a running node accepted by {@code where}, and answers where. */
  private Map<String, ProcessId> awaitDaemons(BiPredicate<String, String> where) {
    List<String> running = cluster.nodes().stream().map(ClusterNode::name).toList();
    Map<String, ProcessId> pids = new HashMap<>();
    Awaits.until(CONVERGE, () -> {
      pids.clear();
      for (String d : DAEMONS) {
        ProcessId p = await(cluster.nodes().get(0).lookup(d));
        if (!running.contains(p.node()) || !where.test(d, p.node()) || DaemonWorker.LIVE.get(d).get() != 1) return false;
        pids.put(d, p);
      }
      return true;
    });
    return pids;
  }

  private ClusterNode leader() {
    Awaits.until(CONVERGE, () -> cluster.nodes().stream().filter(ClusterNode::isLeader).count() == 1);
    ClusterNode leader = cluster.nodes().stream().filter(ClusterNode::isLeader).findFirst().orElseThrow();
    Awaits.until(CONVERGE, () -> cluster.nodes().stream().allMatch(n -> leader.name().equals(n.leader())));
    return leader;
  }

  @Test
  @Order(1)
  void theNodesRunOnHazelcast() {
    for (ClusterNode n : cluster.nodes()) {
      FanOutClusterManager cm = (FanOutClusterManager) ((VertxInternal) n.vertx()).clusterManager();
      assertThat(cm.delegate()).isInstanceOf(HazelcastClusterManager.class);
      assertThat(((HazelcastClusterManager) cm.delegate()).getConfig().getClusterName()).isEqualTo("vxext-" + rootPath);
    }
  }

  @Test
  @Order(2)
  void everyNodeLocatesEveryName() {
    Map<String, String> expected = new HashMap<>();
    for (ClusterNode n : cluster.nodes()) {
      for (int i = 0; i < 5; i++) {
        String name = "p-" + n.name() + "-" + i;
        ProcessId pid = await(n.register(name, EchoProcess::new, new DeploymentOptions()));
        assertThat(pid.node()).isEqualTo(n.name());
        expected.put(name, n.name());
      }
    }
    expected.forEach(this::awaitLocatedEverywhere);
  }

  @Test
  @Order(3)
  void callsReachAProcessOnAnotherNodeAndReply() {
    ClusterNode a = cluster.node("hz-a");
    await(cluster.node("hz-b").register("hz-echo", EchoProcess::new, new DeploymentOptions()));
    awaitLocatedEverywhere("hz-echo", "hz-b");
    Message<JsonObject> reply = await(a.call("hz-echo", new JsonObject().put("x", 1)));
    assertThat(reply.body().getString("from")).isEqualTo("hz-echo");
    assertThat(reply.body().getJsonObject("echo").getInteger("x")).isEqualTo(1);
    Throwable failed = awaitFailure(cluster.node("hz-c").call("hz-echo", new JsonObject().put("fail", 418)));
    assertThat(((ReplyException) failed).failureCode()).isEqualTo(418);
    Throwable missing = awaitFailure(a.call("nobody", "x"));
    assertThat(((ReplyException) missing).failureCode()).isEqualTo(WhereIs.NOT_FOUND);
  }

  @Test
  @Order(4)
  void tenDeclaredDaemonsRunExactlyOnceWhereTheRingPutsThem() {
    declared.set(true);
    HashRing ring = HashRing.of(List.of("hz-a", "hz-b", "hz-c"));
    awaitDaemons((daemon, node) -> node.equals(ring.locate(daemon)));
    JsonObject reply = await(cluster.node("hz-c").<JsonObject>call("hz-daemon-07", "hi")).body();
    assertThat(reply.getJsonObject("config").getInteger("i")).isEqualTo(7);
    leader();
    assertThat(DaemonWorker.maxConcurrent()).isEqualTo(1);
  }

  @Test
  @Order(5)
  void aSecondNodeWithATakenNameIsRefused() {
    Throwable t = awaitFailure(ClusterNode.start(options("hz-b")));
    assertThat(t.getMessage()).contains("node name 'hz-b' is already used");
    assertThat(cluster.node("hz-a").addressBook().availableNodes()).hasSize(3);
    assertThat(DaemonWorker.maxConcurrent()).isEqualTo(1);
  }

  @Test
  @Order(6)
  void aClosedNodesNamesVanishAndItsRingSlotsMove() {
    ClusterNode d = cluster.start(options("hz-d"));
    awaitNodes(4);
    List<String> onD = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      onD.add(await(d.register("d-proc-" + i, EchoProcess::new, new DeploymentOptions())).name());
    }
    onD.forEach(n -> awaitLocatedEverywhere(n, "hz-d"));
    cluster.close("hz-d");
    awaitNodes(3);
    Awaits.until(CONVERGE, () -> onD.stream().allMatch(n -> cluster.nodes().stream().allMatch(x -> locate(x, n).isEmpty())));
    HashRing ring = HashRing.of(List.of("hz-a", "hz-b", "hz-c"));
    for (ClusterNode n : cluster.nodes()) {
      for (int i = 0; i < 200; i++) {
        assertThat(n.addressBook().pickNode("key-" + i)).isEqualTo(ring.locate("key-" + i));
      }
    }
    awaitLocatedEverywhere("p-hz-a-0", "hz-a");
    assertThat(DaemonWorker.maxConcurrent()).isEqualTo(1);
  }

  @Test
  @Order(7)
  void closingTheLeaderElectsAnotherAndKeepsOneOfEach() {
    Map<String, ProcessId> before = awaitDaemons((daemon, node) -> true);
    ClusterNode old = leader();
    cluster.close(old.name());
    awaitNodes(2);
    ClusterNode next = leader();
    assertThat(next.name()).isNotEqualTo(old.name());
    // the old leader's daemons run again on a survivor; the others did not move
    Map<String, ProcessId> after = awaitDaemons((daemon, node) -> before.get(daemon).node().equals(old.name())
      || before.get(daemon).node().equals(node));
    before.forEach((name, pid) -> {
      if (!pid.node().equals(old.name())) assertThat(after.get(name)).as(name).isEqualTo(pid);
    });
    assertThat(DaemonWorker.maxConcurrent()).as("a daemon ran twice at some moment").isEqualTo(1);
  }
}
