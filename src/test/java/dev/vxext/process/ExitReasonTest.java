package dev.vxext.process;

import dev.vxext.ClusterNode;
import dev.vxext.daemon.Launcher;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import dev.vxext.testing.EchoProcess;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code awaitExitReason}: each way a process goes, told to a node that waits for it.
 */
class ExitReasonTest {

  private static final Duration CONVERGE = Duration.ofSeconds(15);

  private ClusterFixture cluster;
  private List<ClusterNode> nodes;

  @BeforeEach
  void start() {
    DaemonWorker.reset();
    cluster = ClusterFixture.clustered();
    for (String n : List.of("ex-a", "ex-b")) {
      cluster.start(cluster.options(n).setSettleDelay(300).addLauncher("worker", Launcher.of(DaemonWorker::new)));
    }
    nodes = cluster.nodes();
    Awaits.until(CONVERGE, () -> nodes.stream().allMatch(n -> n.addressBook().availableNodes().size() == 2));
    Awaits.until(CONVERGE, () -> nodes.stream().allMatch(n -> n.leader() != null));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private ClusterNode other(String name) {
    return nodes.stream().filter(n -> !n.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void undeployedUnregisteredNodeLeftAndUnknown() {
    ClusterNode a = cluster.node("ex-a");
    ClusterNode b = cluster.node("ex-b");
    ProcessId p = await(b.register("ex-echo", EchoProcess::new, new DeploymentOptions()));
    Future<ExitReason> undeployed = a.awaitExitReason(p);
    Future<Void> plain = a.awaitExit(p);
    assertThat(undeployed.isComplete()).isFalse();
    await(b.vertx().undeploy(p.deploymentId()));
    assertThat(await(undeployed)).isEqualTo(ExitReason.UNDEPLOYED);
    await(plain);
    // asked once it is gone: its node remembers why
    assertThat(await(a.awaitExitReason(p))).isEqualTo(ExitReason.UNDEPLOYED);

    await(b.vertx().deployVerticle(new NamesHardeningTest.SelfRegistering(),
      new DeploymentOptions().setConfig(new JsonObject().put("name", "ex-named"))));
    ProcessId q = await(b.lookup("ex-named"));
    Future<ExitReason> unregistered = a.awaitExitReason(q);
    await(Processes.unregister(b.vertx(), "ex-named"));
    assertThat(await(unregistered)).isEqualTo(ExitReason.UNREGISTERED);
    assertThat(b.vertx().deploymentIDs()).contains(q.deploymentId());

    assertThat(await(a.awaitExitReason(new ProcessId("ex-b", "ex-never", "no-such-deployment", 1, 1))))
      .isEqualTo(ExitReason.UNKNOWN);

    ProcessId r = await(b.register("ex-last", EchoProcess::new, new DeploymentOptions()));
    cluster.close("ex-b");
    Awaits.until(CONVERGE, () -> a.addressBook().availableNodes().size() == 1);
    assertThat(await(a.awaitExitReason(r))).isEqualTo(ExitReason.NODE_LEFT);
  }

  /** One deployment registered under two names. */
  public static final class TwoNames extends io.vertx.core.VerticleBase {
    @Override
    public Future<?> start() {
      return Processes.registerSelf(context, "ex-first").compose(p -> Processes.registerSelf(context, "ex-second"));
    }
  }

  @Test
  void oneNameOfADeploymentGoingDoesNotEndTheWaitForItsOtherName() {
    ClusterNode a = cluster.node("ex-a");
    ClusterNode b = cluster.node("ex-b");
    await(b.vertx().deployVerticle(new TwoNames()));
    ProcessId first = await(b.lookup("ex-first"));
    ProcessId second = await(b.lookup("ex-second"));
    assertThat(second.deploymentId()).isEqualTo(first.deploymentId());
    Future<ExitReason> firstGone = a.awaitExitReason(first);
    Future<ExitReason> secondGone = a.awaitExitReason(second);
    await(Processes.unregister(b.vertx(), "ex-second"));
    assertThat(await(secondGone)).isEqualTo(ExitReason.UNREGISTERED);
    // the first name still runs: its wait goes on (a ping of its node proves the watch answers came back)
    await(a.vertx().eventBus().request(WhereIs.nodeAddress("ex-b"), null,
      new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "ping")));
    assertThat(firstGone.isComplete()).as("the wait for ex-first ended: " + firstGone).isFalse();
    await(b.vertx().undeploy(first.deploymentId()));
    assertThat(await(firstGone)).isEqualTo(ExitReason.UNDEPLOYED);
  }

  @Test
  void theYoungerOfTwoInstancesOfADaemonStopsAsADuplicate() {
    ProcessId first = await(nodes.get(0).spawner("worker").spawnRegister("ex-dup", null));
    ClusterNode host = cluster.node(first.node());
    ClusterNode second = other(first.node());
    // a second instance, started on the other node behind the cluster's back
    DeliveryOptions spawn = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "daemon.spawn");
    JsonObject body = new JsonObject().put("launcher", "worker").put("name", "ex-dup").put("args", new JsonObject());
    ProcessId younger = ProcessId.fromJson(await(host.vertx().eventBus()
      .<JsonObject>request(WhereIs.nodeAddress(second.name()), body, spawn)).body());
    assertThat(younger.node()).isEqualTo(second.name());
    assertThat(await(host.awaitExitReason(younger))).isEqualTo(ExitReason.DUPLICATE);
    assertThat(await(second.lookup("ex-dup"))).isEqualTo(first);
    Awaits.until(CONVERGE, () -> DaemonWorker.LIVE.get("ex-dup").get() == 1);
  }

  @Test
  void aNodeCutOffFromZookeeperFencesItsDaemonsAndTheOthersSeeItLeave() throws Exception {
    ProcessId daemon = await(nodes.get(0).spawner("worker").spawnRegister("ex-fenced", null));
    ClusterNode victim = cluster.node(daemon.node());
    ClusterNode watcher = other(victim.name());
    ProcessId plain = await(victim.register("ex-plain", EchoProcess::new, new DeploymentOptions()));
    Future<ExitReason> fenced = victim.awaitExitReason(daemon);
    Future<ExitReason> left = watcher.awaitExitReason(plain);
    cluster.expireSession(victim.name());
    assertThat(await(fenced)).isEqualTo(ExitReason.FENCED);
    // a plain process keeps running on the cut-off node, but to the others its node left
    assertThat(await(left)).isEqualTo(ExitReason.NODE_LEFT);
  }

  @Test
  void aGracefulLeaveHandsItsDaemonsOff() {
    ProcessId daemon = await(nodes.get(0).spawner("worker").spawnRegister("ex-handed", null));
    ClusterNode watcher = other(daemon.node());
    Future<ExitReason> exit = watcher.awaitExitReason(daemon);
    cluster.close(daemon.node());
    assertThat(await(exit)).isEqualTo(ExitReason.HANDED_OFF);
  }
}
