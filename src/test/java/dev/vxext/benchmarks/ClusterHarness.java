package dev.vxext.benchmarks;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.cluster.impl.FanOutClusterManager;
import dev.vxext.fault.FaultNode;
import dev.vxext.impl.ZookeeperConfig;
import dev.vxext.process.ProcessVerticle;
import dev.vxext.testing.Blocking;
import dev.vxext.testing.ChildJvm;
import dev.vxext.whereis.WhereIs;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;
import org.apache.curator.test.TestingServer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The cluster harness of issue 7 (run by {@code bench/cluster.sh}; not a test): a real ZooKeeper
 * ({@code TestingServer}, started here) and node JVMs on loopback; every figure is put next to a raw
 * event-bus baseline measured in the same run.
 * <p>
 * Phases (argument {@code phases=zk,hz,failover}):
 * <ul>
 *   <li>{@code zk} and {@code hz}: node-1 in this JVM (the driver) and node-2..node-N in child JVMs
 *   ({@link BenchNode}), on ZooKeeper or Hazelcast. node-2 runs the process {@code echo} and a plain
 *   consumer {@code raw.echo}; node-N runs {@code names} processes {@code dir-*} and put each one's id into
 *   a cluster-wide AsyncMap. From node-1, interleaved in blocks: raw request to {@code raw.echo}, {@code call("echo")},
 *   {@code locate} of a name whose directory owners exclude node-1 (hit: answered by a remote owner),
 *   {@code locate} of an unregistered name whose owners exclude node-1 (miss: 404 after the owners'
 *   round trip), and {@code AsyncMap.get} of the same names (on Hazelcast only keys whose partition is
 *   owned by another member). Then throughput with {@code inflight} requests in flight.</li>
 *   <li>{@code failover}: {@code runs} alternations of (a) Vert.x HA: 3 {@link BenchNode} {@code ha} JVMs,
 *   the verticle {@link BenchNode.HaBeat} deployed with {@code setHa(true)} on ha-1, kill -9 of ha-1, time
 *   to its first heartbeat from another node; (b) ours: 3 {@link FaultNode} JVMs with 12 daemons
 *   (default {@code settleDelay} and {@code failoverDelay}, keys {@code settle} and {@code failover}), kill -9 of the non-leader running most daemons, time to each moved
 *   daemon's first heartbeat elsewhere. Same ZooKeeper, session timeout 4000 ms.</li>
 * </ul>
 * Prints Markdown tables; exits 0, or 1 when a phase failed.
 */
public final class ClusterHarness {

  static {
    System.setProperty("hazelcast.logging.type", "slf4j");
    System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "error");
    System.setProperty("hazelcast.wait.seconds.before.join", "1");
  }

  private static final long STEP_TIMEOUT_MS = 120_000;
  private static final Duration READY_WAIT = Duration.ofSeconds(90);
  private static final int DAEMONS = 12;
  /** {@code settleDelay} of our daemon nodes in the failover phase (key {@code settle}, default: the default). */
  private final long settleDelay;
  /** {@code failoverDelay} of our daemon nodes in the failover phase (key {@code failover}, default: the default). */
  private final long failoverDelay;
  /**
   * Which of our nodes the failover phase kills (key {@code kill}): {@code follower} (default: the non-leader
   * running most daemons) or {@code leader} (the node JVM that leads; the observer then joins last, so it
   * does not lead).
   */
  private final boolean killLeader;

  private final Map<String, String> conf;
  private final int nodes;
  private final int names;
  private final int samples;
  private final int block;
  private final int warmup;
  private final int requests;
  private final int inflight;
  private final int runs;
  private final List<ChildJvm> children = new ArrayList<>();
  private TestingServer zookeeper;
  /** ZooKeeper session timeout of every node (key {@code session}), ms. */
  private final long sessionTimeout;
  /** p50 (µs) of the directory reads, per label, for the summary table. */
  private final Map<String, double[]> directory = new LinkedHashMap<>();

  private ClusterHarness(Map<String, String> conf) {
    this.conf = conf;
    this.nodes = Math.max(3, Integer.parseInt(conf.getOrDefault("nodes", "3")));
    this.names = Integer.parseInt(conf.getOrDefault("names", "200"));
    this.samples = Integer.parseInt(conf.getOrDefault("samples", "3000"));
    this.block = Integer.parseInt(conf.getOrDefault("block", "100"));
    this.warmup = Integer.parseInt(conf.getOrDefault("warmup", "2000"));
    this.requests = Integer.parseInt(conf.getOrDefault("requests", "50000"));
    this.inflight = Integer.parseInt(conf.getOrDefault("inflight", "64"));
    this.runs = Integer.parseInt(conf.getOrDefault("runs", "3"));
    this.settleDelay = Long.parseLong(conf.getOrDefault("settle", String.valueOf(NodeOptions.DEFAULT_SETTLE_DELAY)));
    this.sessionTimeout = Long.parseLong(conf.getOrDefault("session", String.valueOf(BenchNode.SESSION_TIMEOUT)));
    this.failoverDelay = Long.parseLong(conf.getOrDefault("failover", String.valueOf(NodeOptions.DEFAULT_FAILOVER_DELAY)));
    String kill = conf.getOrDefault("kill", "follower");
    if (!kill.equals("follower") && !kill.equals("leader")) {
      throw new IllegalArgumentException("kill must be follower or leader, not '" + kill + "'");
    }
    this.killLeader = kill.equals("leader");
  }

  /** Arguments {@code key=value}: nodes, names, samples, block, warmup, requests, inflight, runs, phases. */
  public static void main(String[] args) {
    Map<String, String> conf = new HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq < 0) {
        System.err.println("usage: ClusterHarness [key=value...]");
        System.exit(2);
      }
      conf.put(a.substring(0, eq), a.substring(eq + 1));
    }
    ClusterHarness h = new ClusterHarness(conf);
    Runtime.getRuntime().addShutdownHook(new Thread(h::killChildren, "harness-shutdown"));
    int code = 0;
    try {
      h.run();
    } catch (Throwable t) {
      System.err.println("ClusterHarness failed: " + t);
      t.printStackTrace();
      code = 1;
    }
    h.killChildren();
    if (h.zookeeper != null) {
      try {
        h.zookeeper.close();
      } catch (Exception ignored) {
        // exiting
      }
    }
    System.out.flush();
    System.exit(code);
  }

  private void run() throws Exception {
    zookeeper = new TestingServer(true);
    List<String> phases = List.of(conf.getOrDefault("phases", "zk,hz,failover").split(","));
    System.out.printf("# Cluster harness%n%n%d cores, %s %s; ZooKeeper: curator-test TestingServer in the harness JVM; "
        + "%d nodes (node-1 = driver in the harness JVM, node-2..node-%d in child JVMs), loopback.%n%n",
      Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"), System.getProperty("java.version"),
      nodes, nodes);
    for (String phase : phases) {
      switch (phase) {
        case "zk", "hz" -> latency(phase);
        case "failover" -> failover();
        default -> throw new IllegalArgumentException("unknown phase " + phase);
      }
    }
    if (!directory.isEmpty()) {
      System.out.println("## Directory read from a non-owner node: summary");
      System.out.println();
      System.out.println("| read | p50 (µs) | p99 (µs) | p50 / raw RTT of the same cluster |");
      System.out.println("| --- | ---: | ---: | ---: |");
      directory.forEach((k, v) -> System.out.printf("| %s | %.0f | %.0f | %.2f× |%n", k, v[0], v[1], v[0] / v[2]));
      System.out.println();
    }
  }

  // ---------------------------------------------------------------- latency phases

  private void latency(String cm) throws Exception {
    long pid = ProcessHandle.current().pid();
    String root = "vxext-bench-" + cm + "-" + pid + "-" + System.currentTimeMillis();
    int hzPort = 20_000 + (int) (pid % 20_000);
    String zk = zookeeper.getConnectString();
    ClusterNode n1 = await(ClusterNode.start(BenchNode.nodeOptions(cm, "node-1", zk, root, hzPort)));
    List<ChildJvm> started = new ArrayList<>();
    try {
      for (int i = 2; i <= nodes; i++) {
        started.add(startChild(List.of(BenchNode.class.getName(), "node", cm, "node-" + i, zk, root, String.valueOf(hzPort),
          String.valueOf(i == 2), String.valueOf(i == nodes ? names : 0))));
      }
      for (ChildJvm c : started) {
        awaitLine(c, "READY ", READY_WAIT);
      }
      waitUntil(Duration.ofSeconds(60), () -> n1.addressBook().availableNodes().size() == nodes, "node-1 sees " + nodes + " nodes");
      List<String> hit = new ArrayList<>();
      List<String> miss = new ArrayList<>();
      for (int i = 0; i < names; i++) {
        if (!n1.addressBook().owners(BenchNode.dirName(i)).contains(n1.name())) {
          hit.add(BenchNode.dirName(i));
        }
      }
      for (int i = 0; miss.size() < hit.size(); i++) {
        if (!n1.addressBook().owners("miss-" + i).contains(n1.name())) {
          miss.add("miss-" + i);
        }
      }
      waitUntil(Duration.ofSeconds(60), () -> {
        try {
          if (!"node-2".equals(await(n1.locate("echo")))) return false;
          for (String h : hit) {
            await(n1.locate(h));
          }
          return true;
        } catch (RuntimeException e) {
          return false;
        }
      }, "every name locatable from node-1");
      AsyncMap<String, JsonObject> map = await(n1.vertx().sharedData().getAsyncMap(BenchNode.DIRECTORY_MAP));
      List<String> mapKeys = new ArrayList<>(hit);
      HazelcastInstance hz = hazelcast(n1.vertx());
      if (hz != null) {
        mapKeys.removeIf(k -> hz.getPartitionService().getPartition(k).getOwner().localMember());
      }
      for (String k : mapKeys) {
        if (await(map.get(k)) == null) {
          throw new IllegalStateException("AsyncMap has no value for " + k);
        }
      }

      List<Context> senders = BenchSupport.senders(n1.vertx(), BenchSupport.SENDERS);
      JsonObject body = new JsonObject().put("op", "ping").put("payload", "0123456789abcdef");
      String[] hitA = hit.toArray(String[]::new);
      String[] missA = miss.toArray(String[]::new);
      String[] keyA = mapKeys.toArray(String[]::new);
      Map<String, Function<Integer, Future<?>>> ops = new LinkedHashMap<>();
      ops.put("raw", i -> n1.vertx().eventBus().request(BenchNode.RAW_ADDRESS, body));
      ops.put("call", i -> n1.call("echo", body));
      ops.put("locate hit", i -> n1.locate(hitA[i % hitA.length]));
      ops.put("locate miss", i -> n1.locate(missA[i % missA.length]).transform(ar -> ar.failed() && WhereIs.hasCode(ar.cause(), WhereIs.NOT_FOUND)
        ? Future.succeededFuture() : ar.succeeded() ? Future.failedFuture("found " + ar.result()) : Future.failedFuture(ar.cause())));
      ops.put("map get", i -> map.get(keyA[i % keyA.length]).compose(v -> v == null ? Future.failedFuture("null") : Future.succeededFuture(v)));

      for (Function<Integer, Future<?>> op : ops.values()) {
        await(BenchSupport.warmUp(senders, op, warmup / senders.size()));
      }
      Map<String, long[]> lat = new LinkedHashMap<>();
      ops.keySet().forEach(k -> lat.put(k, new long[samples - samples % block]));
      for (int b = 0; b < samples / block; b++) {
        for (Map.Entry<String, Function<Integer, Future<?>>> e : ops.entrySet()) {
          await(BenchSupport.sequential(senders.get(b % senders.size()), e.getValue(), block, lat.get(e.getKey()), b * block));
        }
      }
      Map<String, double[]> tput = new LinkedHashMap<>();
      List<String> tputOps = List.of("raw", "call", "locate hit", "map get");
      tputOps.forEach(k -> tput.put(k, new double[2]));
      for (int round = 0; round < 2; round++) {
        for (String k : tputOps) {
          tput.get(k)[round] = await(BenchSupport.throughput(senders, ops.get(k), requests, inflight));
        }
      }
      lat.values().forEach(Arrays::sort);
      double rawP50 = us(Blocking.percentile(lat.get("raw"), 0.50));
      double rawP99 = us(Blocking.percentile(lat.get("raw"), 0.99));
      double rawT = mean(tput.get("raw"));
      String mapLabel = cm.equals("hz") ? "Hazelcast `IMap` via `getAsyncMap(...).get`" : "ZooKeeper `getAsyncMap(...).get` (vertx-zookeeper)";
      Map<String, String> labels = Map.of(
        "raw", "raw `eventBus().request(\"raw.echo\")` node-1 → node-2",
        "call", "`node.call(\"echo\")` node-1 → node-2",
        "locate hit", "`node.locate` hit (" + hitA.length + " names on node-" + nodes + ", owners exclude node-1)",
        "locate miss", "`node.locate` miss → 404 (owners exclude node-1)",
        "map get", mapLabel + " (" + keyA.length + " keys, non-owner)");
      System.out.printf("## %s: %d nodes, from node-1%n%n", cm.equals("hz") ? "Hazelcast" : "ZooKeeper", nodes);
      System.out.printf("%d warm-up each, then %d sequential round trips each, interleaved in blocks of %d, each block from the next of %d sender contexts (one per event loop); throughput: "
        + "%,d requests with %d in flight spread over them, 2 alternating rounds (mean). Root `%s`.%n%n", warmup, samples, block,
        BenchSupport.SENDERS, requests, inflight, root);
      System.out.println("| measurement | p50 (µs) | p99 (µs) | throughput (req/s) | p50 / raw | p99 / raw | throughput / raw |");
      System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
      for (String k : ops.keySet()) {
        double p50 = us(Blocking.percentile(lat.get(k), 0.50));
        double p99 = us(Blocking.percentile(lat.get(k), 0.99));
        double[] t = tput.get(k);
        System.out.printf("| %s | %.0f | %.0f | %s | %.2f× | %.2f× | %s |%n", labels.get(k), p50, p99,
          t == null ? "–" : String.format("%,.0f (%,.0f / %,.0f)", mean(t), t[0], t[1]), p50 / rawP50, p99 / rawP99,
          t == null ? "–" : String.format("%.2f×", mean(t) / rawT));
      }
      System.out.println();
      String name = cm.equals("hz") ? "Hazelcast" : "ZooKeeper";
      directory.put("our `locate` (remote owner), " + name, new double[]{us(Blocking.percentile(lat.get("locate hit"), 0.5)),
        us(Blocking.percentile(lat.get("locate hit"), 0.99)), rawP50});
      directory.put(mapLabel, new double[]{us(Blocking.percentile(lat.get("map get"), 0.5)),
        us(Blocking.percentile(lat.get("map get"), 0.99)), rawP50});
      System.out.flush();
    } finally {
      for (ChildJvm c : started) {
        c.close();
        children.remove(c);
      }
      try {
        Blocking.await(n1.close(), 20_000);
      } catch (RuntimeException e) {
        System.err.println("warning: closing node-1: " + e);
      }
    }
  }

  private static HazelcastInstance hazelcast(Vertx vertx) {
    ClusterManager cm = ((VertxInternal) vertx).clusterManager();
    if (cm instanceof FanOutClusterManager f) {
      cm = f.delegate();
    }
    return cm instanceof HazelcastClusterManager h ? h.getHazelcastInstance() : null;
  }

  // ---------------------------------------------------------------- failover phase

  private void failover() throws Exception {
    List<Long> ha = new ArrayList<>();
    List<long[]> ours = new ArrayList<>();
    for (int r = 1; r <= runs; r++) {
      ha.add(haRun(r));
      ours.add(daemonRun(r));
      System.out.printf("failover run %d: Vert.x HA %d ms; ours max %d ms, median %d ms (%d daemons moved)%n",
        r, ha.get(r - 1), ours.get(r - 1)[0], ours.get(r - 1)[1], ours.get(r - 1)[2]);
      System.out.flush();
    }
    System.out.println();
    System.out.printf("## Failover after kill -9: Vert.x HA vs our daemons (same ZooKeeper, sessionTimeout %d ms, our settleDelay %d ms, failoverDelay %d ms; we kill the %s)%n%n",
      sessionTimeout, settleDelay, failoverDelay, killLeader ? "leader" : "follower running most daemons");
    System.out.println("| run | Vert.x HA verticle (ms) | our daemons: max (ms) | our daemons: median (ms) | moved | ours max / HA |");
    System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: |");
    for (int r = 0; r < runs; r++) {
      long[] o = ours.get(r);
      System.out.printf("| %d | %d | %d | %d | %d | %.2f× |%n", r + 1, ha.get(r), o[0], o[1], o[2], o[0] / (double) ha.get(r));
    }
    long[] haSorted = ha.stream().mapToLong(Long::longValue).sorted().toArray();
    long[] oursSorted = ours.stream().mapToLong(o -> o[0]).sorted().toArray();
    System.out.printf("| median | %d | %d | | | %.2f× |%n%n", haSorted[haSorted.length / 2], oursSorted[oursSorted.length / 2],
      oursSorted[oursSorted.length / 2] / (double) haSorted[haSorted.length / 2]);
  }

  /** @return ms from the kill -9 of ha-1 to the HA verticle's first heartbeat from another node */
  private long haRun(int run) throws Exception {
    String root = "vxext-bench-ha-" + ProcessHandle.current().pid() + "-" + run + "-" + System.currentTimeMillis();
    String zk = zookeeper.getConnectString();
    NodeOptions o = new NodeOptions().setNodeName("ha-observer").setZookeeperHosts(zk).setZookeeperRootPath(root)
      .setSessionTimeout(sessionTimeout);
    VertxOptions vo = new VertxOptions();
    vo.getEventBusOptions().setHost("127.0.0.1");
    Vertx observer = await(Vertx.builder().with(vo).withClusterManager(new ZookeeperClusterManager(ZookeeperConfig.of(o))).buildClustered());
    Map<String, Long> first = new ConcurrentHashMap<>();
    long[] killedAt = {Long.MAX_VALUE};
    await(observer.eventBus().<JsonObject>consumer(BenchNode.HA_BEAT_ADDRESS, m -> {
      long now = System.currentTimeMillis();
      String node = m.body().getString("node");
      if (now > killedAt[0]) {
        first.putIfAbsent(node, now);
      } else {
        first.putIfAbsent("before:" + node, now);
      }
    }).completion());
    List<ChildJvm> started = new ArrayList<>();
    try {
      for (int i = 1; i <= 3; i++) {
        started.add(startChild(List.of(BenchNode.class.getName(), "ha", "ha-" + i, zk, root,
          String.valueOf(sessionTimeout), String.valueOf(i == 1))));
      }
      for (ChildJvm c : started) {
        awaitLine(c, "READY ", READY_WAIT);
      }
      waitUntil(Duration.ofSeconds(30), () -> first.containsKey("before:ha-1"), "heartbeats from ha-1");
      Thread.sleep(1_000); // let the HA info of every node settle in the cluster map
      killedAt[0] = System.currentTimeMillis();
      started.get(0).kill();
      waitUntil(Duration.ofSeconds(40), () -> first.keySet().stream().anyMatch(k -> !k.startsWith("before:") && !k.equals("ha-1")),
        "the HA verticle heartbeating from another node");
      return first.entrySet().stream().filter(e -> !e.getKey().startsWith("before:") && !e.getKey().equals("ha-1"))
        .mapToLong(Map.Entry::getValue).min().orElseThrow() - killedAt[0];
    } finally {
      for (ChildJvm c : started) {
        c.close();
        children.remove(c);
      }
      try {
        Blocking.await(observer.close(), 20_000);
      } catch (RuntimeException e) {
        System.err.println("warning: closing the HA observer: " + e);
      }
    }
  }

  /** Records daemon heartbeats: name → last node, and (name, node) → first beat time. */
  static final class Monitor extends ProcessVerticle {
    static final Map<String, String> LAST_NODE = new ConcurrentHashMap<>();
    static final Map<String, Long> LAST_AT = new ConcurrentHashMap<>();
    static final Map<String, Long> FIRST = new ConcurrentHashMap<>();

    @Override
    protected void handle(Message<Object> message) {
      // the fault nodes' cron ticks come here too: only heartbeats (with a daemon name) count
      if (message.body() instanceof JsonObject beat && beat.getString("name") != null) {
        long now = System.currentTimeMillis();
        String name = beat.getString("name");
        String node = beat.getString("node");
        LAST_NODE.put(name, node);
        LAST_AT.put(name, now);
        FIRST.putIfAbsent(name + "@" + node, now);
      }
      message.reply(null);
    }
  }

  /** @return {max, median, moved}: ms from the kill -9 to each moved daemon's first heartbeat elsewhere */
  private long[] daemonRun(int run) throws Exception {
    String root = "vxext-bench-daemons-" + ProcessHandle.current().pid() + "-" + run + "-" + System.currentTimeMillis();
    String zk = zookeeper.getConnectString();
    Monitor.LAST_NODE.clear();
    Monitor.LAST_AT.clear();
    Monitor.FIRST.clear();
    // the observer starts first and usually leads: it must use the same settleDelay as the fault nodes
    // (it used the 2000 ms default before, which made every run measure that instead of `settle`)
    Supplier<ClusterNode> startObserver = () -> {
      ClusterNode o = await(ClusterNode.start(new NodeOptions().setNodeName("observer").setZookeeperHosts(zk)
        .setZookeeperRootPath(root).setSessionTimeout(sessionTimeout).setClusterHost("127.0.0.1")
        .setSettleDelay(settleDelay).setFailoverDelay(failoverDelay)));
      await(o.register(FaultNode.MONITOR, Monitor::new, new DeploymentOptions()));
      return o;
    };
    // the observer starts first (and usually leads) when a follower is killed; last when the leader is
    ClusterNode observer = killLeader ? null : startObserver.get();
    Map<String, ChildJvm> started = new LinkedHashMap<>();
    try {
      for (String n : List.of("fault-a", "fault-b", "fault-c")) {
        started.put(n, startChild(List.of(FaultNode.class.getName(), n, zk, root, String.valueOf(sessionTimeout),
          String.valueOf(settleDelay), String.valueOf(DAEMONS), "observer", String.valueOf(failoverDelay))));
      }
      for (ChildJvm c : started.values()) {
        awaitLine(c, "READY ", READY_WAIT);
      }
      if (observer == null) {
        observer = startObserver.get();
      }
      // every daemon heartbeating, and its node unchanged for 2 s (placement settled)
      Map<String, String> snapshot = new HashMap<>();
      long[] stableSince = {System.currentTimeMillis()};
      waitUntil(Duration.ofSeconds(60), () -> {
        long now = System.currentTimeMillis();
        boolean all = Monitor.LAST_NODE.size() == DAEMONS && Monitor.LAST_AT.values().stream().allMatch(t -> now - t < 500);
        Map<String, String> current = new HashMap<>(Monitor.LAST_NODE);
        if (!all || !current.equals(snapshot)) {
          snapshot.clear();
          snapshot.putAll(current);
          stableSince[0] = now;
          return false;
        }
        return now - stableSince[0] > 2_000;
      }, "all daemons heartbeating, placement stable");
      String victim = null;
      int most = -1;
      for (Map.Entry<String, ChildJvm> e : started.entrySet()) {
        if (leads(e.getValue(), e.getKey()) != killLeader) {
          continue;
        }
        String node = e.getKey();
        int count = (int) snapshot.values().stream().filter(node::equals).count();
        if (count > most) {
          most = count;
          victim = node;
        }
      }
      if (victim == null) {
        throw new IllegalStateException("no node JVM to kill: " + (killLeader ? "none leads" : "every one leads"));
      }
      String v = victim;
      List<String> moved = snapshot.entrySet().stream().filter(e -> e.getValue().equals(v)).map(Map.Entry::getKey).sorted().toList();
      long killedAt = System.currentTimeMillis();
      started.get(victim).kill();
      Supplier<long[]> times = () -> moved.stream().mapToLong(d -> Monitor.FIRST.entrySet().stream()
          .filter(e -> e.getKey().startsWith(d + "@") && !e.getKey().equals(d + "@" + v) && e.getValue() > killedAt)
          .mapToLong(Map.Entry::getValue).min().orElse(-1))
        .toArray();
      waitUntil(Duration.ofSeconds(40), () -> Arrays.stream(times.get()).allMatch(t -> t > 0), "moved daemons heartbeating elsewhere");
      long[] t = Arrays.stream(times.get()).map(x -> x - killedAt).sorted().toArray();
      return new long[]{t[t.length - 1], t[(t.length - 1) / 2], t.length};
    } finally {
      for (Map.Entry<String, ChildJvm> e : started.entrySet()) {
        // the node logs of the run, for reading what a failover spent its time on
        java.nio.file.Path log = java.nio.file.Path.of("target", "cluster-bench-failover-" + run + "-" + e.getKey() + ".log");
        try {
          java.nio.file.Files.write(log, e.getValue().stderr());
        } catch (java.io.IOException ex) {
          System.err.println("warning: cannot write " + log + ": " + ex);
        }
      }
      for (ChildJvm c : started.values()) {
        c.close();
        children.remove(c);
      }
      try {
        if (observer != null) Blocking.await(observer.close(), 20_000);
      } catch (RuntimeException e) {
        System.err.println("warning: closing the observer: " + e);
      }
    }
  }

  private static boolean leads(ChildJvm c, String name) {
    List<String> lines = c.stdout();
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (lines.get(i).startsWith("LEADERSHIP " + name + " ")) {
        return lines.get(i).endsWith(" true");
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- child JVMs

  private ChildJvm startChild(List<String> mainAndArgs) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-Dhazelcast.logging.type=slf4j", "-Dorg.slf4j.simpleLogger.log.com.hazelcast=error",
      "-Dhazelcast.wait.seconds.before.join=1", "-Dorg.slf4j.simpleLogger.log.dev.vxext=info",
      "-Dorg.slf4j.simpleLogger.log.dev.vxext.daemon.impl.DaemonRecovery=debug",
      "-cp", System.getProperty("java.class.path")));
    cmd.addAll(mainAndArgs);
    ChildJvm c = ChildJvm.start(cmd, Map.of());
    children.add(c);
    return c;
  }

  private static void awaitLine(ChildJvm c, String prefix, Duration atMost) throws InterruptedException {
    long deadline = System.currentTimeMillis() + atMost.toMillis();
    while (!c.printed(prefix)) {
      if (!c.alive()) {
        throw new IllegalStateException("child exited before '" + prefix + "'; stderr tail " + tail(c.stderr()));
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("child did not print '" + prefix + "' within " + atMost + "; stderr tail " + tail(c.stderr()));
      }
      Thread.sleep(20);
    }
  }

  private static List<String> tail(List<String> lines) {
    return lines.subList(Math.max(0, lines.size() - 20), lines.size());
  }

  private void killChildren() {
    for (ChildJvm c : List.copyOf(children)) {
      try {
        c.close();
      } catch (Exception ignored) {
        // best effort
      }
    }
    children.clear();
  }

  // ---------------------------------------------------------------- measurement loops

  private static void waitUntil(Duration atMost, BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + atMost.toMillis();
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("timed out after " + atMost + " waiting for: " + what);
      }
      Thread.sleep(10);
    }
  }

  private static double mean(double[] v) {
    return Arrays.stream(v).average().orElse(Double.NaN);
  }

  private static double us(long nanos) {
    return nanos / 1e3;
  }

  private static <T> T await(Future<T> future) {
    return Blocking.await(future, STEP_TIMEOUT_MS);
  }
}
