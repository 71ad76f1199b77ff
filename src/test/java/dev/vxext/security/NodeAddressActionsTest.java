package dev.vxext.security;

import dev.vxext.ClusterNode;
import dev.vxext.daemon.DaemonProcess;
import dev.vxext.daemon.DaemonScanners;
import dev.vxext.daemon.Launcher;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterChecks;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import dev.vxext.testing.EchoProcess;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every action of the node address, fed a bad body, a forged epoch or a forged speaker by a clustered Vert.x
 * that is not a node of ours (so it can set any header): one row per case, each answered with its code
 * and message, and nothing changes (the node serves, the leader and its epoch stand, no node is marked
 * leaving, nothing is deployed).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeAddressActionsTest {

  private static final List<String> DAEMONS = List.of("na-0", "na-1", "na-2", "na-3", "na-4", "na-5");

  private ClusterFixture cluster;
  private ClusterNode a;
  private ClusterNode b;
  private Vertx outsider;

  @BeforeAll
  void start() {
    DaemonWorker.reset();
    cluster = ClusterFixture.clustered();
    List<DaemonProcess> declared = DAEMONS.stream().map(d -> new DaemonProcess(d, new JsonObject())).toList();
    a = cluster.start(cluster.options("na-a").setSettleDelay(300).setReconcileInterval(500)
      .addLauncher("worker", new Launcher(DaemonWorker::new, null, DaemonScanners.of(declared))));
    Awaits.until(Duration.ofSeconds(15), a::isLeader);
    b = cluster.start(cluster.options("na-b").setSettleDelay(300).setReconcileInterval(500)
      .addLauncher("worker", new Launcher(DaemonWorker::new, null, DaemonScanners.of(declared))));
    await(b.register("na-echo", EchoProcess::new, new DeploymentOptions()));
    Awaits.untilNone(Duration.ofSeconds(20), "converged", () -> {
      List<String> p = new java.util.ArrayList<>(ClusterChecks.membersAndLeader(cluster.nodes()));
      p.addAll(ClusterChecks.daemonsOnceAndCallable(cluster.nodes(), DAEMONS));
      return p;
    });
    VertxOptions vo = new VertxOptions();
    vo.getEventBusOptions().setHost("127.0.0.1");
    JsonObject zk = new JsonObject().put("zookeeperHosts", cluster.zookeeperConnectString())
      .put("rootPath", cluster.options("x").getZookeeperRootPath());
    outsider = await(Vertx.builder().with(vo).withClusterManager(new ZookeeperClusterManager(zk)).buildClustered());
    // the outsider knows the node address of na-b once the subscription reached its cache
    Awaits.until(Duration.ofSeconds(10), () -> code(send("ping", null, null, null)) == 0);
  }

  @AfterAll
  void stop() {
    try {
      if (outsider != null) await(outsider.close());
    } finally {
      cluster.close();
    }
  }

  /** Sends {@code body} with {@code action} to na-b's node address as {@code from}; @return the outcome */
  private io.vertx.core.Future<io.vertx.core.eventbus.Message<Object>> send(String action, Object body, String from, String epoch) {
    DeliveryOptions o = new DeliveryOptions().setSendTimeout(5_000);
    if (action != null) o.addHeader(WhereIs.ACTION_HEADER, action);
    if (from != null) o.addHeader(WhereIs.FROM_HEADER, from);
    if (epoch != null) o.addHeader("epoch", epoch);
    return outsider.eventBus().request(WhereIs.nodeAddress("na-b"), body, o);
  }

  /** @return 0 for a reply, else the failure code (-1 for a timeout) */
  private static int code(io.vertx.core.Future<?> f) {
    try {
      await(f);
      return 0;
    } catch (ReplyException e) {
      return e.failureType() == io.vertx.core.eventbus.ReplyFailure.TIMEOUT ? -1 : e.failureCode();
    }
  }

  static Stream<Arguments> cases() {
    String max = Long.toString(Long.MAX_VALUE);
    JsonObject empty = new JsonObject();
    return Stream.of(
      Arguments.of("no action", null, empty, "na-a", null, 400, "missing 'action' header"),
      Arguments.of("unknown action", "launch", empty, "na-a", null, 400, "unknown action 'launch'"),
      Arguments.of("a non-member", "processes", empty, "mallory", null, 403, "not a member"),
      Arguments.of("an unnamed sender", "processes", empty, null, null, 403, "unnamed sender"),
      Arguments.of("scan without a launcher", "daemon.scan", empty, "na-a", null, 400, "scan needs {\"launcher\""),
      Arguments.of("scan with a string body", "daemon.scan", "worker", "na-a", null, 400, "needs a JSON object body"),
      Arguments.of("spawn without a name", "daemon.spawn", new JsonObject().put("launcher", "worker"), "na-a", null, 400,
        "spawn needs"),
      Arguments.of("spawn of a reserved name", "daemon.spawn", new JsonObject().put("launcher", "worker")
        .put("name", "vxext.registry"), "na-a", null, 400, "reserved prefix 'vxext.'"),
      Arguments.of("spawn of an unknown launcher", "daemon.spawn", new JsonObject().put("launcher", "nope")
        .put("name", "x1"), "na-a", null, 404, "offers no launcher 'nope'"),
      Arguments.of("leader with the highest epoch", "daemon.leader", new JsonObject().put("node", "na-a"), "na-a", max,
        409, "ahead of the cluster's leader epoch"),
      Arguments.of("leader without an epoch", "daemon.leader", new JsonObject().put("node", "na-a"), "na-a", null, 400,
        "needs its epoch"),
      Arguments.of("leader with a malformed epoch", "daemon.leader", new JsonObject().put("node", "na-a"), "na-a", "abc",
        400, "not a number"),
      Arguments.of("leader for another node", "daemon.leader", new JsonObject().put("node", "na-b"), "na-a", "1", 400,
        "cannot speak for node 'na-b'"),
      Arguments.of("leader without a node", "daemon.leader", empty, "na-a", "1", 400, "leader needs {\"node\""),
      Arguments.of("leaving for another node", "daemon.leaving", new JsonObject().put("node", "na-b"), "na-a", null, 400,
        "cannot speak for node 'na-b'"),
      Arguments.of("duplicate without its fields", "daemon.duplicate", new JsonObject().put("name", "na-0"), "na-a", null,
        400, "duplicate needs"),
      Arguments.of("spawn with a handoff that is not a boolean", "daemon.spawn", new JsonObject().put("launcher", "worker")
        .put("name", "x1").put("handoff", "yes"), "na-a", null, 400, "must be a boolean"),
      Arguments.of("stop without a name", "daemon.stop", new JsonObject().put("launcher", "worker"), "na-a", null, 400,
        "daemon.stop needs"),
      Arguments.of("stop of an invalid name", "daemon.stop", new JsonObject().put("launcher", "worker").put("name", "bad name"),
        "na-a", null, 400, "invalid process name"),
      Arguments.of("exited without its fields", "daemon.exited", new JsonObject().put("name", "na-0"), "na-a", null, 400,
        "daemon.exited needs"),
      Arguments.of("move without its fields", "daemon.move", new JsonObject().put("name", "na-0"), "na-a", "1", 400,
        "daemon.move needs"),
      Arguments.of("move of an invalid name", "daemon.move", new JsonObject().put("name", "bad name").put("deploymentId", "d")
        .put("to", "na-a"), "na-a", "1", 400, "invalid process name"),
      Arguments.of("move without an epoch", "daemon.move", new JsonObject().put("name", "na-0").put("deploymentId", "d")
        .put("to", "na-a"), "na-a", null, 400, "needs its epoch"),
      Arguments.of("member.leaving for another node", "member.leaving", new JsonObject().put("node", "na-b"), "na-a", null,
        403, "cannot say that 'na-b' is leaving"),
      Arguments.of("member.leaving without a node", "member.leaving", empty, "na-a", null, 400, "member.leaving needs"),
      Arguments.of("locate of a number", "locate", 42, "na-a", null, 400, "locate needs the process name"),
      Arguments.of("call without a target", "call", "hi", "na-a", null, 400, "invalid target"),
      Arguments.of("sync.delta without its fields", "sync.delta", empty, "na-a", null, 400, "needs from, inc and seq"),
      Arguments.of("watch without its fields", "watch", empty, "na-a", null, 400, "watch needs"),
      Arguments.of("reconcile with a string body", "daemon.reconcile", "now", "na-a", null, 400, "needs a JSON object body"),
      Arguments.of("reconcile with fields", "daemon.reconcile", new JsonObject().put("launcher", "worker"), "na-a", null, 400,
        "takes an empty JSON object"),
      Arguments.of("reconcile asked of a follower", "daemon.reconcile", empty, "na-a", null, 421,
        "na-b is not the leader (the leader is na-a)"),
      Arguments.of("member.changed with malformed launchers", "member.changed", new JsonObject().put("nodeId", "x")
        .put("launchers", "worker"), "na-a", null, 400, "member.changed needs"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void refused(String what, String action, Object body, String from, String epoch, int code, String message) {
    long epochBefore = b.isLeader() ? -1 : leaderEpoch(b);
    Throwable t = awaitFailure(send(action, body, from, epoch));
    assertThat(t).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) t).failureCode()).as(what + ": " + t.getMessage()).isEqualTo(code);
    assertThat(t.getMessage()).contains(message);
    // nothing changed
    assertThat(b.leader()).isEqualTo("na-a");
    assertThat(leaderEpoch(b)).isEqualTo(epochBefore);
    assertThat(b.addressBook().availableNodes()).hasSize(2);
    assertThat(a.addressBook().owners("na-echo")).contains("na-b");
    assertThat(await(a.<JsonObject>call("na-echo", "still")).body().getString("echo")).isEqualTo("still");
    assertThat(b.addressBook().locateLocal("x1")).isEmpty();
    assertThat(b.addressBook().locateLocal("vxext.registry")).isEmpty();
  }

  private static long leaderEpoch(ClusterNode n) {
    io.micrometer.core.instrument.Gauge g = n.meterRegistry().find("vxext.leader.epoch").gauge();
    return g == null ? -1 : (long) g.value();
  }

  @Test
  void aForgedEpochDoesNotLockTheRealLeaderOut() {
    assertThat(code(send("daemon.leader", new JsonObject().put("node", "na-a"), "na-a", Long.toString(Long.MAX_VALUE))))
      .isEqualTo(409);
    // the leader's next command to na-b: its daemons there, stopped behind the leader's back, are placed there again
    List<ProcessId> onB = DAEMONS.stream().map(d -> await(a.lookup(d))).filter(p -> p.node().equals("na-b")).toList();
    assertThat(onB).as("daemons the ring puts on na-b").isNotEmpty();
    for (ProcessId p : onB) {
      await(b.vertx().undeploy(p.deploymentId()));
    }
    Awaits.untilNone(Duration.ofSeconds(15), "na-b's daemons back on na-b", () -> onB.stream()
      .filter(p -> {
        try {
          return !"na-b".equals(await(a.lookup(p.name())).node());
        } catch (RuntimeException e) {
          return true;
        }
      }).map(ProcessId::name).toList());
    assertThat(DaemonWorker.maxConcurrent()).isEqualTo(1);
  }

  @Test
  void aSpeakerCannotMarkAnotherNodeLeaving() {
    assertThat(code(send("member.leaving", new JsonObject().put("node", "na-a"), "na-b", null))).isEqualTo(403);
    assertThat(a.addressBook().owners("na-echo")).hasSize(2);
    assertThat(Map.of("b sees", b.addressBook().availableNodes().size())).containsEntry("b sees", 2);
  }
}
