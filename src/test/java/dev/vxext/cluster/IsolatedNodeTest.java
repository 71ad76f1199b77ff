package dev.vxext.cluster;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.admin.AdminOptions;
import dev.vxext.daemon.DaemonProcess;
import dev.vxext.daemon.DaemonScanners;
import dev.vxext.daemon.Launcher;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterChecks;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import dev.vxext.testing.EchoProcess;
import dev.vxext.testing.TcpProxy;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node cut off from ZooKeeper and from its peers (every link through a {@link TcpProxy}, held as in a
 * partition): it stops its daemons before its session expires; the others place them once it is gone,
 * without waiting for anything the cut-off node would have answered (the request timeout is one minute
 * here). After the heal it comes back by itself with a new session, and everything is whole again.
 * No daemon ever runs twice.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class IsolatedNodeTest {

  private static final List<String> DAEMONS = new ArrayList<>();
  private static final long REQUEST_TIMEOUT = 60_000;
  private static final Duration CONVERGE = Duration.ofSeconds(20);
  /** A third of the request timeout: a re-placement that waited for it fails. */
  private static final Duration REPLACED = Duration.ofMillis(REQUEST_TIMEOUT / 3);

  static {
    for (int i = 0; i < 9; i++) DAEMONS.add("iso-" + i);
  }

  private final ClusterFixture cluster = ClusterFixture.clustered();
  private final Map<String, TcpProxy> zkProxies = new HashMap<>();
  private final Map<String, TcpProxy> busProxies = new HashMap<>();

  @AfterEach
  void tearDown() {
    try {
      cluster.close();
    } finally {
      zkProxies.values().forEach(TcpProxy::close);
      busProxies.values().forEach(TcpProxy::close);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A node whose ZooKeeper connection and event-bus port (as advertised) go through proxies of its own. */
  private ClusterNode start(String name) throws IOException {
    int zkPort = Integer.parseInt(cluster.zookeeperConnectString().replaceAll(".*:", ""));
    TcpProxy zk = TcpProxy.start(name + "-zk", zkPort);
    int busPort = freePort();
    TcpProxy bus = TcpProxy.startEventBus(name + "-bus", busPort);
    zkProxies.put(name, zk);
    busProxies.put(name, bus);
    List<DaemonProcess> declared = DAEMONS.stream().map(d -> new DaemonProcess(d, new JsonObject())).toList();
    NodeOptions o = cluster.options(name).setZookeeperHosts(zk.address()).setRequestTimeout(REQUEST_TIMEOUT)
      // long enough for all three to join before the first placement: each runs some daemons
      .setSettleDelay(2_000).setReconcileInterval(1_000).setClusterPort(busPort)
      .setEventBusOptions(new JsonObject().put("clusterPublicHost", "127.0.0.1").put("clusterPublicPort", bus.port()))
      .setAdmin(new AdminOptions().setPort(0))
      .addLauncher("worker", new Launcher(DaemonWorker::new, null, DaemonScanners.of(declared)));
    return cluster.start(o);
  }

  @Test
  void aNodeCutOffFromEverythingFencesItsDaemonsWhichRunElsewhereAndItComesBackAfterTheHeal() throws Exception {
    DaemonWorker.reset();
    List<ClusterNode> nodes = new ArrayList<>();
    for (String n : List.of("iso-a", "iso-b", "iso-c")) {
      nodes.add(start(n));
    }
    Map<String, String> processes = new LinkedHashMap<>();
    for (ClusterNode n : nodes) {
      for (int i = 0; i < 5; i++) {
        await(n.register(n.name() + ".p" + i, EchoProcess::new, new DeploymentOptions()));
        processes.put(n.name() + ".p" + i, n.name());
      }
    }
    Awaits.untilNone(CONVERGE, "converged", () -> {
      List<String> p = new ArrayList<>(ClusterChecks.membersAndLeader(nodes));
      p.addAll(ClusterChecks.daemonsOnceAndCallable(nodes, DAEMONS));
      p.addAll(ClusterChecks.locatable(nodes, processes));
      return p;
    });
    ClusterNode leader = nodes.stream().filter(ClusterNode::isLeader).findFirst().orElseThrow();
    Map<String, Integer> perNode = new HashMap<>();
    for (String d : DAEMONS) {
      ProcessId pid = await(leader.lookup(d));
      perNode.merge(pid.node(), 1, Integer::sum);
    }
    ClusterNode victim = nodes.stream().filter(n -> n != leader)
      .max((x, y) -> Integer.compare(perNode.getOrDefault(x.name(), 0), perNode.getOrDefault(y.name(), 0))).orElseThrow();
    assertThat(perNode.getOrDefault(victim.name(), 0)).as("daemons on " + victim.name()).isPositive();
    List<ClusterNode> others = nodes.stream().filter(n -> n != victim).toList();
    String victimId = ((VertxInternal) victim.vertx()).clusterManager().getNodeId();

    // the cut: nothing flows between the victim and ZooKeeper, nor between it and its peers, either way
    long cut = System.currentTimeMillis();
    zkProxies.get(victim.name()).blackhole();
    busProxies.get(victim.name()).blackhole();
    others.forEach(o -> busProxies.get(o.name()).blackholeFrom(victimId));
    long took = Awaits.untilNone(REPLACED, "the cut-off node's daemons running elsewhere", () -> {
      List<String> p = new ArrayList<>();
      for (String d : DAEMONS) {
        var live = DaemonWorker.LIVE.get(d);
        if (live == null || live.get() != 1) p.add(d + " runs " + (live == null ? 0 : live.get()) + " times");
      }
      p.addAll(ClusterChecks.callable(others, DAEMONS));
      return p;
    });
    System.out.printf("ISOLATED %s (%d daemons): all daemons serving on the others %d ms after the cut "
      + "(session %d ms, request timeout %d ms)%n", victim.name(), perNode.getOrDefault(victim.name(), 0), took,
      ClusterFixture.SESSION_TIMEOUT, REQUEST_TIMEOUT);

    zkProxies.get(victim.name()).heal();
    busProxies.values().forEach(p -> {
      try {
        p.heal();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    long healed = System.currentTimeMillis();
    long back = Awaits.untilNone(Duration.ofSeconds(40), "whole again after the heal", () -> {
      List<String> p = new ArrayList<>(ClusterChecks.membersAndLeader(nodes));
      p.addAll(ClusterChecks.daemonsOnceAndCallable(nodes, DAEMONS));
      p.addAll(ClusterChecks.locatable(nodes, processes));
      p.addAll(ClusterChecks.callable(nodes, processes.keySet()));
      p.addAll(ClusterChecks.healthy(nodes));
      return p;
    });
    System.out.printf("ISOLATED healed after %d ms: whole again %d ms later%n", healed - cut, back);
    assertThat(DaemonWorker.maxConcurrent()).as("a daemon ran twice at some moment").isEqualTo(1);
  }

  @Test
  void aNodeCutFromZooKeeperOnlyStopsItsDaemonsBeforeTheClusterCountsItGone() throws Exception {
    DaemonWorker.reset();
    List<ClusterNode> nodes = new ArrayList<>();
    for (String n : List.of("zc-a", "zc-b", "zc-c")) {
      nodes.add(start(n));
    }
    Awaits.untilNone(CONVERGE, "converged", () -> {
      List<String> p = new ArrayList<>(ClusterChecks.membersAndLeader(nodes));
      p.addAll(ClusterChecks.daemonsOnceAndCallable(nodes, DAEMONS));
      return p;
    });
    ClusterNode leader = nodes.stream().filter(ClusterNode::isLeader).findFirst().orElseThrow();
    Map<String, Integer> perNode = new HashMap<>();
    for (String d : DAEMONS) {
      perNode.merge(await(leader.lookup(d)).node(), 1, Integer::sum);
    }
    ClusterNode victim = nodes.stream().filter(n -> n != leader)
      .max((x, y) -> Integer.compare(perNode.getOrDefault(x.name(), 0), perNode.getOrDefault(y.name(), 0))).orElseThrow();
    assertThat(perNode.getOrDefault(victim.name(), 0)).as("daemons on " + victim.name()).isPositive();
    // when the leader counts the victim gone, and when the victim runs none of its daemons any more
    java.util.concurrent.atomic.AtomicLong left = new java.util.concurrent.atomic.AtomicLong(-1);
    leader.vertx().eventBus().<JsonObject>localConsumer(dev.vxext.whereis.WhereIs.MEMBERSHIP_ADDRESS, m -> {
      dev.vxext.cluster.MembershipEvent e = dev.vxext.cluster.MembershipEvent.fromJson(m.body());
      if (e.type() == dev.vxext.cluster.MembershipEvent.Type.LEFT && e.node().equals(victim.name())) {
        left.compareAndSet(-1, System.currentTimeMillis());
      }
    });
    java.util.concurrent.atomic.AtomicLong fenced = new java.util.concurrent.atomic.AtomicLong(-1);
    victim.vertx().setPeriodic(5, t -> {
      if (fenced.get() < 0 && victim.addressBook().localProcesses().stream().noneMatch(p -> DAEMONS.contains(p.name()))) {
        fenced.set(System.currentTimeMillis());
      }
    });

    long cut = System.currentTimeMillis();
    zkProxies.get(victim.name()).blackhole();
    Awaits.untilNone(REPLACED, "the cut node's daemons running elsewhere", () -> {
      List<String> p = new ArrayList<>();
      for (String d : DAEMONS) {
        var live = DaemonWorker.LIVE.get(d);
        if (live == null || live.get() != 1) p.add(d + " runs " + (live == null ? 0 : live.get()) + " times");
        try {
          String at = await(leader.locate(d));
          if (at.equals(victim.name())) p.add(d + " still on " + at);
        } catch (RuntimeException e) {
          p.add(d + ": " + e.getMessage());
        }
      }
      if (left.get() < 0) p.add("not counted gone yet");
      return p;
    });
    System.out.printf("ZK-CUT %s: stopped its daemons %d ms after the cut, the leader counted it gone %d ms after the cut"
      + " (session %d ms)%n", victim.name(), fenced.get() - cut, left.get() - cut, ClusterFixture.SESSION_TIMEOUT);
    assertThat(fenced.get()).as("the cut node stopped its daemons").isPositive();
    assertThat(fenced.get()).as("it stopped them before the cluster counted it gone").isLessThan(left.get());
    assertThat(DaemonWorker.maxConcurrent()).as("a daemon ran twice at some moment").isEqualTo(1);
    zkProxies.get(victim.name()).heal();
    Awaits.untilNone(Duration.ofSeconds(40), "whole again after the heal", () -> {
      List<String> p = new ArrayList<>(ClusterChecks.membersAndLeader(nodes));
      p.addAll(ClusterChecks.daemonsOnceAndCallable(nodes, DAEMONS));
      return p;
    });
  }
}
