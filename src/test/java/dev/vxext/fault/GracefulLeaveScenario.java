package dev.vxext.fault;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.vxext.fault.FaultCluster.until;

/**
 * Scenario {@value #NAME}: 3 node JVMs run 12 daemons, under the observer's steady requests; {@value #RUNS}
 * times ({@value #QUICK_RUNS} with {@code --quick}) a node that runs daemons is closed cleanly (stdin EOF:
 * {@code node.close()}, which hands its daemons off), then started again once its daemons run elsewhere.
 * The victim is the non-leader node running the most daemons; every {@value #LEADER_EVERY}th run it is the
 * leader (when a node JVM leads and runs daemons). Per run, the hand-off gap is the time from the last
 * heartbeat of the victim's instance of a daemon to the first heartbeat of its next instance elsewhere (max
 * over its daemons); the report gives it per run and its p50/p99/max, and checks it stays below the
 * design's {@value #GAP_BOUND_MS} ms + one heartbeat period (the resolution of heartbeats) in every run. The
 * lifetime gap (the old instance's DOWN line to the new one's UP line) is reported too.
 */
final class GracefulLeaveScenario {

  static final String NAME = "graceful-leave";

  private static final List<String> NODES = List.of("gl-1", "gl-2", "gl-3");
  private static final int DAEMONS = 12;
  private static final long SESSION_TIMEOUT = 4_000;
  private static final long SETTLE_DELAY = 1_000;
  private static final int RUNS = 20;
  private static final int QUICK_RUNS = 6;
  private static final int LEADER_EVERY = 5;
  /** The design's bound of a hand-off gap. */
  static final long GAP_BOUND_MS = 300;
  /** What the heartbeats can show of it: the bound + one heartbeat period (their resolution). */
  static final long GAP_CHECK_MS = GAP_BOUND_MS + FaultNode.HEARTBEAT_MS;
  private static final long EXIT_MS = 15_000;
  private static final long BACK_MS = 30_000;

  /** One run: who left, its hand-offs, how long the close and the comeback took. */
  private record Run(int n, String victim, boolean leader, List<FaultChecks.HandOff> handOffs, long closeToExit,
                     long closeToMoved, long backAfter) {
    long gap() {
      return handOffs.stream().mapToLong(FaultChecks.HandOff::beatGap).map(g -> g < 0 ? Long.MAX_VALUE : g).max().orElse(-1);
    }

    long lifeGap() {
      return handOffs.stream().mapToLong(FaultChecks.HandOff::lifeGap).map(g -> g < 0 ? Long.MAX_VALUE : g).max().orElse(-1);
    }
  }

  private final String zookeeper;
  private final Path logDir;
  private final boolean quick;

  GracefulLeaveScenario(String zookeeper, Path logDir, boolean quick) {
    this.zookeeper = zookeeper;
    this.logDir = logDir;
    this.quick = quick;
  }

  FaultReport run() throws Exception {
    FaultReport report = new FaultReport(NAME);
    int runs = quick ? QUICK_RUNS : RUNS;
    try (FaultCluster c = new FaultCluster(NAME, zookeeper, logDir, NODES, SESSION_TIMEOUT, SETTLE_DELAY, DAEMONS)) {
      c.start();
      if (!FaultChecks.converge(c, report, 30_000)) {
        return report;
      }
      report.note(String.format("%d node JVMs, %d daemons, sessionTimeout %d ms, settleDelay %d ms, requestTimeout %d ms;"
          + " %d runs (the leader every %dth); logs in %s", NODES.size(), DAEMONS, SESSION_TIMEOUT, SETTLE_DELAY,
        FaultNode.REQUEST_TIMEOUT_MS, runs, LEADER_EVERY, logDir));
      LoadStream load = FaultChecks.startLoad(c, false);
      long loadFrom = System.currentTimeMillis();
      long cronFrom = loadFrom + 1_000;
      List<Run> done = new ArrayList<>();
      for (int n = 1; n <= runs; n++) {
        if (until(20_000, 100, () -> c.allMembers() && c.everyDaemonOnce() && c.leaders().size() == 1) < 0) {
          report.note("run " + n + " not started: the cluster did not settle (members " + c.members() + ", placement "
            + c.placement() + ", leaders " + c.leaders() + ")");
          break;
        }
        Run r = leave(c, n);
        if (r == null) {
          report.note("run " + n + " not started: no node runs daemons (placement " + c.placement() + ")");
          break;
        }
        done.add(r);
        if (r.backAfter() < 0) {
          report.note("run " + n + ": " + r.victim() + " did not come back; runs stop here");
          break;
        }
      }
      long healAt = System.currentTimeMillis();
      Recovery.Result recovery = Recovery.measure(c, healAt, c.recoveryBound());
      table(report, done);
      List<Long> gaps = done.stream().map(Run::gap).toList();
      List<String> over = new ArrayList<>();
      done.forEach(r -> {
        if (r.gap() < 0 || r.gap() > GAP_CHECK_MS) {
          over.add("run " + r.n() + " (" + r.victim() + "): " + (r.gap() == Long.MAX_VALUE ? "not moved" : r.gap() + " ms"));
        }
      });
      report.check("hand-off gap below " + GAP_BOUND_MS + " ms (+ " + FaultNode.HEARTBEAT_MS + " ms heartbeat period) in"
          + " every run (last heartbeat of the leaving node's instance -> first heartbeat of the next one elsewhere, max"
          + " over its daemons)",
        done.size() == runs && over.isEmpty(), done.size() + "/" + runs + " runs; p50 " + show(FaultChecks.percentile(gaps, 50))
          + ", p99 " + show(FaultChecks.percentile(gaps, 99)) + ", max " + show(FaultReport.max(gaps))
          + (over.isEmpty() ? "" : "; over the bound: " + FaultReport.firstN(over, 8)));
      Recovery.report(report, recovery, "the last restart");
      Map<String, Long> phases = new LinkedHashMap<>();
      phases.put("during the runs", loadFrom);
      phases.put("after the last restart", healAt);
      FaultChecks.finish(c, report, load, phases, cronFrom);
      c.shutdown();
      report.note("exit status of the node JVMs (0 = clean close): " + c.exits());
    }
    return report;
  }

  /** One run: close the victim, measure, start it again. @return null when no node runs daemons */
  private Run leave(FaultCluster c, int n) throws Exception {
    String leader = c.leaders().get(0);
    Map<String, List<String>> placement = c.placement();
    String victim = null;
    if (n % LEADER_EVERY == 0 && NODES.contains(leader) && !placement.getOrDefault(leader, List.of()).isEmpty()) {
      victim = leader;
    }
    if (victim == null) {
      victim = FaultChecks.busiestFollower(c, leader);
    }
    if (victim == null && NODES.contains(leader) && !placement.getOrDefault(leader, List.of()).isEmpty()) {
      victim = leader;
    }
    if (victim == null) {
      return null;
    }
    String v = victim;
    FaultJvm old = c.jvm(v);
    List<String> daemons = List.copyOf(placement.get(v));
    long t0 = old.closeStdin();
    long exitAt = old.awaitExit(EXIT_MS) ? old.exitedAt() : -1;
    if (exitAt < 0) {
      old.stop(System.nanoTime());
    }
    until(FaultNode.REQUEST_TIMEOUT_MS + c.failoverBound(), 20, () -> daemons.stream()
      .allMatch(d -> c.beats.firstStartAfter(d, t0, i -> !(i.node().equals(v) && i.incarnation() == old.incarnation)) > 0
        && FaultChecks.firstUpElsewhere(c, d, t0, old) > 0));
    List<FaultChecks.HandOff> handOffs = FaultChecks.handOffs(c, old, daemons, t0);
    FaultJvm fresh = c.launch(v);
    long back = fresh.awaitReady(BACK_MS) && until(BACK_MS, 100, c::allMembers) >= 0 ? System.currentTimeMillis() - t0 : -1;
    return new Run(n, old.id(), v.equals(leader), handOffs, exitAt < 0 ? -1 : exitAt - t0, allMoved(handOffs, t0), back);
  }

  /** @return ms from {@code t0} to the first heartbeat of the last daemon to move, -1 when one did not */
  static long allMoved(List<FaultChecks.HandOff> handOffs, long t0) {
    if (handOffs.stream().anyMatch(h -> h.firstBeat() < 0)) {
      return -1;
    }
    return handOffs.stream().mapToLong(FaultChecks.HandOff::firstBeat).max().orElse(t0) - t0;
  }

  private static void table(FaultReport report, List<Run> runs) {
    report.table("runs (ms; gap = last heartbeat of the old instance -> first heartbeat of the new one, max over the"
        + " node's daemons; lifetime gap = DOWN of the old -> UP of the new)", "#", "node left", "was leader",
      "daemons", "hand-off gap", "lifetime gap", "worst daemon", "close -> exit", "close -> all moved",
      "close -> member again");
    for (Run r : runs) {
      String worst = r.handOffs().stream().max(java.util.Comparator.comparingLong(
        h -> h.beatGap() < 0 ? Long.MAX_VALUE : h.beatGap())).map(FaultChecks.HandOff::daemon).orElse("-");
      report.row(r.n(), r.victim(), r.leader() ? "yes" : "no", r.handOffs().size(), show(r.gap()), show(r.lifeGap()), worst,
        show(r.closeToExit()), show(r.closeToMoved()), show(r.backAfter()));
    }
    List<Long> gaps = runs.stream().map(Run::gap).toList();
    List<Long> lives = runs.stream().map(Run::lifeGap).toList();
    report.note(String.format("hand-off gap over %d runs: p50 %s, p99 %s, max %s; lifetime gap p50 %s, max %s; leader"
        + " runs: %s", runs.size(), show(FaultChecks.percentile(gaps, 50)), show(FaultChecks.percentile(gaps, 99)),
      show(FaultReport.max(gaps)), show(FaultChecks.percentile(lives, 50)), show(FaultReport.max(lives)),
      runs.stream().filter(Run::leader).map(r -> r.n() + ": " + show(r.gap())).toList()));
  }

  private static String show(long ms) {
    return ms == Long.MAX_VALUE ? "never" : ms < 0 ? "-" : ms + " ms";
  }
}
