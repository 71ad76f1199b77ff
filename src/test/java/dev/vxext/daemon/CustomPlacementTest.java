package dev.vxext.daemon;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.cron.CronJob;
import dev.vxext.cron.CronJobInfo;
import dev.vxext.cron.CronScope;
import dev.vxext.process.ProcessId;
import dev.vxext.spi.PlacementStrategy;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link NodeOptions#setPlacement}: a strategy of the application's decides where the leader places
 * declared daemons, where spawns go and which node fires a cluster cron job; when its choice leaves, the
 * next of its {@link PlacementStrategy#candidates} takes over.
 */
class CustomPlacementTest {

  /** Puts a name ending in "-x" on node "pl-x" when it is a member, else on the first member by name. */
  static final class BySuffix implements PlacementStrategy {
    @Override
    public String choose(String name, List<String> members) {
      String wanted = "pl-" + name.substring(name.lastIndexOf('-') + 1);
      if (members.contains(wanted)) {
        return wanted;
      }
      return members.isEmpty() ? null : new TreeSet<>(members).first();
    }
  }

  private static final Duration CONVERGE = Duration.ofSeconds(20);
  private static final List<String> DAEMONS = List.of("pd-a", "pd-b", "pd-c");

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

  private NodeOptions options(String name) {
    List<DaemonProcess> daemons = new ArrayList<>();
    DAEMONS.forEach(d -> daemons.add(new DaemonProcess(d, new JsonObject())));
    return cluster.options(name).setSettleDelay(1_500).setReconcileInterval(1000)
      .setPlacement(new BySuffix())
      .addLauncher("worker", new Launcher(DaemonWorker::new, null, DaemonScanners.of(daemons)))
      .addCronJob(new CronJob("pj-b", "0 0 1 1 *", "pj-ticks").setScope(CronScope.CLUSTER));
  }

  @Test
  void daemonsSpawnsAndCronJobsGoWhereTheStrategySays() {
    List<ClusterNode> nodes = new ArrayList<>();
    for (String n : List.of("pl-a", "pl-b", "pl-c")) {
      nodes.add(cluster.start(options(n)));
    }
    Awaits.until(CONVERGE, () -> nodes.stream().allMatch(n -> n.addressBook().availableNodes().size() == 3));
    ClusterNode a = nodes.get(0);

    for (String d : DAEMONS) {
      String expected = "pl-" + d.substring(d.length() - 1);
      Awaits.until(CONVERGE, () -> expected.equals(ClusterFixture.locate(a, d).orElse(null)));
    }
    ProcessId spawned = await(a.spawner("worker").spawnRegister("ps-c", new JsonObject()));
    assertThat(spawned.node()).isEqualTo("pl-c");
    Awaits.until(CONVERGE, () -> "pl-b".equals(owner(a)));

    // the strategy's node for pd-c leaves: its next candidate (the first member by name) takes it
    cluster.close("pl-c");
    Awaits.until(CONVERGE, () -> "pl-a".equals(ClusterFixture.locate(a, "pd-c").orElse(null)));
    assertThat(DaemonWorker.maxConcurrent()).isEqualTo(1);
  }

  @Test
  void theDefaultCandidatesAskTheStrategyAgainWithoutTheMembersAlreadyPicked() {
    PlacementStrategy suffix = new BySuffix();
    assertThat(suffix.candidates("x-c", List.of("pl-b", "pl-c", "pl-a"))).containsExactly("pl-c", "pl-a", "pl-b");
    PlacementStrategy outside = (name, members) -> "elsewhere";
    assertThat(outside.candidates("x", List.of("b", "a"))).containsExactly("a", "b");
  }

  private static String owner(ClusterNode node) {
    return await(node.cronJobs()).stream().filter(j -> j.name().equals("pj-b")).map(CronJobInfo::owner).findFirst().orElse(null);
  }
}
