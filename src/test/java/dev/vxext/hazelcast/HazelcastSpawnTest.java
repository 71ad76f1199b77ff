package dev.vxext.hazelcast;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.addressbook.impl.HashRing;
import dev.vxext.daemon.Launcher;
import dev.vxext.daemon.SupervisedSpawn;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import dev.vxext.testing.HazelcastSetup;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Supervised spawns on 3 real Hazelcast nodes in this JVM: the record lives in Hazelcast's map, so the spawn
 * survives the loss of its node (closed: its daemons handed off) and of the leader (the next leader reads
 * the record), and {@code stop} ends it everywhere. (A Hazelcast cluster keeps its maps in memory: a restart
 * of the whole cluster forgets the records; that survival is ZooKeeper's, see {@code SupervisedSpawnTest}.)
 */
class HazelcastSpawnTest {

  static {
    HazelcastSetup.quietAndQuick();
  }

  private static final Duration CONVERGE = Duration.ofSeconds(30);
  private static final List<String> NODES = List.of("hs-a", "hs-b", "hs-c");

  private final String rootPath = "hz-spawn-" + ProcessHandle.current().pid();
  private ClusterFixture cluster;

  @AfterEach
  void stop() {
    if (cluster != null) cluster.close();
  }

  private NodeOptions options(String name) {
    return new NodeOptions().setNodeName(name).setClusterManager(NodeOptions.HAZELCAST).setZookeeperRootPath(rootPath)
      .setSyncInterval(500).setSettleDelay(300).setReconcileInterval(1000).setRequestTimeout(ClusterFixture.REQUEST_TIMEOUT)
      .addLauncher("worker", Launcher.of(DaemonWorker::new));
  }

  private Optional<ProcessId> lookup(ClusterNode from, String name) {
    try {
      return Optional.of(await(from.lookup(name)));
    } catch (ReplyException e) {
      return Optional.empty();
    }
  }

  private ClusterNode leader() {
    Awaits.until(CONVERGE, () -> cluster.nodes().stream().filter(ClusterNode::isLeader).count() == 1);
    ClusterNode leader = cluster.nodes().stream().filter(ClusterNode::isLeader).findFirst().orElseThrow();
    Awaits.until(CONVERGE, () -> cluster.nodes().stream().allMatch(n -> leader.name().equals(n.leader())));
    return leader;
  }

  /** Waits until {@code name} runs once, on a running node other than {@code not}. */
  private ProcessId awaitRunningOff(String name, String not) {
    ProcessId[] now = new ProcessId[1];
    Awaits.until(CONVERGE, () -> {
      now[0] = lookup(cluster.nodes().get(0), name).orElse(null);
      return now[0] != null && !now[0].node().equals(not) && cluster.node(now[0].node()) != null
        && DaemonWorker.LIVE.get(name).get() == 1;
    });
    return now[0];
  }

  @Test
  void aSpawnSurvivesItsNodeAndTheLeaderAndStopsEverywhere() {
    DaemonWorker.reset();
    cluster = ClusterFixture.single();
    NODES.forEach(n -> cluster.start(options(n)));
    Awaits.until(CONVERGE, () -> cluster.nodes().stream().allMatch(n -> n.addressBook().availableNodes().size() == 3));
    ClusterNode leader = leader();
    String host = NODES.stream().filter(n -> !n.equals(leader.name())).findFirst().orElseThrow();
    HashRing ring = HashRing.of(NODES);
    String name = "hz-spawn";
    for (int i = 0; !ring.locate(name).equals(host); i++) {
      name = "hz-spawn-" + i;
    }
    ProcessId pid = await(leader.spawner("worker").spawnRegister(name, new JsonObject().put("z", 3)));
    assertThat(pid.node()).isEqualTo(host);

    cluster.close(host);
    ProcessId moved = awaitRunningOff(name, host);
    cluster.close(leader.name());
    ClusterNode last = cluster.nodes().get(0);
    Awaits.until(CONVERGE, last::isLeader);
    ProcessId now = awaitRunningOff(name, leader.name());
    assertThat(now.node()).isEqualTo(last.name());
    assertThat(moved.name()).isEqualTo(name);
    assertThat(await(last.<JsonObject>call(name, "hi")).body().getJsonObject("config").getInteger("z")).isEqualTo(3);
    assertThat(await(last.spawner("worker").list()).stream().map(SupervisedSpawn::name)).containsExactly(name);

    var exited = last.awaitExit(now);
    await(last.spawner("worker").stop(name));
    await(exited);
    assertThat(await(last.spawner("worker").list())).isEmpty();
    String stopped = name;
    org.awaitility.Awaitility.await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(10))
      .pollInterval(Duration.ofMillis(250)).until(() -> lookup(last, stopped).isEmpty());
    assertThat(DaemonWorker.maxConcurrent()).isEqualTo(1);
  }
}
