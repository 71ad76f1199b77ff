package dev.vxext.fault;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.addressbook.impl.HashRing;
import dev.vxext.daemon.Launcher;
import dev.vxext.daemon.SupervisedSpawn;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ChildJvm;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A supervised spawn whose node is killed with SIGKILL runs again on a survivor, though no scanner declares
 * it: two nodes in this JVM and one {@link FaultNode} in a JVM of its own, on the shared embedded
 * ZooKeeper; the spawn is placed on the child JVM, which is then killed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SpawnFailoverTest {

  private static final long SESSION_TIMEOUT = 4_000;
  private static final Duration CONVERGE = Duration.ofSeconds(45);
  private static final String CHILD = "sf-child";

  private final List<ClusterNode> nodes = new ArrayList<>();
  private ChildJvm child;

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (child != null) child.close();
    } finally {
      for (ClusterNode n : nodes) {
        await(n.close());
      }
    }
  }

  private Optional<ProcessId> lookup(ClusterNode from, String name) {
    try {
      return Optional.of(await(from.lookup(name)));
    } catch (ReplyException e) {
      return Optional.empty();
    }
  }

  @Test
  void killNineOfTheNodeRunningASpawnRunsItOnASurvivor() throws Exception {
    DaemonWorker.reset();
    String zookeeper = ClusterFixture.zookeeper().getConnectString();
    String root = "vxext-spawn-fault-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
    for (String name : List.of("sf-a", "sf-b")) {
      nodes.add(await(ClusterNode.start(new NodeOptions().setNodeName(name).setZookeeperHosts(zookeeper).setZookeeperRootPath(root)
        .setSessionTimeout(SESSION_TIMEOUT).setSettleDelay(1_000).setSyncInterval(500).setReconcileInterval(1_000)
        .setRequestTimeout(FaultNode.REQUEST_TIMEOUT_MS).addLauncher(FaultNode.LAUNCHER, Launcher.of(DaemonWorker::new)))));
    }
    ClusterNode a = nodes.get(0);
    // the child offers the same launcher (its daemons answer {name, node}) and declares no daemon of its own
    child = ChildJvm.start(FaultNode.class.getName(), List.of(CHILD, zookeeper, root, Long.toString(SESSION_TIMEOUT),
      "1000", "0", "sf-a", Long.toString(NodeOptions.DEFAULT_FAILOVER_DELAY)), Map.of());
    Awaits.until(CONVERGE, () -> child.printed("READY " + CHILD) || !child.alive());
    assertThat(child.alive()).as("child JVM started; stderr %s", child.stderr()).isTrue();
    Awaits.until(CONVERGE, () -> nodes.stream().allMatch(n -> n.addressBook().availableNodes().size() == 3));

    List<String> members = List.of("sf-a", "sf-b", CHILD);
    HashRing ring = HashRing.of(members);
    String name = "sf-spawn";
    for (int i = 0; !ring.locate(name).equals(CHILD); i++) {
      name = "sf-spawn-" + i;
    }
    ProcessId pid = await(a.spawner(FaultNode.LAUNCHER).spawnRegister(name, new JsonObject().put("k", 1)));
    assertThat(pid.node()).isEqualTo(CHILD);
    assertThat(await(a.<JsonObject>call(name, "hi")).body().getString("node")).isEqualTo(CHILD);

    child.kill();
    assertThat(child.waitFor(Duration.ofSeconds(10))).as("exit status of a SIGKILLed JVM").isEqualTo(128 + 9);
    String spawn = name;
    Awaits.until(CONVERGE, () -> lookup(a, spawn).map(p -> !p.node().equals(CHILD)).orElse(false));
    JsonObject reply = await(nodes.get(1).<JsonObject>call(spawn, "hi")).body();
    assertThat(reply.getJsonObject("config").getInteger("k")).isEqualTo(1);
    assertThat(await(a.lookup(spawn)).node()).isIn("sf-a", "sf-b");
    assertThat(await(nodes.get(1).spawner(FaultNode.LAUNCHER).list()).stream().map(SupervisedSpawn::name)).containsExactly(spawn);
    assertThat(DaemonWorker.maxConcurrent()).isEqualTo(1);
  }
}
