package dev.vxext.cluster;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.admin.AdminOptions;
import dev.vxext.daemon.DaemonProcess;
import dev.vxext.daemon.DaemonScanners;
import dev.vxext.daemon.Launcher;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterChecks;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import dev.vxext.testing.EchoProcess;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import dev.vxext.cluster.impl.FanOutClusterManager;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.data.Stat;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ZooKeeper down for twice the session timeout, then back: every session expires on the server once it
 * returns, and everything that lived in ephemeral znodes of the old sessions (members, event-bus
 * subscriptions of the node addresses and call lanes, name claims, the leader lock) vanishes. The cluster
 * must come back by itself, without a restart: the same members, one leader, every daemon running exactly
 * once and callable from every node, every process locatable from every node, {@code /health} 200; and no
 * daemon may ever run twice meanwhile.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ZookeeperOutageTest {

  private static final long SESSION = ClusterFixture.SESSION_TIMEOUT;
  private static final List<String> DAEMONS = List.of("zd-0", "zd-1", "zd-2", "zd-3", "zd-4", "zd-5");
  private static final Duration CONVERGE = Duration.ofSeconds(20);
  /** Well above the recovery this test measures (printed), well below a hang. */
  private static final Duration RECOVER = Duration.ofSeconds(40);

  private static String nodeId(ClusterNode n) {
    return ((VertxInternal) n.vertx()).clusterManager().getNodeId();
  }

  private static long sessionOf(ClusterNode n) throws Exception {
    ZookeeperClusterManager zk = (ZookeeperClusterManager) ((FanOutClusterManager)
      ((VertxInternal) n.vertx()).clusterManager()).delegate();
    return zk.getCuratorFramework().getZookeeperClient().getZooKeeper().getSessionId();
  }

  /** @return every ephemeral znode under {@code root}, path to owning session */
  private static Map<String, Long> ephemerals(TestingServer zk, String root) throws Exception {
    Map<String, Long> found = new LinkedHashMap<>();
    try (CuratorFramework c = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100))) {
      c.start();
      c.blockUntilConnected();
      List<String> todo = new ArrayList<>(List.of("/" + root));
      while (!todo.isEmpty() && found.size() < 100_000) {
        String path = todo.remove(todo.size() - 1);
        Stat stat = c.checkExists().forPath(path);
        if (stat == null) continue;
        if (stat.getEphemeralOwner() != 0) found.put(path.substring(root.length() + 1), stat.getEphemeralOwner());
        for (String child : c.getChildren().forPath(path)) todo.add(path + "/" + child);
      }
    }
    return found;
  }

  /** @return the ephemeral znodes whose owner is not the current session of one of {@code nodes} */
  private static List<String> staleEphemerals(TestingServer zk, String root, List<ClusterNode> nodes) throws Exception {
    List<Long> live = new ArrayList<>();
    for (ClusterNode n : nodes) live.add(sessionOf(n));
    return ephemerals(zk, root).entrySet().stream().filter(e -> !live.contains(e.getValue()))
      .map(e -> e.getKey() + " (0x" + Long.toHexString(e.getValue()) + ")").toList();
  }

  /** @return the ephemeral znodes owned by the current session of {@code node} */
  private static List<String> owned(TestingServer zk, String root, ClusterNode node) throws Exception {
    long session = sessionOf(node);
    return ephemerals(zk, root).entrySet().stream().filter(e -> e.getValue() == session).map(Map.Entry::getKey).toList();
  }

  @Test
  void theClusterRecoversByItselfAfterAnOutageLongerThanTheSession() throws Exception {
    DaemonWorker.reset();
    try (TestingServer zk = new TestingServer(true); ClusterFixture cluster = ClusterFixture.clustered(zk)) {
      List<DaemonProcess> declared = DAEMONS.stream().map(d -> new DaemonProcess(d, new JsonObject())).toList();
      List<ClusterNode> nodes = new ArrayList<>();
      for (String n : List.of("zo-a", "zo-b", "zo-c")) {
        NodeOptions o = cluster.options(n).setSettleDelay(300).setReconcileInterval(1_000)
          .setAdmin(new AdminOptions().setPort(0))
          .addLauncher("worker", new Launcher(DaemonWorker::new, null, DaemonScanners.of(declared)));
        nodes.add(cluster.start(o));
      }
      Map<String, String> processes = new LinkedHashMap<>();
      for (ClusterNode n : nodes) {
        for (int i = 0; i < 10; i++) {
          String name = n.name() + ".p" + i;
          await(n.register(name, EchoProcess::new, new DeploymentOptions()));
          processes.put(name, n.name());
        }
      }
      Awaits.until(CONVERGE, () -> ClusterChecks.membersAndLeader(nodes).isEmpty()
        && ClusterChecks.daemonsOnceAndCallable(nodes, DAEMONS).isEmpty()
        && ClusterChecks.locatable(nodes, processes).isEmpty() && ClusterChecks.healthy(nodes).isEmpty());

      zk.stop();
      long stopped = System.currentTimeMillis();
      // the outage itself lasts twice the session timeout (waited, not polled for)
      Awaitility.await().pollDelay(Duration.ofMillis(2 * SESSION)).atMost(Duration.ofMillis(2 * SESSION + 5_000))
        .until(() -> System.currentTimeMillis() - stopped >= 2 * SESSION);
      zk.restart();
      long back = System.currentTimeMillis();

      // the old sessions expire on the server about a session timeout after it is back: until then the
      // cluster can look fine. Recovered = all well at a moment when they are surely gone, and from then on
      List<String> problems = new ArrayList<>();
      long[] firstWell = {-1};
      long settled = back + 2 * SESSION + 1_000;
      try {
        Awaits.until(RECOVER, () -> {
          problems.clear();
          problems.addAll(ClusterChecks.membersAndLeader(nodes));
          problems.addAll(ClusterChecks.daemonsOnceAndCallable(nodes, DAEMONS));
          problems.addAll(ClusterChecks.locatable(nodes, processes));
          problems.addAll(ClusterChecks.callable(nodes, processes.keySet()));
          problems.addAll(ClusterChecks.healthy(nodes));
          long now = System.currentTimeMillis();
          if (!problems.isEmpty()) {
            firstWell[0] = -1;
          } else if (firstWell[0] < 0) {
            firstWell[0] = now;
          }
          return problems.isEmpty() && now >= settled;
        });
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("not recovered " + RECOVER.toSeconds() + " s after ZooKeeper came back: "
          + problems.subList(0, Math.min(12, problems.size())) + (problems.size() > 12 ? " ..." : ""), e);
      }
      System.out.printf("ZOOKEEPER-OUTAGE %d ms down (session %d ms): all well (for good) %d ms after ZooKeeper was back%n",
        back - stopped, SESSION, firstWell[0] - back);
      assertThat(DaemonWorker.maxConcurrent()).as("a daemon ran twice at some moment").isEqualTo(1);
      assertThat(staleEphemerals(zk, cluster.options("x").getZookeeperRootPath(), nodes))
        .as("ephemeral znodes not owned by a node's current session").isEmpty();
      for (ClusterNode n : nodes) {
        assertThat(owned(zk, cluster.options("x").getZookeeperRootPath(), n))
          .as("what node %s owns in ZooKeeper under its current session", n.name())
          .contains("/vxext/names/" + n.name(), "/cluster/nodes/" + nodeId(n))
          .anyMatch(p -> p.startsWith("/__vertx.subs/vxext.node." + n.name() + "/"));
      }
    }
  }
}
