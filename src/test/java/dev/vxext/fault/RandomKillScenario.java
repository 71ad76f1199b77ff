package dev.vxext.fault;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static dev.vxext.fault.FaultCluster.until;

/**
 * Scenario {@value #NAME}: 4 node JVMs run 16 daemons; for about 90 s (40 s with {@code --quick}) a random
 * node JVM is killed with SIGKILL every 8-10 s and a fresh JVM with the same node name is started 1 s
 * later, so the cluster keeps 3-4 nodes. Checks: after each kill every daemon of the victim heartbeats
 * again from another node within the failover bound; no two instances of a daemon ever heartbeat at once
 * (more than 250 ms); at the end every daemon answers a call; plus the recovery after the last restart and
 * the invariants of {@link FaultChecks} (the observer's requests during the kills, lifetimes, {@code /health}).
 */
final class RandomKillScenario {

  static final String NAME = "random-kill";

  private static final List<String> NODES = List.of("rk-1", "rk-2", "rk-3", "rk-4");
  private static final int DAEMONS = 16;
  private static final long SESSION_TIMEOUT = 4_000;
  private static final long SETTLE_DELAY = 1_000;
  private static final long TOLERANCE_MS = 250;
  private static final int MAX_KILLS = 15;
  private static final int MAX_STARTS = 3;
  private static final long MEMBER_WAIT_MS = 3_000;
  /** Calls issued this long after a kill must fail fast (the kill itself takes a moment). */
  private static final long FAIL_FAST_AFTER_MS = 200;
  /** "Fast": within this, far below the request timeout. */
  private static final long FAIL_FAST_MS = 1_000;
  /** Retry delay of a reconciliation that failed for some daemons (DaemonVerticle). */
  private static final long RETRY_MS = 1_000;

  /** What one kill did. */
  private record Kill(int n, long at, String victim, boolean leader, List<String> moved, Map<String, Long> failover,
                      long newLeaderMs, long readyMs, int starts, long memberMs, List<String> ghosts,
                      long leftToPlacedMs, long killedAt) {
  }

  /** How the killed node came back: ms from the kill to READY and to membership, JVMs started, ghosts. */
  private record Restart(long readyMs, int starts, long memberMs, List<String> ghosts) {
  }

  private final String zookeeper;
  private final Path logDir;
  private final boolean quick;
  private final Random random;
  private final long restartAfterMs;

  /** @param restartAfterMs how long after a kill the node's fresh JVM is started */
  RandomKillScenario(String zookeeper, Path logDir, boolean quick, Random random, long restartAfterMs) {
    this.zookeeper = zookeeper;
    this.logDir = logDir;
    this.quick = quick;
    this.random = random;
    this.restartAfterMs = restartAfterMs;
  }

  FaultReport run() throws Exception {
    FaultReport report = new FaultReport(NAME);
    long duration = quick ? 40_000 : 90_000;
    try (FaultCluster c = new FaultCluster(NAME, zookeeper, logDir, NODES, SESSION_TIMEOUT, SETTLE_DELAY, DAEMONS)) {
      c.start();
      long converged = until(30_000, 100, () -> c.allMembers() && c.everyDaemonOnce() && c.leaders().size() == 1);
      report.note(String.format("%d node JVMs, %d daemons, sessionTimeout %d ms, settleDelay %d ms, failover bound %d ms,"
          + " kills for %d s, restart %d ms after a kill; logs in %s", NODES.size(), DAEMONS, SESSION_TIMEOUT, SETTLE_DELAY,
        c.failoverBound(), duration / 1000, restartAfterMs, logDir));
      report.check("initial convergence: 4 members, every daemon heartbeating once, one leader", converged >= 0,
        converged >= 0 ? converged + " ms after the observer started" : "placement " + c.placement() + ", leaders " + c.leaders());
      if (converged < 0) {
        return report;
      }
      long cronFrom = System.currentTimeMillis() + 1_000;
      LoadStream load = FaultChecks.startLoad(c, false);
      long loadFrom = System.currentTimeMillis();
      List<Kill> kills = killLoop(c, duration, report);
      long healAt = System.currentTimeMillis();
      Recovery.Result recovery = Recovery.measure(c, healAt, c.recoveryBound());
      table(report, kills, c.failoverBound());
      Recovery.report(report, recovery, "the last restart");
      finalChecks(c, report, kills);
      FaultChecks.checkLifetimes(c, report);
      c.checkLocatable(report, 15_000);
      c.checkCron(report, cronFrom, System.currentTimeMillis() - 2_000);
      Map<String, Long> phases = new LinkedHashMap<>();
      phases.put("during the kills", loadFrom);
      phases.put("after the last restart", healAt);
      FaultChecks.finishLoad(report, load, phases);
      failFast(report, load, kills);
      FaultChecks.checkHealth(report, c, 15_000);
      c.shutdown();
      report.note("exit status of the node JVMs (137 = SIGKILL, 0 = clean close on stdin EOF): " + c.exits());
    }
    return report;
  }

  private List<Kill> killLoop(FaultCluster c, long duration, FaultReport report) throws Exception {
    List<Kill> kills = new ArrayList<>();
    long runStart = System.currentTimeMillis();
    long nextKill = runStart + 1_000;
    for (int n = 1; n <= MAX_KILLS && System.currentTimeMillis() - runStart < duration; n++) {
      long wait = Math.min(15_000, nextKill - System.currentTimeMillis());
      if (wait > 0) {
        Thread.sleep(wait);
      }
      // never kill while a node is still coming back: the cluster keeps 3-4 nodes
      if (until(20_000, 100, () -> NODES.stream().allMatch(x -> c.jvm(x).isReady()) && c.allMembers()) < 0) {
        report.note("kill " + n + " skipped: not every node is back (members " + c.members() + ")");
        break;
      }
      String victim = NODES.get(random.nextInt(NODES.size()));
      FaultJvm old = c.jvm(victim);
      List<String> moved = List.copyOf(c.placement().getOrDefault(victim, List.of()));
      boolean wasLeader = old.saysLeader();
      long killAt = old.kill9();
      nextKill = killAt + 8_000 + random.nextInt(2_001);

      Thread.sleep(restartAfterMs);
      FaultJvm fresh = c.launch(victim);

      Predicate<HeartbeatMonitor.Instance> elsewhere = i -> !(i.node().equals(victim) && i.incarnation() == old.incarnation);
      until(c.failoverBound() + 2_000, 50,
        () -> moved.stream().allMatch(d -> c.beats.firstStartAfter(d, killAt, elsewhere) > 0));
      Map<String, Long> failover = new LinkedHashMap<>();
      for (String d : moved) {
        long first = c.beats.firstStartAfter(d, killAt, elsewhere);
        failover.put(d, first < 0 ? -1 : first - killAt);
      }
      Restart back = bringBack(c, victim, fresh, killAt, report);
      kills.add(new Kill(n, killAt - runStart, victim + "#" + old.incarnation, wasLeader, moved, failover,
        newLeaderAfter(c, killAt), back.readyMs(), back.starts(), back.memberMs(), back.ghosts(),
        moved.isEmpty() ? -1 : leftToPlaced(c, victim, killAt), killAt));
    }
    return kills;
  }

  /**
   * Waits for the restarted node: READY (a JVM that exits first is started again), then a member in the
   * observer's view. A JVM that is READY but not a member within {@value #MEMBER_WAIT_MS} ms is a ghost
   * (the cluster ignores it): it is recorded, stopped, and a new JVM is started (at most
   * {@value #MAX_STARTS} JVMs in all), so the scenario can go on with 4 nodes.
   */
  private Restart bringBack(FaultCluster c, String victim, FaultJvm first, long killAt, FaultReport report)
    throws Exception {
    FaultJvm fresh = first;
    List<String> ghosts = new ArrayList<>();
    for (int s = 1; s <= MAX_STARTS; s++) {
      if (fresh.awaitReady(30_000) && until(MEMBER_WAIT_MS, 100, c::allMembers) >= 0) {
        return new Restart(fresh.ready.getNow(-1L) - killAt, s, System.currentTimeMillis() - killAt, ghosts);
      }
      if (s == MAX_STARTS) {
        break;
      }
      if (fresh.isReady()) {
        ghosts.add(fresh.id());
        report.note(fresh.id() + " is READY but the observer does not see it after " + MEMBER_WAIT_MS
          + " ms (members " + c.members() + "): stopped, and a new JVM started");
      } else {
        report.note(fresh.id() + " is not READY (alive " + fresh.alive() + "); stopped, and a new JVM started");
      }
      fresh.stop(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
      fresh = c.launch(victim);
    }
    return new Restart(fresh.isReady() ? fresh.ready.getNow(-1L) - killAt : -1, MAX_STARTS,
      c.allMembers() ? System.currentTimeMillis() - killAt : -1, ghosts);
  }

  /**
   * @return ms from a node's log line {@code node left: <victim>} (after {@code killAt}) to the first
   *   {@code placed on} line that follows it in the same log (the leader's), -1 when none
   */
  private static long leftToPlaced(FaultCluster c, String victim, long killAt) {
    List<List<String>> logs = new ArrayList<>();
    c.everyJvm().forEach(j -> logs.add(j.logLines("node left: " + victim, "placed on")));
    logs.add(FaultReport.grep(c.observerLog(), "[node=observer] node left: " + victim, "[node=observer] daemon '"));
    long best = -1;
    for (List<String> lines : logs) {
      long left = -1;
      for (String line : lines) {
        long t = FaultReport.logTime(line, killAt);
        if (t < killAt) {
          continue;
        }
        if (left < 0 && (line.endsWith("node left: " + victim) || line.contains("node left: " + victim + " ("))) {
          left = t;
        } else if (left >= 0 && line.contains("placed on")) {
          best = best < 0 ? t - left : Math.min(best, t - left);
          break;
        }
      }
    }
    return best;
  }

  /**
   * The fault model's "process crash" row: calls to a killed node's daemons fail fast (503: its port
   * refuses connections) until the daemons run elsewhere, rather than waiting for the request timeout.
   * Counted: the observer's calls to a moved daemon issued from {@value #FAIL_FAST_AFTER_MS} ms after the
   * kill until its first heartbeat elsewhere; fast = completed within {@value #FAIL_FAST_MS} ms with
   * 503 or 404.
   */
  private static void failFast(FaultReport report, LoadStream load, List<Kill> kills) {
    List<LoadStream.Op> ops = load.ops();
    int total = 0;
    Map<String, Integer> outcomes = new LinkedHashMap<>();
    List<String> slow = new ArrayList<>();
    long worst = 0;
    for (Kill k : kills) {
      for (String d : k.moved()) {
        long movedAt = k.failover().getOrDefault(d, -1L);
        long until = movedAt < 0 ? Long.MAX_VALUE : k.killedAt() + movedAt;
        for (LoadStream.Op o : ops) {
          if (!o.kind().equals("call") || !o.target().equals(d) || o.issuedAt() < k.killedAt() + FAIL_FAST_AFTER_MS
            || o.issuedAt() >= until) {
            continue;
          }
          total++;
          outcomes.merge(o.outcome(), 1, Integer::sum);
          worst = Math.max(worst, o.took());
          boolean fast = o.doneAt() >= 0 && o.took() <= FAIL_FAST_MS && (o.outcome().equals("503") || o.outcome().equals("404"));
          if (!fast) {
            slow.add("kill " + k.n() + " " + d + ": " + o.outcome() + " after " + o.took() + " ms (" + o.message() + ")");
          }
        }
      }
    }
    report.check("calls to a killed node's daemons fail fast (503/404 within " + FAIL_FAST_MS + " ms; its port refuses)"
        + " until they run elsewhere", slow.isEmpty(), total + " such calls, outcomes " + outcomes + ", slowest " + worst
        + " ms" + (slow.isEmpty() ? "" : "; not fast: " + FaultReport.firstN(slow, 6)));
  }

  /** @return ms from {@code t} to the first report of a node (or the observer) that it leads line of a JVM after it, -1 when none */
  private static long newLeaderAfter(FaultCluster c, long t) {
    return c.leadershipAfter(t).stream().filter(FaultCluster.LeaderEvent::leader).mapToLong(e -> e.at() - t).findFirst()
      .orElse(-1);
  }

  private static void table(FaultReport report, List<Kill> kills, long bound) {
    report.table("kills (failover = kill -> first heartbeat of the daemon from another node)",
      "#", "at", "victim", "was leader", "daemons moved", "failover max", "failover median", "new leader after",
      "leader: node left -> placed", "restart READY after", "JVM starts", "4 members again after",
      "ghost JVMs (READY, never a member)");
    for (Kill k : kills) {
      List<Long> f = k.failover().values().stream().toList();
      boolean missing = f.stream().anyMatch(v -> v < 0);
      report.row(k.n(), String.format("%.1f s", k.at() / 1000.0), k.victim(), k.leader() ? "yes" : "no", k.moved().size(),
        k.moved().isEmpty() ? "-" : missing ? "MISSING" : FaultReport.max(f) + " ms",
        k.moved().isEmpty() || missing ? "-" : FaultReport.median(f) + " ms",
        k.leader() ? (k.newLeaderMs() < 0 ? "none" : k.newLeaderMs() + " ms") : "-",
        k.leftToPlacedMs() < 0 ? "-" : k.leftToPlacedMs() + " ms",
        k.readyMs() < 0 ? "never" : k.readyMs() + " ms", k.starts(), k.memberMs() < 0 ? "never" : k.memberMs() + " ms",
        k.ghosts().isEmpty() ? "-" : String.join(" ", k.ghosts()));
    }
    List<Long> all = new ArrayList<>();
    kills.forEach(k -> k.failover().values().stream().filter(v -> v >= 0).forEach(all::add));
    report.note(String.format("%d kills, %d daemon moves: failover max %d ms, median %d ms (bound %d ms)",
      kills.size(), all.size(), FaultReport.max(all), FaultReport.median(all), bound));
  }

  private void finalChecks(FaultCluster c, FaultReport report, List<Kill> kills) throws Exception {
    long bound = c.failoverBound();
    List<String> late = new ArrayList<>();
    for (Kill k : kills) {
      k.failover().forEach((d, ms) -> {
        if (ms < 0 || ms > bound) {
          late.add("kill " + k.n() + " " + d + (ms < 0 ? " never" : " " + ms + " ms"));
        }
      });
    }
    report.check("every moved daemon heartbeats again from another node within " + bound + " ms of each kill",
      late.isEmpty() && !kills.isEmpty(), late.isEmpty() ? kills.size() + " kills" : late.toString());
    // a scan that could not tell whether a daemon runs (a directory owner did not answer: typically the
    // victim's fresh JVM, a member before its whereis service listens) is retried 1 s later
    List<String> slow = new ArrayList<>();
    kills.stream().filter(k -> k.leftToPlacedMs() > SETTLE_DELAY + RETRY_MS + 500)
      .forEach(k -> slow.add("kill " + k.n() + ": " + k.leftToPlacedMs() + " ms"));
    long retried = kills.stream().filter(k -> k.leftToPlacedMs() > SETTLE_DELAY + 500).count();
    report.check("the leader re-places a lost node's daemons within failoverDelay (here = settleDelay, " + SETTLE_DELAY
        + " ms; at once when the killed JVM's port refuses connections; +500 ms slack; + "
        + RETRY_MS + " ms when its scan was retried) after it sees the node leave (its log)", slow.isEmpty(),
      (slow.isEmpty() ? "" : slow + "; ") + retried + " kill(s) needed the retry");
    List<String> ghosts = new ArrayList<>();
    kills.forEach(k -> ghosts.addAll(k.ghosts()));
    report.check("every restarted node (same name, new JVM) becomes a member within " + MEMBER_WAIT_MS + " ms of READY",
      ghosts.isEmpty(), ghosts.isEmpty() ? "" : "ignored by the cluster: " + ghosts + " (see the notes above)");
    long settled = until(20_000, 100, () -> c.allMembers() && c.everyDaemonOnce());
    boolean stable = settled >= 0 && FaultCluster.stable(2_000, 10_000, c::everyDaemonOnce);
    report.check("at the end: 4 members and every daemon heartbeating exactly once (2 s)", stable,
      "members " + c.members() + ", placement " + c.placement());
    Map<String, String> answered = new LinkedHashMap<>();
    until(15_000, 200, () -> {
      answered.putAll(c.callAll());
      return answered.size() == DAEMONS;
    });
    Map<String, HeartbeatMonitor.Instance> live = c.singleLive(500);
    List<String> wrong = c.daemons().stream()
      .filter(d -> live.get(d) == null || !live.get(d).node().equals(answered.get(d))).toList();
    report.check("at the end every daemon answers a call from the observer, from the node it heartbeats from",
      answered.size() == DAEMONS && wrong.isEmpty(), answered.size() + "/" + DAEMONS + " answered"
        + (wrong.isEmpty() ? "" : "; mismatched " + wrong + ": answered " + answered + ", live " + live));
    // the heartbeats sent until now have arrived once every daemon has beaten since (polled, not slept)
    long mark = System.currentTimeMillis();
    until(5_000, 20, () -> c.beats.allBeatAfter(c.daemons(), mark));
    List<HeartbeatMonitor.Overlap> overlaps = c.beats.overlaps(TOLERANCE_MS);
    report.check("never two instances of one daemon heartbeating at once (> " + TOLERANCE_MS + " ms)", overlaps.isEmpty(),
      overlaps.isEmpty() ? c.beats.all().size() + " instances, " + c.beats.counts()
        : overlaps.size() + " overlaps: " + FaultReport.firstN(overlaps, 10));
    List<HeartbeatMonitor.Overlap> any = c.beats.overlaps(-1);
    report.note("instances that heartbeated concurrently at all (any overlap, short ones included): " + any.size()
      + (any.isEmpty() ? "" : " " + FaultReport.firstN(any, 12)));
    List<String> rogue = new ArrayList<>();
    c.everyJvm().forEach(j -> j.placementsWhileNotLeading(200).forEach(l -> rogue.add(j.id() + ": " + l)));
    report.check("no node places a daemon while it does not lead (node logs vs LEADERSHIP lines)", rogue.isEmpty(),
      rogue.isEmpty() ? "" : rogue.size() + ": " + FaultReport.firstN(rogue, 6));
    long end = System.currentTimeMillis() - 300;
    long worst = 0;
    String worstName = "-";
    for (String d : c.daemons()) {
      long first = c.beats.firstStartAfter(d, 0, i -> true);
      long gap = first < 0 ? Long.MAX_VALUE : c.beats.longestGap(d, first, end);
      if (gap > worst) {
        worst = gap;
        worstName = d;
      }
    }
    report.check("no daemon goes without heartbeats for longer than the bound (from its first heartbeat on)",
      worst <= bound, "longest gap: " + worstName + " " + worst + " ms");
  }
}
