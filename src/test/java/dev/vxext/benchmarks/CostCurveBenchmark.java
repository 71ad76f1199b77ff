package dev.vxext.benchmarks;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.addressbook.impl.HashRing;
import dev.vxext.daemon.DaemonProcess;
import dev.vxext.daemon.DaemonReconciliation;
import dev.vxext.daemon.DaemonScanners;
import dev.vxext.daemon.Launcher;
import dev.vxext.metrics.MetricNames;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.Blocking;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.apache.curator.test.TestingServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * How cost grows (issue #19 part 3): one point of a cost curve, {@code P} processes registered over {@code K}
 * clustered nodes, all in this JVM, ZooKeeper in its own JVM ({@code -Dvxext.bench.zk=host:port}, as
 * {@code bench/cost-curves.sh} runs it) or else embedded ({@code TestingServer}), default timings
 * ({@code syncInterval} 3000 ms, 2 directory replicas). The same harness as {@link ScaleBenchmark}, plus:
 * <ul>
 *   <li>ring rebuild: {@code HashRing.of} over the K member names (median of repeated builds);</li>
 *   <li>heap per registered process, and against as many plain deployments (the extensions' share); 1000
 *   registrations made first and kept, before the first heap reading, so one-time costs are not counted;</li>
 *   <li>register throughput (P registrations round robin, 256 in flight) and the time until every owner
 *   holds every entry;</li>
 *   <li>convergence: {@value #CONV_SAMPLES} sequential registrations with P already registered, register done
 *   → locatable from all K nodes (as {@link ConvergenceBenchmark}), p50/p99;</li>
 *   <li>idle cost over a {@value #IDLE_SECONDS} s window: sync bytes and messages per node (the digests),
 *   process CPU per node per sync interval (digests + the registry inspection + ZooKeeper pings), and
 *   ZooKeeper requests/s (from {@code mntr});</li>
 *   <li>anti-entropy digest cost: bytes per digest message, and the full recompute one node does when
 *   the ring changes (every local entry: owners on the ring, the XOR digest of each owner's slice),
 *   timed on a synthetic copy of one node's share;</li>
 *   <li>node K+1 joins: start → its share complete, and the re-homing bytes;</li>
 *   <li>leader scan of {@value #DAEMONS} daemons: a launcher declaring them is added on every node; the time
 *   until all run, then the duration of steady reconciliations (all found running);</li>
 *   <li>ZooKeeper: znodes, ephemerals, watches and connections (from {@code mntr}).</li>
 * </ul>
 * Arguments: {@code K P [csv] [baseline=true|false]}. Prints a summary and appends one CSV line (header
 * first when the file is new) to {@code csv} (default {@code target/cost-curves.csv}).
 */
public final class CostCurveBenchmark {

  private static final int IN_FLIGHT = 256;
  private static final long STEP_TIMEOUT_MS = 900_000;
  private static final int CONV_WARMUP = 20;
  private static final int CONV_SAMPLES = 200;
  private static final int IDLE_SECONDS = 30;
  private static final int DAEMONS = 1000;
  private static final int STEADY_SCANS = 3;
  /** Registrations made before the first heap reading (names p-N … p-(N+999)), so one-time costs are not counted per entry. */
  private static final int WARM_REGISTRATIONS = 1000;

  private final List<ClusterNode> nodes = new ArrayList<>();
  private final List<Context> contexts = new ArrayList<>();
  private final Map<String, Object> out = new LinkedHashMap<>();
  private TestingServer zookeeper;
  /** ZooKeeper's host:port: {@code -Dvxext.bench.zk} (a server in its own JVM), else an embedded one. */
  private String zkConnect;
  private String root;

  private CostCurveBenchmark() {
  }

  public static void main(String[] args) {
    int k = args.length > 0 ? Integer.parseInt(args[0].trim()) : 5;
    int p = args.length > 1 ? Integer.parseInt(args[1].trim()) : 10_000;
    Path csv = Path.of(args.length > 2 && !args[2].isBlank() ? args[2] : "target/cost-curves.csv");
    boolean baseline = args.length <= 3 || Boolean.parseBoolean(args[3].trim());
    System.setProperty("zookeeper.4lw.commands.whitelist", "*");
    CostCurveBenchmark bench = new CostCurveBenchmark();
    int code = 0;
    try {
      bench.run(k, p, baseline);
      bench.write(csv);
    } catch (Throwable t) {
      t.printStackTrace();
      code = 1;
    }
    BenchSupport.closeQuietly(bench.nodes, bench.zookeeper);
    System.out.flush();
    System.exit(code);
  }

  private ClusterNode start(String name) {
    NodeOptions o = new NodeOptions().setNodeName(name).setZookeeperHosts(zkConnect)
      .setZookeeperRootPath(root).setSessionTimeout(10_000).setRequestTimeout(30_000);
    ClusterNode node = Blocking.await(ClusterNode.start(o), 120_000);
    nodes.add(node);
    contexts.add(node.vertx().getOrCreateContext());
    return node;
  }

  private void run(int k, int n, boolean baseline) throws Exception {
    long replicas = NodeOptions.DEFAULT_DIRECTORY_REPLICAS;
    out.put("nodes", k);
    out.put("processes", n);
    out.put("cores", Runtime.getRuntime().availableProcessors());
    out.put("xmx_mb", Runtime.getRuntime().maxMemory() >> 20);
    zkConnect = System.getProperty("vxext.bench.zk", "");
    if (zkConnect.isBlank()) {
      zookeeper = new TestingServer(true);
      zkConnect = zookeeper.getConnectString();
    }
    out.put("zk", zookeeper == null ? "own-jvm" : "embedded");
    root = "vxext-bench-cost-" + ProcessHandle.current().pid();
    long s0 = System.nanoTime();
    for (int i = 1; i <= k; i++) {
      start("node-" + i);
    }
    BenchSupport.waitFor(STEP_TIMEOUT_MS, k + " nodes see each other", () -> nodes.stream().allMatch(x -> x.addressBook().availableNodes().size() == k));
    out.put("start_ms", (System.nanoTime() - s0) / 1_000_000);
    log("%d nodes up", k);

    // ring rebuild over k members
    List<String> members = new ArrayList<>();
    for (int i = 1; i <= k; i++) members.add("node-" + i);
    out.put("ring_rebuild_us", ringRebuildMicros(members));

    // warm-up (classes, pools, lazily built structures), so the first heap reading is not above the later ones
    List<String> warm = new ArrayList<>();
    BenchSupport.deployAll(Math.min(n, 5000), IN_FLIGHT, i -> nodes.get(i % k).vertx().deployVerticle(new ScaleBenchmark.Plain("warm-" + i))
      .onSuccess(id -> {
        synchronized (warm) {
          warm.add((i % k) + "/" + id);
        }
      }).mapEmpty());
    BenchSupport.deployAll(warm.size(), IN_FLIGHT, i -> {
      String[] parts = warm.get(i).split("/", 2);
      return nodes.get(Integer.parseInt(parts[0])).vertx().undeploy(parts[1]);
    });
    // warm-up registrations, kept: the first heap reading includes what the first registrations create once
    BenchSupport.deployAll(WARM_REGISTRATIONS, IN_FLIGHT, i -> nodes.get(i % k).register("p-" + (n + i), ScaleBenchmark.Idle::new, new DeploymentOptions()).mapEmpty());
    BenchSupport.waitFor(STEP_TIMEOUT_MS, "every owner holds the warm-up entries", () -> BenchSupport.directoryTotal(nodes) == WARM_REGISTRATIONS * replicas);
    long empty = BenchSupport.heapAfterGc();
    if (baseline) {
      List<String> plainIds = new ArrayList<>(n);
      long t0 = System.nanoTime();
      BenchSupport.deployAll(n, IN_FLIGHT, i -> {
        ClusterNode node = nodes.get(i % k);
        return node.vertx().deployVerticle(new ScaleBenchmark.Plain("plain-" + i)).onSuccess(id -> {
          synchronized (plainIds) {
            plainIds.add(node.name() + "/" + id);
          }
        }).mapEmpty();
      });
      long plainMs = (System.nanoTime() - t0) / 1_000_000;
      long plainHeap = BenchSupport.heapAfterGc() - empty;
      out.put("plain_deploy_ms", plainMs);
      out.put("plain_heap_per_entry", plainHeap / (double) n);
      Map<String, ClusterNode> byName = new HashMap<>();
      nodes.forEach(x -> byName.put(x.name(), x));
      BenchSupport.deployAll(plainIds.size(), IN_FLIGHT, i -> {
        String[] parts = plainIds.get(i).split("/", 2);
        return byName.get(parts[0]).vertx().undeploy(parts[1]);
      });
      plainIds.clear();
      empty = BenchSupport.heapAfterGc();
      log("baseline: %d plain deployments in %d ms, %.0f B each", n, plainMs, plainHeap / (double) n);
    }

    // n registered processes
    Map<String, Long> zkBefore = mntr();
    long t0 = System.nanoTime();
    BenchSupport.deployAll(n, IN_FLIGHT, i -> nodes.get(i % k).register("p-" + i, ScaleBenchmark.Idle::new, new DeploymentOptions()).mapEmpty());
    long registerMs = (System.nanoTime() - t0) / 1_000_000;
    BenchSupport.waitFor(STEP_TIMEOUT_MS, "every owner holds every entry", () -> BenchSupport.directoryTotal(nodes) == (long) (n + WARM_REGISTRATIONS) * replicas);
    long convergedMs = (System.nanoTime() - t0) / 1_000_000;
    long registeredHeap = BenchSupport.heapAfterGc() - empty;
    out.put("register_ms", registerMs);
    out.put("register_per_s", n * 1000.0 / registerMs);
    out.put("all_owners_ms", convergedMs);
    out.put("heap_per_entry", registeredHeap / (double) n);
    if (out.containsKey("plain_heap_per_entry")) {
      out.put("ext_heap_per_entry", registeredHeap / (double) n - (double) out.get("plain_heap_per_entry"));
    }
    out.put("heap_mb", registeredHeap / 1e6);
    out.put("zk_writes_registering", zkWrites(mntr()) - zkWrites(zkBefore));
    log("registered %d in %d ms (%.0f/s), %.0f B heap each", n, registerMs, n * 1000.0 / registerMs, registeredHeap / (double) n);

    // convergence with n registered
    for (int i = 0; i < CONV_WARMUP; i++) {
      await(sample("conv-warm-" + i, nodes.get(i % k)));
    }
    long[] conv = new long[CONV_SAMPLES];
    for (int i = 0; i < CONV_SAMPLES; i++) {
      conv[i] = await(sample("conv-" + i, nodes.get(i % k)));
    }
    Arrays.sort(conv);
    out.put("conv_p50_ms", Blocking.percentile(conv, 0.50) / 1e6);
    out.put("conv_p99_ms", Blocking.percentile(conv, 0.99) / 1e6);
    out.put("conv_max_ms", conv[conv.length - 1] / 1e6);
    int total = n + WARM_REGISTRATIONS + CONV_WARMUP + CONV_SAMPLES;
    BenchSupport.waitFor(STEP_TIMEOUT_MS, "every owner holds every entry (with the convergence names)", () -> BenchSupport.directoryTotal(nodes) == total * replicas);
    log("convergence p50 %.2f ms p99 %.2f ms", conv[CONV_SAMPLES / 2] / 1e6, Blocking.percentile(conv, 0.99) / 1e6);

    // idle window
    Thread.sleep(3_000);
    double[] bytes0 = new double[k];
    double[] msgs0 = new double[k];
    for (int i = 0; i < k; i++) {
      bytes0[i] = BenchSupport.syncBytes(nodes.get(i));
      msgs0[i] = BenchSupport.syncMessages(nodes.get(i));
    }
    Map<String, Long> zk0 = mntr();
    long cpu0 = processCpuNanos();
    long w0 = System.nanoTime();
    Thread.sleep(IDLE_SECONDS * 1000L);
    long cpu = processCpuNanos() - cpu0;
    double window = (System.nanoTime() - w0) / 1e9;
    Map<String, Long> zk1 = mntr();
    double maxBytes = 0;
    double sumBytes = 0;
    double sumMsgs = 0;
    for (int i = 0; i < k; i++) {
      double b = BenchSupport.syncBytes(nodes.get(i)) - bytes0[i];
      maxBytes = Math.max(maxBytes, b);
      sumBytes += b;
      sumMsgs += BenchSupport.syncMessages(nodes.get(i)) - msgs0[i];
    }
    double intervals = window * 1000 / NodeOptions.DEFAULT_SYNC_INTERVAL;
    out.put("idle_sync_Bps_mean", sumBytes / k / window);
    out.put("idle_sync_Bps_max", maxBytes / window);
    out.put("idle_sync_msgs_per_node_interval", sumMsgs / k / intervals);
    out.put("digest_bytes", sumMsgs > 0 ? sumBytes / sumMsgs : 0);
    out.put("idle_cpu_ms_per_node_interval", cpu / 1e6 / k / intervals);
    out.put("zk_idle_writes_per_s", (zkWrites(zk1) - zkWrites(zk0)) / window);
    out.put("zk_idle_reads_per_s", (zkReads(zk1) - zkReads(zk0)) / window);
    out.put("zk_idle_watch_events_per_s", (watchEvents(zk1) - watchEvents(zk0)) / window);
    out.put("zk_idle_requests_per_s", (zk1.getOrDefault("zk_packets_received", 0L) - zk0.getOrDefault("zk_packets_received", 0L)) / window);
    log("idle: %.1f B/s per node (max %.1f), %.2f digests per node per interval, %.0f B each, cpu %.2f ms per node per interval",
      sumBytes / k / window, maxBytes / window, sumMsgs / k / intervals, sumMsgs > 0 ? sumBytes / sumMsgs : 0, cpu / 1e6 / k / intervals);

    // the recompute a node does when the ring changes, on a synthetic copy of one node's share
    out.put("digest_recompute_ms", recomputeMillis(members, total / k, (int) replicas));

    // node k+1 joins
    double joinBytes0 = 0;
    for (ClusterNode node : nodes) joinBytes0 += BenchSupport.syncBytes(node);
    List<String> grown = new ArrayList<>(members);
    String joiner = "node-" + (k + 1);
    grown.add(joiner);
    HashRing ring = HashRing.of(grown);
    int expectedShare = 0;
    for (int i = 0; i < n + WARM_REGISTRATIONS; i++) {
      if (ring.owners("p-" + i, (int) replicas).contains(joiner)) expectedShare++;
    }
    for (int i = 0; i < CONV_WARMUP; i++) {
      if (ring.owners("conv-warm-" + i, (int) replicas).contains(joiner)) expectedShare++;
    }
    for (int i = 0; i < CONV_SAMPLES; i++) {
      if (ring.owners("conv-" + i, (int) replicas).contains(joiner)) expectedShare++;
    }
    Map<String, Long> zkJoin = mntr();
    long j0 = System.nanoTime();
    ClusterNode sixth = start(joiner);
    long joinedMs = (System.nanoTime() - j0) / 1_000_000;
    int share = expectedShare;
    BenchSupport.waitFor(STEP_TIMEOUT_MS, joiner + " holds its share", () -> sixth.meterRegistry().get(MetricNames.DIRECTORY_ENTRIES).gauge().value() >= share);
    long inSyncMs = (System.nanoTime() - j0) / 1_000_000;
    BenchSupport.waitFor(STEP_TIMEOUT_MS, "total back to total * replicas", () -> BenchSupport.directoryTotal(nodes) == total * replicas);
    long settledMs = (System.nanoTime() - j0) / 1_000_000;
    double joinBytes = -joinBytes0;
    for (ClusterNode node : nodes) joinBytes += BenchSupport.syncBytes(node);
    out.put("join_joined_ms", joinedMs);
    out.put("join_share", share);
    out.put("join_in_sync_ms", inSyncMs);
    out.put("join_settled_ms", settledMs);
    out.put("join_bytes", joinBytes);
    out.put("zk_writes_join", zkWrites(mntr()) - zkWrites(zkJoin));
    log("%s joined in %d ms, share of %d complete after %d ms, settled %d ms, %.1f MB", joiner, joinedMs, share, inSyncMs, settledMs, joinBytes / 1e6);

    // leader scan of DAEMONS daemons
    List<DaemonProcess> declared = new ArrayList<>(DAEMONS);
    for (int i = 0; i < DAEMONS; i++) declared.add(new DaemonProcess("d-" + i, new JsonObject()));
    Map<String, Long> zkDaemons = mntr();
    long d0 = System.nanoTime();
    for (ClusterNode node : nodes) {
      await(node.addLauncher("bench", Launcher.of(ScaleBenchmark.Idle::new).withScanner(DaemonScanners.of(declared))));
    }
    ClusterNode any = nodes.get(0);
    DaemonReconciliation r;
    do {
      r = await(any.scanDaemons());
    } while (r.running() < DAEMONS && System.nanoTime() - d0 < TimeUnit.MILLISECONDS.toNanos(STEP_TIMEOUT_MS));
    long placedMs = (System.nanoTime() - d0) / 1_000_000;
    long[] scans = new long[STEADY_SCANS];
    for (int i = 0; i < STEADY_SCANS; i++) {
      r = await(any.scanDaemons());
      if (r.running() != DAEMONS || r.spawned() != 0) {
        throw new IllegalStateException("steady scan found " + r);
      }
      scans[i] = r.reconciledAt() - r.startedAt();
    }
    Arrays.sort(scans);
    out.put("daemons_all_running_ms", placedMs);
    out.put("leader_scan_ms", scans[STEADY_SCANS / 2]);
    out.put("zk_writes_daemons", zkWrites(mntr()) - zkWrites(zkDaemons));
    log("%d daemons running after %d ms; steady leader scan %s ms", DAEMONS, placedMs, Arrays.toString(scans));

    Map<String, Long> zk = mntr();
    out.put("zk_znodes", zk.getOrDefault("zk_znode_count", -1L));
    out.put("zk_ephemerals", zk.getOrDefault("zk_ephemerals_count", -1L));
    out.put("zk_watches", zk.getOrDefault("zk_watch_count", -1L));
    out.put("zk_connections", zk.getOrDefault("zk_num_alive_connections", -1L));
    out.put("zk_data_bytes", zk.getOrDefault("zk_approximate_data_size", -1L));
    if (Boolean.getBoolean("vxext.bench.zkdump")) {
      dumpZooKeeper();
    }
    log("zookeeper: %d znodes, %d ephemerals, %d watches, %d connections, %d data bytes; writes: %s registering, %s join, %s daemons; idle %s writes/s, %s reads/s, %s requests/s, %s watch events/s",
      zk.get("zk_znode_count"), zk.get("zk_ephemerals_count"), zk.get("zk_watch_count"), zk.get("zk_num_alive_connections"),
      zk.get("zk_approximate_data_size"), out.get("zk_writes_registering"), out.get("zk_writes_join"), out.get("zk_writes_daemons"),
      out.get("zk_idle_writes_per_s"), out.get("zk_idle_reads_per_s"), out.get("zk_idle_requests_per_s"),
      out.get("zk_idle_watch_events_per_s"));
  }

  private void write(Path csv) throws IOException {
    StringBuilder header = new StringBuilder();
    StringBuilder line = new StringBuilder();
    for (Map.Entry<String, Object> e : out.entrySet()) {
      if (header.length() > 0) {
        header.append(',');
        line.append(',');
      }
      header.append(e.getKey());
      Object v = e.getValue();
      line.append(v instanceof Double d ? String.format(java.util.Locale.ROOT, "%.3f", d) : String.valueOf(v));
    }
    if (csv.getParent() != null) Files.createDirectories(csv.getParent());
    if (!Files.exists(csv) || Files.size(csv) == 0) {
      Files.writeString(csv, header + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      Files.writeString(csv, line + "\n", StandardOpenOption.APPEND);
    } else {
      // in the columns of the file's header (a point without the baseline leaves those cells empty)
      String[] columns = Files.readAllLines(csv).get(0).split(",");
      java.util.StringJoiner aligned = new java.util.StringJoiner(",");
      for (String c : columns) {
        Object v = out.get(c);
        aligned.add(v == null ? "" : v instanceof Double d ? String.format(java.util.Locale.ROOT, "%.3f", d) : String.valueOf(v));
      }
      Files.writeString(csv, aligned + "\n", StandardOpenOption.APPEND);
    }
    System.out.println("CSV " + header);
    System.out.println("CSV " + line);
  }

  /** @return the median time of {@code HashRing.of(members)}, in microseconds */
  private static double ringRebuildMicros(List<String> members) {
    long sink = 0;
    for (int i = 0; i < 50; i++) sink += HashRing.of(members).partitionOf("x");
    long[] t = new long[200];
    for (int i = 0; i < t.length; i++) {
      long s = System.nanoTime();
      sink += HashRing.of(members).partitionOf("x" + i);
      t[i] = System.nanoTime() - s;
    }
    Arrays.sort(t);
    if (sink == 42) System.out.println();
    return t[t.length / 2] / 1e3;
  }

  /**
   * What one node does on a ring change for its {@code share} local entries (see {@code ShardSync.viewChanged}):
   * the owners of each entry, and the XOR digest of each owner's slice. Median of 5, milliseconds.
   */
  private static double recomputeMillis(List<String> members, int share, int replicas) {
    List<ProcessId> local = new ArrayList<>(share);
    long now = System.currentTimeMillis();
    for (int i = 0; i < share; i++) {
      local.add(new ProcessId("node-1", "p-" + i, java.util.UUID.randomUUID().toString(), now, i));
    }
    HashRing ring = HashRing.of(members);
    long[] t = new long[5];
    long sink = 0;
    for (int round = 0; round < t.length + 1; round++) {
      long s = System.nanoTime();
      Map<String, List<ProcessId>> slices = new HashMap<>();
      for (ProcessId p : local) {
        for (String owner : ring.owners(p.name(), replicas)) {
          slices.computeIfAbsent(owner, x -> new ArrayList<>()).add(p);
        }
      }
      for (List<ProcessId> slice : slices.values()) {
        long d = 0;
        for (ProcessId p : slice) {
          d ^= HashRing.xxh64(p.name() + '\u0000' + p.deploymentId() + '\u0000' + p.startedAt() + '\u0000' + p.seq());
        }
        sink += d;
      }
      if (round > 0) t[round - 1] = System.nanoTime() - s;
    }
    Arrays.sort(t);
    if (sink == 42) System.out.println();
    return t[t.length / 2] / 1e6;
  }

  /** Register {@code name} on {@code on}; the time from completion until every node locates it. */
  private Future<Long> sample(String name, ClusterNode on) {
    return on.register(name, ScaleBenchmark.Idle::new, new DeploymentOptions()).compose(pid -> {
      long registered = System.nanoTime();
      String expected = pid.node();
      Promise<Long> done = Promise.promise();
      AtomicInteger pending = new AtomicInteger(nodes.size());
      long[] latest = {0};
      for (int i = 0; i < nodes.size(); i++) {
        ClusterNode node = nodes.get(i);
        contexts.get(i).runOnContext(v -> attempt(node, name, expected, System.nanoTime() + TimeUnit.SECONDS.toNanos(30), done, pending, latest, registered));
      }
      return done.future();
    });
  }

  private static void attempt(ClusterNode node, String name, String expected, long deadline, Promise<Long> done,
                              AtomicInteger pending, long[] latest, long registered) {
    node.locate(name).onComplete(ar -> {
      long now = System.nanoTime();
      if (ar.succeeded() && expected.equals(ar.result())) {
        synchronized (latest) {
          latest[0] = Math.max(latest[0], now);
          if (pending.decrementAndGet() == 0) done.tryComplete(latest[0] - registered);
        }
      } else if (ar.failed() && !WhereIs.hasCode(ar.cause(), WhereIs.NOT_FOUND)) {
        done.tryFail(ar.cause());
      } else if (now > deadline) {
        done.tryFail(new IllegalStateException(node.name() + " could not locate " + name));
      } else {
        node.vertx().setTimer(1, id -> attempt(node, name, expected, deadline, done, pending, latest, registered));
      }
    });
  }

  /** Prints every znode of this run's root path, its ephemeral owner and its children count (-Dvxext.bench.zkdump=true). */
  private void dumpZooKeeper() throws Exception {
    try (org.apache.curator.framework.CuratorFramework c = org.apache.curator.framework.CuratorFrameworkFactory.newClient(zkConnect,
      new org.apache.curator.retry.RetryOneTime(100))) {
      c.start();
      c.blockUntilConnected();
      java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(List.of("/" + root));
      while (!todo.isEmpty()) {
        String path = todo.pop();
        org.apache.zookeeper.data.Stat stat = c.checkExists().forPath(path);
        if (stat == null) continue;
        System.out.printf("ZNODE %s%s children=%d%n", path, stat.getEphemeralOwner() != 0 ? " (ephemeral)" : "", stat.getNumChildren());
        for (String child : c.getChildren().forPath(path)) {
          todo.push(path + "/" + child);
        }
      }
    }
  }

  /** @return ZooKeeper's {@code mntr} answer as numbers */
  private Map<String, Long> mntr() {
    Map<String, Long> values = new HashMap<>();
    String[] hostPort = zkConnect.split(",")[0].split(":");
    try (Socket s = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
      s.setSoTimeout(5000);
      OutputStream o = s.getOutputStream();
      o.write("mntr".getBytes(StandardCharsets.US_ASCII));
      o.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      String line;
      while ((line = in.readLine()) != null) {
        String[] kv = line.split("\t", 2);
        if (kv.length == 2) {
          try {
            values.put(kv[0].trim(), (long) Double.parseDouble(kv[1].trim()));
          } catch (NumberFormatException ignored) {
            // a string value
          }
        }
      }
    } catch (IOException e) {
      System.err.println("warning: mntr: " + e);
    }
    return values;
  }

  /** @return how many write requests ZooKeeper served in this run's namespace (its root path) */
  private long zkWrites(Map<String, Long> mntr) {
    return mntr.getOrDefault("zk_cnt_" + root + "_write_per_namespace", 0L);
  }

  /** @return how many watchers ZooKeeper has triggered (node created, deleted, changed, children) */
  private static long watchEvents(Map<String, Long> mntr) {
    return mntr.getOrDefault("zk_sum_node_created_watch_count", 0L) + mntr.getOrDefault("zk_sum_node_deleted_watch_count", 0L)
      + mntr.getOrDefault("zk_sum_node_changed_watch_count", 0L) + mntr.getOrDefault("zk_sum_node_children_watch_count", 0L);
  }

  private long zkReads(Map<String, Long> mntr) {
    return mntr.getOrDefault("zk_cnt_" + root + "_read_per_namespace", 0L);
  }

  private static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
  }

  private static <T> T await(Future<T> future) {
    return Blocking.await(future, STEP_TIMEOUT_MS);
  }

  private static void log(String format, Object... args) {
    System.out.printf("[%tT] " + format + "%n", prepend(new java.util.Date(), args));
    System.out.flush();
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
