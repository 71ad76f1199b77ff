package dev.vxext.daemon;

import dev.vxext.ClusterNode;
import dev.vxext.addressbook.NodeEntry;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Launchers added to and removed from running nodes: every member sees the change, the leader reconciles
 * at once (the daemons of a new launcher are placed), and a removed launcher is no longer offered while the
 * daemons it started keep running.
 */
class RuntimeLaunchersTest {

  private static final Duration CONVERGE = Duration.ofSeconds(15);

  private ClusterFixture cluster;

  @BeforeEach
  void start() {
    DaemonWorker.reset();
    cluster = ClusterFixture.clustered();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  /** @return true when every node sees {@code node} offering exactly {@code launchers} */
  private boolean everyoneSees(String node, List<String> launchers) {
    return cluster.nodes().stream().allMatch(n -> n.addressBook().availableNodes().stream()
      .filter(e -> e.name().equals(node)).map(NodeEntry::launchers).findFirst().orElse(List.of()).equals(launchers));
  }

  @Test
  void aLauncherAddedAtRuntimeIsPlacedAndOneRemovedIsNoLongerOffered() {
    ClusterNode a = cluster.start(cluster.options("rl-a").setSettleDelay(300).setReconcileInterval(60_000));
    Awaits.until(CONVERGE, a::isLeader);
    ClusterNode b = cluster.start(cluster.options("rl-b").setSettleDelay(300).setReconcileInterval(60_000));
    Awaits.until(CONVERGE, () -> "rl-a".equals(b.leader()));
    Launcher late = new Launcher(DaemonWorker::new, null, DaemonScanners.singleton("late-1", new JsonObject().put("k", 1)));

    // added to the follower only: the leader learns it from the member entry and places the daemon there
    await(b.addLauncher("late", late));
    Awaits.until(CONVERGE, () -> everyoneSees("rl-b", List.of("late")));
    cluster.awaitLocatedEverywhere("late-1", "rl-b", CONVERGE);
    assertThat(await(a.<JsonObject>call("late-1", "hi")).body().getJsonObject("config").getInteger("k")).isEqualTo(1);
    assertThat(await(a.spawner("late").spawnRegister("late-2", null)).node()).isEqualTo("rl-b");

    // removed: no longer offered, what it started keeps running
    await(b.removeLauncher("late"));
    Awaits.until(CONVERGE, () -> everyoneSees("rl-b", List.of()));
    Throwable none = awaitFailure(a.spawner("late").spawnRegister("late-3", null));
    assertThat(((ReplyException) none).failureCode()).isEqualTo(WhereIs.NOT_FOUND);
    assertThat(await(a.locate("late-1"))).isEqualTo("rl-b");
    assertThat(DaemonWorker.LIVE.get("late-1")).hasValue(1);

    // offered again, by the leader this time: the running daemon stays where it is, new ones go there
    await(a.addLauncher("late", late));
    Awaits.until(CONVERGE, () -> everyoneSees("rl-a", List.of("late")));
    assertThat(await(b.spawner("late").spawnRegister("late-3", null)).node()).isEqualTo("rl-a");
    assertThat(await(b.locate("late-1"))).isEqualTo("rl-b");
    assertThat(DaemonWorker.maxConcurrent()).isEqualTo(1);
  }
}
