package dev.vxext.benchmarks;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.cron.CronJob;
import dev.vxext.cron.CronJobInfo;
import dev.vxext.cron.CronScope;
import dev.vxext.metrics.MetricNames;
import dev.vxext.process.ProcessVerticle;
import dev.vxext.testing.Blocking;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.apache.curator.test.TestingServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Cluster cron at load: JOBS cluster jobs firing every second (quartz {@code * * * * * ?}) declared on every
 * node of a 3-node cluster in one JVM (embedded ZooKeeper, sessionTimeout 4 s), all triggering one sink
 * process on node-1. Phases by scheduled second: warm-up 10 s, steady, churn (node-2 closed at its start, a
 * fresh node-4 started at its middle), steady again. Per phase: fires, duplicates (job + scheduledAt twice),
 * missing ticks (job × second with no fire) against the misfires the nodes counted, lateness
 * ({@code firedAt - scheduledAt} from the message, and arrival at the sink - scheduledAt), claims and
 * ZooKeeper requests per second ({@code mntr} of the embedded server).
 * <p>
 * Baseline in the same JVM, before the cluster starts: one plain (non-clustered) Vert.x instance, one
 * verticle with one aligned 1 s timer chain per job (as {@code CronVerticle} schedules, without the claim),
 * each tick sent with the same body to a local consumer.
 * <p>
 * Arguments: {@code [JOBS] [SECONDS]} (defaults 1000, 60; SECONDS at least 25). Prints Markdown; exits 0.
 */
public final class CronLoadBenchmark {

  private static final Logger log = LoggerFactory.getLogger(CronLoadBenchmark.class);
  private static final long STEP_TIMEOUT_MS = 60_000;
  private static final String SINK = "cron.sink";
  private static final int WARMUP_SECONDS = 10;
  private static final int BASELINE_WARMUP_SECONDS = 3;
  private static final int BASELINE_SECONDS = 10;
  private static final long DRAIN_MS = 15_000;

  /** One tick seen by a sink: job index, scheduledAt, firedAt, firing node index, arrival (epoch ms). */
  record Fire(int job, long scheduledAt, long firedAt, int node, long arrival) {
  }

  /** Every tick the sink received (cluster run) or the baseline consumer received. */
  static final Queue<Fire> FIRES = new ConcurrentLinkedQueue<>();

  /** The collector process: records each tick from its body. */
  public static final class Sink extends ProcessVerticle {
    @Override
    protected void handle(Message<Object> message) {
      long arrival = System.currentTimeMillis();
      if (message.body() instanceof JsonObject tick) {
        record(tick, arrival);
      }
    }
  }

  static void record(JsonObject tick, long arrival) {
    String job = tick.getString("job");
    String node = tick.getString("node", "node-0");
    FIRES.add(new Fire(Integer.parseInt(job.substring(job.lastIndexOf('-') + 1)), tick.getLong("scheduledAt"),
      tick.getLong("firedAt"), Integer.parseInt(node.substring(node.lastIndexOf('-') + 1)), arrival));
  }

  /** Baseline: one aligned 1 s timer chain per job on one context, no claim, local send. */
  static final class TimerTicks extends VerticleBase {
    private final int jobs;
    private boolean stopped;

    TimerTicks(int jobs) {
      this.jobs = jobs;
    }

    @Override
    public Future<?> start() {
      long first = (System.currentTimeMillis() / 1000 + 1) * 1000;
      for (int j = 0; j < jobs; j++) {
        schedule(j, first);
      }
      return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
      stopped = true;
      return Future.succeededFuture();
    }

    private void schedule(int job, long at) {
      vertx.setTimer(Math.max(1, at - System.currentTimeMillis()), id -> {
        if (stopped) return;
        JsonObject msg = new JsonObject().put("job", "load-" + job).put("scheduledAt", at)
          .put("firedAt", System.currentTimeMillis()).put("node", "node-0");
        vertx.eventBus().send("baseline.sink", msg);
        schedule(job, at + 1000);
      });
    }
  }

  /** Totals of the nodes' cron meters. */
  record Meters(double fires, double lost, double misfires, double claimRequests, double claimWrites) {
    Meters plus(Meters o) {
      return new Meters(fires + o.fires, lost + o.lost, misfires + o.misfires, claimRequests + o.claimRequests,
        claimWrites + o.claimWrites);
    }

    Meters minus(Meters o) {
      return new Meters(fires - o.fires, lost - o.lost, misfires - o.misfires, claimRequests - o.claimRequests,
        claimWrites - o.claimWrites);
    }
  }

  /** A phase: scheduled seconds [from, to) in epoch ms, with meter and ZooKeeper snapshots at both ends. */
  static final class Phase {
    final String name;
    final long from;
    final long to;
    Meters metersFrom;
    Meters metersTo;
    long zkFrom = -1;
    long zkTo = -1;
    long zkAtFrom;
    long zkAtTo;

    Phase(String name, long from, long to) {
      this.name = name;
      this.from = from;
      this.to = to;
    }

    int seconds() {
      return (int) ((to - from) / 1000);
    }
  }

  private final int jobs;
  private final int seconds;
  private final Map<String, ClusterNode> nodes = new LinkedHashMap<>();
  private Meters retired = new Meters(0, 0, 0, 0, 0);
  private TestingServer zookeeper;
  private String root;
  private final StringBuilder events = new StringBuilder();

  private CronLoadBenchmark(int jobs, int seconds) {
    this.jobs = jobs;
    this.seconds = seconds;
  }

  /** Runs the benchmark; {@code args}: {@code [JOBS] [SECONDS]}. */
  public static void main(String[] args) {
    int jobs = 1000;
    int seconds = 60;
    try {
      if (args.length > 0 && !args[0].isBlank()) jobs = Integer.parseInt(args[0].trim());
      if (args.length > 1 && !args[1].isBlank()) seconds = Integer.parseInt(args[1].trim());
    } catch (NumberFormatException e) {
      jobs = -1;
    }
    if (jobs < 1 || seconds < 25) {
      System.err.println("usage: CronLoadBenchmark [JOBS>=1] [SECONDS>=25] (defaults 1000 60)");
      System.exit(2);
    }
    CronLoadBenchmark bench = new CronLoadBenchmark(jobs, seconds);
    int code = 0;
    try {
      bench.run();
    } catch (Throwable t) {
      log.debug("benchmark failed", t);
      System.err.println("CronLoadBenchmark failed: " + t);
      t.printStackTrace();
      code = 1;
    }
    try {
      bench.closeAll();
    } catch (Throwable t) {
      System.err.println("warning: closing: " + t);
    }
    System.out.flush();
    System.exit(code);
  }

  private void run() throws Exception {
    // ---- baseline: plain timers, no cluster ----
    List<Fire> baseline = baseline();

    // ---- cluster ----
    System.setProperty("zookeeper.4lw.commands.whitelist", "*");
    zookeeper = new TestingServer(true);
    root = "vxext-bench-cron-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
    long startedAt = System.currentTimeMillis();
    ClusterNode n1 = startNode("node-1");
    await(n1.register(SINK, Sink::new, new DeploymentOptions()));
    startNode("node-2");
    startNode("node-3");
    waitForMembers(3);
    note("3 nodes up and sink registered in %d ms", System.currentTimeMillis() - startedAt);

    long t0 = (System.currentTimeMillis() / 1000 + 1) * 1000;
    int rest = (seconds - WARMUP_SECONDS) / 3;
    long w = t0 + WARMUP_SECONDS * 1000L;
    List<Phase> phases = List.of(new Phase("warm-up", t0, w), new Phase("steady", w, w + rest * 1000L),
      new Phase("churn", w + rest * 1000L, w + 2 * rest * 1000L), new Phase("steady 2", w + 2 * rest * 1000L, w + 3 * rest * 1000L));
    for (int p = 0; p < phases.size(); p++) {
      Phase phase = phases.get(p);
      sleepUntil(phase.from);
      snapshotStart(phase);
      if (phase.name.equals("churn")) {
        long c = System.currentTimeMillis();
        ClusterNode leaving = nodes.get("node-2");
        Meters before = meters(leaving);
        await(leaving.close());
        nodes.remove("node-2");
        // what node-2 counted until it closed stays in the totals (closing may remove its meters)
        Meters after = meters(leaving);
        retired = retired.plus(new Meters(Math.max(before.fires, after.fires), Math.max(before.lost, after.lost),
          Math.max(before.misfires, after.misfires), Math.max(before.claimRequests, after.claimRequests),
          Math.max(before.claimWrites, after.claimWrites)));
        note("node-2 closed at +%d ms into churn, close took %d ms", c - phase.from, System.currentTimeMillis() - c);
        sleepUntil(phase.from + (phase.to - phase.from) / 2);
        long s = System.currentTimeMillis();
        startNode("node-4");
        note("node-4 started at +%d ms into churn, start took %d ms", s - phase.from, System.currentTimeMillis() - s);
      }
      sleepUntil(phase.to);
      snapshotEnd(phase);
    }
    long end = phases.get(phases.size() - 1).to;
    // drain: late ticks (catch-up, queued claims) still count as fired, late
    long expected = (long) jobs * (end - t0) / 1000;
    long drainUntil = System.currentTimeMillis() + DRAIN_MS;
    while (System.currentTimeMillis() < drainUntil && distinctIn(t0, end) < expected) {
      Thread.sleep(200);
    }
    note("drained %d ms after the last window", System.currentTimeMillis() - end);
    Meters total = totalMeters();
    note("sink received %d ticks in all; the nodes' meters count %.0f fires", FIRES.size(), total.fires);
    List<CronJobInfo> infos = await(nodes.get("node-1").cronJobs());
    long missedByInfo = infos.stream().mapToLong(CronJobInfo::missed).sum();
    report(baseline, phases, total, missedByInfo);
  }

  // ------------------------------------------------------------------ baseline

  private List<Fire> baseline() throws Exception {
    FIRES.clear();
    Vertx vertx = Vertx.vertx();
    try {
      await(vertx.eventBus().<JsonObject>localConsumer("baseline.sink", m -> record(m.body(), System.currentTimeMillis())).completion());
      long start = System.currentTimeMillis();
      await(vertx.deployVerticle(new TimerTicks(jobs)));
      long from = (start / 1000 + 1 + BASELINE_WARMUP_SECONDS) * 1000;
      long to = from + BASELINE_SECONDS * 1000L;
      sleepUntil(to + 2000);
      List<Fire> in = new ArrayList<>();
      for (Fire f : FIRES) {
        if (f.scheduledAt >= from && f.scheduledAt < to) in.add(f);
      }
      note("baseline: %d ticks in %d s (expected %d)", in.size(), BASELINE_SECONDS, (long) jobs * BASELINE_SECONDS);
      return in;
    } finally {
      Blocking.await(vertx.close(), STEP_TIMEOUT_MS);
      FIRES.clear();
    }
  }

  // ------------------------------------------------------------------ cluster

  private NodeOptions options(String name) {
    NodeOptions o = new NodeOptions().setNodeName(name).setZookeeperHosts(zookeeper.getConnectString())
      .setZookeeperRootPath(root).setSessionTimeout(4000);
    for (int j = 0; j < jobs; j++) {
      o.addCronJob(new CronJob().setName(jobName(j)).setDialect("quartz").setSpec("* * * * * ?")
        .setScope(CronScope.CLUSTER).setTriggerProcess(SINK));
    }
    return o;
  }

  private static String jobName(int j) {
    return String.format("load-%04d", j);
  }

  private ClusterNode startNode(String name) {
    ClusterNode node = await(ClusterNode.start(options(name)));
    nodes.put(name, node);
    return node;
  }

  private void waitForMembers(int n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + STEP_TIMEOUT_MS;
    while (!nodes.values().stream().allMatch(x -> x.addressBook().availableNodes().size() == n)) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("the nodes did not see each other within " + STEP_TIMEOUT_MS + " ms");
      }
      Thread.sleep(10);
    }
  }

  private static Meters meters(ClusterNode node) {
    MeterRegistry r = node.meterRegistry();
    // the claim meters exist from the claim-ahead version on ("vxext.cron.claim.*"; 0 before)
    return new Meters(sum(r, MetricNames.CRON_FIRES), sum(r, MetricNames.CRON_CLAIMS_LOST), sum(r, MetricNames.CRON_MISFIRES),
      sum(r, "vxext.cron.claim.requests"), sum(r, "vxext.cron.claim.writes"));
  }

  private static double sum(MeterRegistry r, String name) {
    return r.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  private Meters totalMeters() {
    Meters m = retired;
    for (ClusterNode n : nodes.values()) {
      m = m.plus(meters(n));
    }
    return m;
  }

  private void snapshotStart(Phase p) {
    p.metersFrom = totalMeters();
    p.zkFrom = zkPackets();
    p.zkAtFrom = System.currentTimeMillis();
  }

  private void snapshotEnd(Phase p) {
    p.metersTo = totalMeters();
    p.zkTo = zkPackets();
    p.zkAtTo = System.currentTimeMillis();
  }

  /** @return ZooKeeper's zk_packets_received ({@code mntr}), or -1 */
  private long zkPackets() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", zookeeper.getPort()), 1000);
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write("mntr".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      long packets = -1;
      // read to the end: closing early makes the server log a broken pipe
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("zk_packets_received")) {
          packets = Long.parseLong(line.substring(line.indexOf('\t') + 1).trim());
        }
      }
      return packets;
    } catch (Exception e) {
      log.debug("mntr failed", e);
    }
    return -1;
  }

  private static long distinctIn(long from, long to) {
    java.util.HashSet<Long> seen = new java.util.HashSet<>();
    for (Fire f : FIRES) {
      if (f.scheduledAt >= from && f.scheduledAt < to) seen.add(f.job * 100_000_000_000L + f.scheduledAt / 1000);
    }
    return seen.size();
  }

  // ------------------------------------------------------------------ report

  private void report(List<Fire> baseline, List<Phase> phases, Meters total, long missedByInfo) {
    System.out.println("## Cluster cron at load");
    System.out.println();
    System.out.printf("%d cluster jobs (quartz `* * * * * ?`) declared on every node, 3 clustered nodes in one JVM "
        + "(%d cores, Java %s), embedded ZooKeeper, sessionTimeout 4000 ms, default misfire grace; one sink process "
        + "`%s` on node-1. Phases by scheduled second; churn: node-2 closed at its start, node-4 started at its middle.%n%n",
      jobs, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), SINK);
    System.out.println("Events: " + events.toString().trim().replace("\n", "; ") + ".");
    System.out.println();
    System.out.println("| phase | s | expected | fires | dup | missing | misfires counted | uncounted misses "
      + "| fired−sched p50 / p99 / max (ms) | arrival−sched p50 / p99 / max (ms) | claims/s | lost/s | ZK req/s "
      + "| claim req/s | claim znode writes/s | fires by node |");
    System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    long[] baseFired = baseline.stream().mapToLong(f -> f.firedAt - f.scheduledAt).sorted().toArray();
    long[] baseArrival = baseline.stream().mapToLong(f -> f.arrival - f.scheduledAt).sorted().toArray();
    System.out.printf("| baseline: plain timers, 1 node, no claim | %d | %d | %d | %d | %d | – | – | %s | %s | – | – | – | – | – | – |%n",
      BASELINE_SECONDS, (long) jobs * BASELINE_SECONDS, baseline.size(), duplicates(baseline),
      (long) jobs * BASELINE_SECONDS - distinct(baseline), triple(baseFired), triple(baseArrival));
    Map<String, long[]> p50s = new LinkedHashMap<>();
    int totalDup = 0;
    long totalMissing = 0;
    double totalMisfires = 0;
    for (Phase p : phases) {
      List<Fire> in = new ArrayList<>();
      for (Fire f : FIRES) {
        if (f.scheduledAt >= p.from && f.scheduledAt < p.to) in.add(f);
      }
      long expected = (long) jobs * p.seconds();
      int dup = duplicates(in);
      long missing = expected - distinct(in);
      Meters d = p.metersTo.minus(p.metersFrom);
      long uncounted = Math.max(0, missing - Math.round(d.misfires));
      long[] fired = in.stream().mapToLong(f -> f.firedAt - f.scheduledAt).sorted().toArray();
      long[] arrival = in.stream().mapToLong(f -> f.arrival - f.scheduledAt).sorted().toArray();
      double dt = (p.zkAtTo - p.zkAtFrom) / 1000.0;
      String zk = p.zkFrom >= 0 && p.zkTo >= 0 ? String.format("%.0f", (p.zkTo - p.zkFrom) / dt) : "?";
      Map<Integer, Integer> byNode = new TreeMap<>();
      in.forEach(f -> byNode.merge(f.node, 1, Integer::sum));
      StringBuilder nodesCol = new StringBuilder();
      byNode.forEach((k, v) -> nodesCol.append(nodesCol.length() == 0 ? "" : ", ").append("n").append(k).append(": ").append(v));
      System.out.printf("| %s | %d | %d | %d | %d | %d | %.0f | %d | %s | %s | %.0f | %.0f | %s | %.0f | %.0f | %s |%n", p.name, p.seconds(),
        expected, in.size(), dup, missing, d.misfires, uncounted, triple(fired), triple(arrival), (d.fires + d.lost) / dt, d.lost / dt, zk,
        d.claimRequests / dt, d.claimWrites / dt, nodesCol);
      p50s.put(p.name, new long[] {fired.length == 0 ? -1 : Blocking.percentile(fired, 0.5), fired.length == 0 ? -1 : Blocking.percentile(fired, 0.99)});
      if (missing > 0) {
        diagnoseMissing(p, in);
      }
      if (!p.name.equals("warm-up")) {
        totalDup += dup;
        totalMissing += missing;
        totalMisfires += d.misfires;
      }
    }
    System.out.println();
    long bp50 = baseFired.length == 0 ? 0 : Blocking.percentile(baseFired, 0.5);
    long bp99 = baseFired.length == 0 ? 0 : Blocking.percentile(baseFired, 0.99);
    System.out.println("| phase | fired−sched p50 − baseline p50 | p99 − baseline p99 | p50 ratio | p99 ratio |");
    System.out.println("| --- | ---: | ---: | ---: | ---: |");
    p50s.forEach((name, v) -> System.out.printf("| %s | %+d ms | %+d ms | %s | %s |%n", name, v[0] - bp50, v[1] - bp99,
      ratio(v[0], bp50), ratio(v[1], bp99)));
    System.out.println();
    System.out.printf("After warm-up: duplicates %d, missing ticks %d, misfires counted by the nodes %.0f; whole run meters: "
        + "fires %.0f, claims lost %.0f, misfires %.0f; `cronJobs()` missed (node-1's view, its own counts) %d.%n",
      totalDup, totalMissing, totalMisfires, total.fires, total.lost, total.misfires, missedByInfo);
  }

  /** Prints to stderr where the missing ticks of a phase are: by second, and the fires around the first one. */
  private void diagnoseMissing(Phase p, List<Fire> in) {
    java.util.Set<Long> seen = new java.util.HashSet<>();
    in.forEach(f -> seen.add(f.job * 100_000_000_000L + f.scheduledAt / 1000));
    Map<Long, Integer> bySecond = new TreeMap<>();
    java.util.Set<Integer> jobsHit = new java.util.TreeSet<>();
    long firstAt = -1;
    int firstJob = -1;
    for (long sec = p.from; sec < p.to; sec += 1000) {
      for (int j = 0; j < jobs; j++) {
        if (!seen.contains(j * 100_000_000_000L + sec / 1000)) {
          bySecond.merge((sec - p.from) / 1000, 1, Integer::sum);
          jobsHit.add(j);
          if (firstAt < 0) {
            firstAt = sec;
            firstJob = j;
          }
        }
      }
    }
    StringBuilder b = new StringBuilder();
    bySecond.forEach((k, v) -> b.append(" +").append(k).append("s:").append(v));
    System.err.printf("[cron-load] %s: missing by second:%s; %d jobs affected%n", p.name, b, jobsHit.size());
    int job = firstJob;
    long at = firstAt;
    StringBuilder around = new StringBuilder();
    FIRES.stream().filter(f -> f.job == job && Math.abs(f.scheduledAt - at) <= 5000)
      .sorted(java.util.Comparator.comparingLong(Fire::arrival))
      .forEach(f -> around.append(String.format(" [sched %+d s by n%d fired %+d ms arrived %+d ms]", (f.scheduledAt - at) / 1000,
        f.node, f.firedAt - at, f.arrival - at)));
    System.err.printf("[cron-load] %s: first missing %s second %d (+%d s); fires of it within 5 s, in arrival order:%s%n",
      p.name, jobName(job), at / 1000, (at - p.from) / 1000, around);
  }

  private static String ratio(long v, long base) {
    return base <= 0 ? "–" : String.format("%.1f×", (double) v / base);
  }

  private static String triple(long[] sorted) {
    if (sorted.length == 0) return "–";
    return Blocking.percentile(sorted, 0.5) + " / " + Blocking.percentile(sorted, 0.99) + " / " + sorted[sorted.length - 1];
  }

  private static int duplicates(List<Fire> fires) {
    Map<Long, Integer> seen = new HashMap<>();
    int dup = 0;
    for (Fire f : fires) {
      if (seen.merge(f.job * 100_000_000_000L + f.scheduledAt / 1000, 1, Integer::sum) > 1) dup++;
    }
    return dup;
  }

  private static long distinct(List<Fire> fires) {
    return fires.stream().map(f -> f.job * 100_000_000_000L + f.scheduledAt / 1000).distinct().count();
  }

  private void note(String format, Object... args) {
    String line = String.format(format, args);
    events.append(line).append('\n');
    System.err.println("[cron-load] " + line);
  }

  private static void sleepUntil(long epochMs) throws InterruptedException {
    long d;
    while ((d = epochMs - System.currentTimeMillis()) > 0) {
      Thread.sleep(Math.min(d, 1000));
    }
  }

  private void closeAll() {
    BenchSupport.closeQuietly(nodes.values(), zookeeper);
  }


  private static <T> T await(Future<T> future) {
    return Blocking.await(future, STEP_TIMEOUT_MS);
  }
}
