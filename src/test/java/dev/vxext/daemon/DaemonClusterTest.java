package dev.vxext.daemon;

import dev.vxext.ClusterNode;
import dev.vxext.metrics.MetricNames;
import dev.vxext.NodeOptions;
import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.addressbook.impl.HashRing;
import dev.vxext.cluster.MembershipEvent;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Leadership and daemons on real clustered nodes and an embedded ZooKeeper.
 */
class DaemonClusterTest {

  private static final Duration CONVERGE = Duration.ofSeconds(15);
  private static final List<String> NAMES = new ArrayList<>();

  static {
    for (int i = 0; i < 20; i++) NAMES.add(String.format("daemon-%02d", i));
  }

  private ClusterFixture cluster;

  @BeforeEach
  void reset() {
    DaemonWorker.reset();
    cluster = ClusterFixture.clustered();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static Supplier<DaemonIterator> twenty() {
    List<DaemonProcess> list = new ArrayList<>();
    for (int i = 0; i < NAMES.size(); i++) {
      list.add(new DaemonProcess(NAMES.get(i), new JsonObject().put("i", i)));
    }
    return DaemonScanners.of(list);
  }

  private NodeOptions options(String name, Supplier<DaemonIterator> scanner) {
    // the first placement waits until all three joined (nodes start one after the other)
    return cluster.options(name).setSettleDelay(1_500).setReconcileInterval(1000)
      .addLauncher("worker", new Launcher(DaemonWorker::new, null, scanner));
  }

  private List<ClusterNode> startThree(Supplier<DaemonIterator> scanner) {
    List<ClusterNode> nodes = new ArrayList<>();
    for (String n : List.of("d-a", "d-b", "d-c")) {
      nodes.add(cluster.start(options(n, scanner)));
    }
    Awaits.until(CONVERGE, () -> nodes.stream().allMatch(n -> n.addressBook().availableNodes().size() == 3));
    return nodes;
  }

  private Optional<String> locate(ClusterNode from, String name) {
    try {
      return Optional.of(await(from.locate(name)));
    } catch (ReplyException e) {
      return Optional.empty();
    }
  }

  private Map<String, ProcessId> awaitAllRunning(List<String> names) {
    Map<String, ProcessId> pids = new HashMap<>();
    Awaits.until(CONVERGE, () -> {
      pids.clear();
      for (String n : names) {
        pids.put(n, await(cluster.nodes().get(0).lookup(n)));
      }
      return true;
    });
    return pids;
  }

  private ClusterNode leader() {
    Awaits.until(CONVERGE, () -> cluster.nodes().stream().filter(ClusterNode::isLeader).count() == 1);
    return cluster.nodes().stream().filter(ClusterNode::isLeader).findFirst().orElseThrow();
  }

  @Test
  void twentyDeclaredDaemonsRunExactlyOnceWhereTheRingPutsThem() {
    List<ClusterNode> nodes = startThree(twenty());
    Map<String, ProcessId> pids = awaitAllRunning(NAMES);
    HashRing ring = HashRing.of(List.of("d-a", "d-b", "d-c"));
    for (String n : NAMES) {
      assertThat(pids.get(n).node()).as(n).isEqualTo(ring.locate(n));
    }
    JsonObject reply = await(nodes.get(0).<JsonObject>call("daemon-07", "hi")).body();
    assertThat(reply.getJsonObject("config").getInteger("i")).isEqualTo(7);
    ClusterNode leader = leader();
    for (ClusterNode n : nodes) {
      Awaits.until(CONVERGE, () -> leader.name().equals(n.leader()));
    }
    assertThat(DaemonWorker.maxConcurrent()).isEqualTo(1);
  }

  @Test
  void closingTheLeaderElectsAnotherAndKeepsOneOfEach() {
    startThree(twenty());
    awaitAllRunning(NAMES);
    ClusterNode old = leader();
    cluster.close(old.name());
    ClusterNode next = leader();
    assertThat(next.name()).isNotEqualTo(old.name());
    Map<String, ProcessId> pids = awaitAllRunning(NAMES);
    assertThat(pids.values()).allMatch(p -> !p.node().equals(old.name()));
    for (ClusterNode n : cluster.nodes()) {
      Awaits.until(CONVERGE, () -> next.name().equals(n.leader()));
    }
    assertThat(DaemonWorker.maxConcurrent()).isEqualTo(1);
  }

  @Test
  void daemonsOfANodeWhoseSessionExpiredRunElsewhereAndNeverTwice() throws Exception {
    List<ClusterNode> nodes = new ArrayList<>();
    for (String n : List.of("d-a", "d-b", "d-c")) {
      // the expired node is alive (its port accepts connections): the failover delay lets it notice and
      // fence itself before the leader re-places
      nodes.add(cluster.start(options(n, twenty()).setSettleDelay(3_000).setFailoverDelay(3_000)));
    }
    Map<String, ProcessId> before = awaitAllRunning(NAMES);
    ClusterNode leader = leader();
    String victim = nodes.stream().map(ClusterNode::name).filter(n -> !n.equals(leader.name()))
      .filter(n -> before.values().stream().anyMatch(p -> p.node().equals(n))).findFirst().orElseThrow();
    List<String> moved = before.values().stream().filter(p -> p.node().equals(victim)).map(ProcessId::name).toList();
    assertThat(moved).isNotEmpty();
    cluster.expireSession(victim);
    Awaits.until(CONVERGE, () -> moved.stream().allMatch(n -> {
      try {
        return !await(leader.lookup(n)).deploymentId().equals(before.get(n).deploymentId());
      } catch (ReplyException e) {
        return false;
      }
    }));
    awaitAllRunning(NAMES);
    assertThat(DaemonWorker.maxConcurrent()).as("a daemon ran twice at some moment").isEqualTo(1);
    // the meters tell the same story: the victim fenced its daemons, the leader timed a failover (it
    // waited for the failover delay, or less when the victim came back, fenced, before it ended)
    Awaits.until(CONVERGE, () -> cluster.node(victim).meterRegistry().get(MetricNames.DAEMONS_FENCED).counter().count() >= moved.size());
    Awaits.until(CONVERGE, () -> leader.meterRegistry().get(MetricNames.DAEMONS_FAILOVER).timer().count() >= 1);
    assertThat(leader.meterRegistry().get(MetricNames.DAEMONS_PLACED).counter().count()).isGreaterThanOrEqualTo(moved.size());
  }

  @Test
  void aNodeWhoseSessionExpiredIsSeenAgainOnlyOnceItsOldDaemonsAreGone() throws Exception {
    // settle and failover delays 0: the leader re-places at once, so a stale instance that came back
    // would be the older
    List<ClusterNode> nodes = new ArrayList<>();
    for (String n : List.of("d-a", "d-b", "d-c")) {
      nodes.add(cluster.start(options(n, twenty()).setSettleDelay(0).setFailoverDelay(0)));
    }
    Map<String, ProcessId> before = awaitAllRunning(NAMES);
    ClusterNode leader = leader();
    // a node hosting daemons, not the leader when another one does (with no settle delay, the first
    // leader may have placed every daemon on itself before the others joined)
    String victim = nodes.stream().map(ClusterNode::name)
      .filter(n -> before.values().stream().anyMatch(p -> p.node().equals(n)))
      .min(java.util.Comparator.comparing(n -> n.equals(leader.name()))).orElseThrow();
    List<ProcessId> old = before.values().stream().filter(p -> p.node().equals(victim)).toList();
    assertThat(old).isNotEmpty();
    ClusterNode watcher = nodes.stream().filter(n -> !n.name().equals(victim)).findFirst().orElseThrow();
    BookMaps victimMaps = new BookMaps(cluster.node(victim).vertx());
    List<String> staleAtRejoin = new CopyOnWriteArrayList<>();
    AtomicInteger rejoins = new AtomicInteger();
    await(watcher.vertx().eventBus().<JsonObject>localConsumer(WhereIs.MEMBERSHIP_ADDRESS, m -> {
      MembershipEvent e = MembershipEvent.fromJson(m.body());
      if (e.type() == MembershipEvent.Type.JOINED && e.node().equals(victim)) {
        // at the moment the others see it again, none of its old instances may still be registered
        old.stream().filter(p -> p.equals(victimMaps.processes().get(p.name()))).forEach(p -> staleAtRejoin.add(p.name()));
        rejoins.incrementAndGet();
      }
    }).completion());
    cluster.expireSession(victim);
    Awaits.until(CONVERGE, () -> rejoins.get() > 0);
    assertThat(staleAtRejoin).as("old instances still registered when the node was seen again").isEmpty();
    // the replacements survive its return: every moved daemon runs once, none is the old instance
    Map<String, ProcessId> after = awaitAllRunning(NAMES);
    for (ProcessId p : old) {
      assertThat(after.get(p.name()).sameRegistration(p)).as(p.name()).isFalse();
    }
  }

  @Test
  void aNodeThatLeavesGracefullyHandsItsDaemonsOffAtOnce() {
    // settle delay and reconciliation period far beyond the test: only the hand-off can re-place daemons
    List<ClusterNode> nodes = new ArrayList<>();
    for (String n : List.of("d-a", "d-b", "d-c")) {
      nodes.add(cluster.start(options(n, twenty()).setSettleDelay(60_000).setReconcileInterval(600_000)));
    }
    Awaits.until(CONVERGE, () -> nodes.stream().allMatch(n -> n.addressBook().availableNodes().size() == 3));
    for (int i = 0; i < NAMES.size(); i++) {
      await(nodes.get(0).spawner("worker").spawnRegister(NAMES.get(i), new JsonObject().put("i", i)));
    }
    awaitAllRunning(NAMES);
    ClusterNode leader = leader();
    ClusterNode host = nodes.stream().filter(n -> !n.isLeader()).findFirst().orElseThrow();
    cluster.close(host.name());
    Awaits.until(CONVERGE, () -> NAMES.stream().allMatch(n -> {
      try {
        return !await(leader.lookup(n)).node().equals(host.name());
      } catch (ReplyException e) {
        return false;
      }
    }));
    // the leader itself leaves: the next leader takes over its daemons at once too
    List<String> onLeader = NAMES.stream().filter(n -> await(leader.lookup(n)).node().equals(leader.name())).toList();
    cluster.close(leader.name());
    ClusterNode next = leader();
    Awaits.until(CONVERGE, () -> onLeader.stream().allMatch(n -> {
      try {
        return !await(next.lookup(n)).node().equals(leader.name());
      } catch (ReplyException e) {
        return false;
      }
    }));
    assertThat(DaemonWorker.maxConcurrent()).isEqualTo(1);
  }

  @Test
  void aJoiningNodeMovesNothing() {
    startThree(twenty());
    Map<String, ProcessId> before = awaitAllRunning(NAMES);
    cluster.start(options("d-d", twenty()));
    Awaits.until(CONVERGE, () -> cluster.nodes().stream().allMatch(n -> n.addressBook().availableNodes().size() == 4));
    // several reconciliations (every second) pass: every daemon stays where it was
    Awaitility.await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
      .until(() -> NAMES.stream().allMatch(n -> {
        try {
          return await(cluster.node("d-d").lookup(n)).equals(before.get(n));
        } catch (ReplyException e) {
          return false;
        }
      }));
    assertThat(DaemonWorker.maxConcurrent()).isEqualTo(1);
  }

  @Test
  void concurrentSpawnsOfOneNameGiveOneProcess() {
    List<ClusterNode> nodes = startThree(DaemonScanners.none());
    Future<ProcessId> one = nodes.get(0).spawner("worker").spawnRegister("adhoc", new JsonObject().put("k", 1));
    Future<ProcessId> two = nodes.get(1).spawner("worker").spawnRegister("adhoc", new JsonObject().put("k", 1));
    ProcessId p1 = await(one);
    ProcessId p2 = await(two);
    assertThat(p1).isEqualTo(p2);
    assertThat(p1.node()).isEqualTo(HashRing.of(List.of("d-a", "d-b", "d-c")).locate("adhoc"));
    ProcessId again = await(nodes.get(2).spawner("worker").spawnRegister("adhoc", null));
    assertThat(again).isEqualTo(p1);
    assertThat(DaemonWorker.LIVE.get("adhoc")).hasValue(1);
  }

  @Test
  void awaitExitCompletesWhenTheProcessGoesOrItsNodeLeaves() {
    List<ClusterNode> nodes = startThree(DaemonScanners.none());
    ProcessId p = await(nodes.get(0).spawner("worker").spawnRegister("short-lived", null));
    ClusterNode host = cluster.node(p.node());
    ClusterNode watcher = nodes.stream().filter(n -> !n.name().equals(p.node())).findFirst().orElseThrow();
    Future<Void> exit = watcher.awaitExit(p);
    assertThat(exit.isComplete()).isFalse();
    await(host.vertx().undeploy(p.deploymentId()));
    await(exit);

    ProcessId q = await(watcher.spawner("worker").spawnRegister("on-a-leaving-node", null));
    ClusterNode other = cluster.nodes().stream().filter(n -> !n.name().equals(q.node())).findFirst().orElseThrow();
    Future<Void> exit2 = other.awaitExit(q);
    cluster.close(q.node());
    await(exit2);
    // already gone: completes at once
    await(other.awaitExit(q));
  }

  @Test
  void aCommandWithAStaleEpochIsRefused() {
    List<ClusterNode> nodes = startThree(DaemonScanners.none());
    ClusterNode leader = leader();
    ClusterNode follower = nodes.stream().filter(n -> !n.isLeader()).findFirst().orElseThrow();
    Awaits.until(CONVERGE, () -> leader.name().equals(follower.leader()));
    DeliveryOptions stale = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "daemon.spawn").addHeader("epoch", "0");
    JsonObject body = new JsonObject().put("launcher", "worker").put("name", "from-the-past").put("args", new JsonObject());
    Throwable t = awaitFailure(leader.vertx().eventBus().request(WhereIs.nodeAddress(follower.name()), body, stale));
    assertThat(((ReplyException) t).failureCode()).isEqualTo(WhereIs.CONFLICT);
    assertThat(t.getMessage()).contains("stale leader epoch");
    assertThat(follower.addressBook().locateLocal("from-the-past")).isEmpty();
  }

  @Test
  void aScannerThatFailsOnceIsRetried() {
    AtomicInteger calls = new AtomicInteger();
    Supplier<DaemonIterator> flaky = () -> () -> calls.incrementAndGet() == 1
      ? Future.failedFuture("database not ready")
      : Future.succeededFuture(DaemonBatch.last(List.of(new DaemonProcess("late-daemon", null))));
    startThree(flaky);
    awaitAllRunning(List.of("late-daemon"));
    assertThat(calls.get()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void anEmptyPageThatSaysItHasMoreIsAnErrorNotALoop() {
    AtomicInteger badCalls = new AtomicInteger();
    Supplier<DaemonIterator> bad = () -> () -> {
      badCalls.incrementAndGet();
      return Future.succeededFuture(new DaemonBatch(List.of(), true));
    };
    List<ClusterNode> nodes = new ArrayList<>();
    for (String n : List.of("d-a", "d-b", "d-c")) {
      nodes.add(cluster.start(options(n, twenty()).addLauncher("broken", new Launcher(DaemonWorker::new, null, bad))));
    }
    awaitAllRunning(NAMES);
    int seen = badCalls.get();
    assertThat(seen).isPositive();
    // one call per scan attempt, a few scans per second at most: nothing spins
    assertThat(seen).isLessThan(50);
  }

  @Test
  void badSpawnRequestsGetClearErrorsAndDeployNothing() {
    List<ClusterNode> nodes = startThree(DaemonScanners.none());
    ClusterNode a = nodes.get(0);
    int before = a.vertx().deploymentIDs().size();
    Throwable unknown = awaitFailure(a.spawner("no-such-launcher").spawnRegister("x", null));
    assertThat(((ReplyException) unknown).failureCode()).isEqualTo(WhereIs.NOT_FOUND);
    assertThat(unknown.getMessage()).contains("no-such-launcher");
    Throwable invalid = awaitFailure(a.spawner("worker").spawnRegister("bad name", null));
    assertThat(((ReplyException) invalid).failureCode()).isEqualTo(WhereIs.BAD_REQUEST);
    DeliveryOptions spawn = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "daemon.spawn");
    JsonObject notAnObject = new JsonObject().put("launcher", "worker").put("name", "ok-name").put("args", "text");
    Throwable args = awaitFailure(a.vertx().eventBus().request(WhereIs.nodeAddress("d-b"), notAnObject, spawn));
    assertThat(((ReplyException) args).failureCode()).isEqualTo(WhereIs.BAD_REQUEST);
    JsonObject unknownLauncher = new JsonObject().put("launcher", "ghost").put("name", "ok-name");
    Throwable ghost = awaitFailure(a.vertx().eventBus().request(WhereIs.nodeAddress("d-b"), unknownLauncher, spawn));
    assertThat(((ReplyException) ghost).failureCode()).isEqualTo(WhereIs.NOT_FOUND);
    assertThat(a.vertx().deploymentIDs()).hasSize(before);
    assertThat(cluster.node("d-b").addressBook().locateLocal("ok-name")).isEmpty();
    // an invalid launcher name is a failed future too (400), never a thrown exception
    Throwable blank = awaitFailure(a.spawner("").spawnRegister("ok-name", null));
    assertThat(((ReplyException) blank).failureCode()).isEqualTo(WhereIs.BAD_REQUEST);
  }
}
