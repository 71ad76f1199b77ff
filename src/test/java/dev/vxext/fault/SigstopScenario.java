package dev.vxext.fault;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static dev.vxext.fault.FaultCluster.until;

/**
 * Scenarios {@value #LEADER} and {@value #FOLLOWER}: 3 node JVMs run 12 daemons (session timeout 4 s);
 * one JVM (the leader, or the non-leader hosting the most daemons) is frozen with SIGSTOP until its
 * session has expired (at least session timeout + 2 s, until its daemons run elsewhere, at most the
 * failover bound + 1 s), then resumed with SIGCONT. Checks: a new leader is elected while it is frozen
 * (leader case); its daemons run elsewhere before it resumes; after SIGCONT its old instances do not
 * heartbeat alongside the new ones for more than 250 ms; no node places daemons while it does not lead;
 * it rejoins the cluster; no daemon is missing at the end; plus the recovery after SIGCONT and the
 * invariants of {@link FaultChecks}.
 */
final class SigstopScenario {

  static final String LEADER = "leader-session-expiry";
  static final String FOLLOWER = "sigstop-follower";

  private static final int DAEMONS = 12;
  private static final long SESSION_TIMEOUT = 4_000;
  private static final long SETTLE_DELAY = 1_000;
  private static final long TOLERANCE_MS = 250;
  private static final int MAX_LOG_LINES = 16;
  private static final String[] LOG_NEEDLES = {"State change", "self-fencing", "election", "also runs on",
    "own cluster registration", "node left", "node joined", "placed on", "has expired", "stale leader",
    "session timed out", "refused"};

  private final String zookeeper;
  private final Path logDir;
  private final boolean leaderVictim;
  private final String name;

  SigstopScenario(String zookeeper, Path logDir, boolean leaderVictim) {
    this.zookeeper = zookeeper;
    this.logDir = logDir;
    this.leaderVictim = leaderVictim;
    this.name = leaderVictim ? LEADER : FOLLOWER;
  }

  FaultReport run() throws Exception {
    FaultReport report = new FaultReport(name);
    String prefix = leaderVictim ? "ls-" : "fs-";
    List<String> nodes = List.of(prefix + 1, prefix + 2, prefix + 3);
    try (FaultCluster c = new FaultCluster(name, zookeeper, logDir, nodes, SESSION_TIMEOUT, SETTLE_DELAY, DAEMONS)) {
      c.start();
      long converged = until(30_000, 100, () -> c.allMembers() && c.everyDaemonOnce() && c.leaders().size() == 1);
      report.check("initial convergence: 3 members, every daemon heartbeating once, one leader", converged >= 0,
        converged >= 0 ? converged + " ms" : "placement " + c.placement() + ", leaders " + c.leaders());
      if (converged < 0) {
        return report;
      }
      long cronFrom = System.currentTimeMillis() + 1_000;
      LoadStream load = FaultChecks.startLoad(c, false);
      long loadFrom = System.currentTimeMillis();
      String leader = c.leaders().get(0);
      if (leaderVictim && leader.equals(FaultCluster.OBSERVER)) {
        report.check("the leader is a node JVM (it is the observer; nothing to freeze)", false, "");
        return report;
      }
      Map<String, List<String>> placement = c.placement();
      String victim = leaderVictim ? leader : nodes.stream().filter(n -> !n.equals(leader))
        .max(Comparator.comparingInt(n -> placement.getOrDefault(n, List.of()).size())).orElseThrow();
      FaultJvm vj = c.jvm(victim);
      List<String> moved = List.copyOf(placement.getOrDefault(victim, List.of()));
      report.note(String.format("%d node JVMs, %d daemons, sessionTimeout %d ms (negotiated %d), settleDelay %d ms;"
          + " leader %s; victim %s (pid %d) hosts %s; placement %s; logs in %s", nodes.size(), DAEMONS, SESSION_TIMEOUT,
        vj.sessionTimeout(), SETTLE_DELAY, leader, victim, vj.pid(), moved, placement, logDir));

      long stopAt = vj.freeze();
      long minHold = SESSION_TIMEOUT + 2_000;
      Predicate<HeartbeatMonitor.Instance> elsewhere = i -> !i.node().equals(victim);
      until(c.failoverBound() + 1_000, 50, () -> System.currentTimeMillis() - stopAt >= minHold
        && moved.stream().allMatch(d -> c.beats.live(d, System.currentTimeMillis() - 500).stream().anyMatch(elsewhere))
        && (!leaderVictim || !c.leaders().isEmpty()));
      List<String> leadersWhileFrozen = c.leaders();
      List<String> notElsewhere = moved.stream()
        .filter(d -> c.beats.live(d, System.currentTimeMillis() - 500).stream().noneMatch(elsewhere)).toList();
      long contAt = vj.thaw();
      c.beats.freeze(victim, stopAt, contAt);
      Recovery.Result recovery = Recovery.measure(c, contAt, c.recoveryBound());

      long settled = until(30_000, 100, () -> c.allMembers() && c.everyDaemonOnce() && c.leaders().size() == 1);
      boolean stable = settled >= 0 && FaultCluster.stable(3_000, 10_000, c::everyDaemonOnce);
      // the heartbeats sent until now have arrived once every daemon has beaten since (polled, not slept)
      long mark = System.currentTimeMillis();
      until(5_000, 20, () -> c.beats.allBeatAfter(c.daemons(), mark));
      long end = System.currentTimeMillis() - 300;

      timeline(report, c, vj, moved, stopAt, contAt, settled < 0 ? -1 : contAt + settled);
      daemonTable(report, c, victim, placement, stopAt, contAt, end);
      logTable(report, c, stopAt, contAt);
      Recovery.report(report, recovery, "SIGCONT");

      if (leaderVictim) {
        long newLeader = c.leadershipAfter(stopAt).stream()
          .filter(e -> e.leader() && !e.node().equals(victim) && e.at() < contAt)
          .mapToLong(FaultCluster.LeaderEvent::at).findFirst().orElse(-1);
        report.check("a new leader is elected while the leader is frozen", newLeader > 0,
          newLeader > 0 ? FaultReport.rel(newLeader, stopAt) + " after SIGSTOP; leaders then " + leadersWhileFrozen
            : "leaders while frozen " + leadersWhileFrozen);
      } else {
        report.note("leader while the follower was frozen: " + leadersWhileFrozen + " (before: " + leader + ")");
      }
      List<Long> failover = new ArrayList<>();
      for (String d : moved) {
        long first = c.beats.firstStartAfter(d, stopAt, elsewhere);
        failover.add(first < 0 ? Long.MAX_VALUE : first - stopAt);
      }
      report.check("every daemon of the frozen node heartbeats elsewhere within the failover bound ("
          + c.failoverBound() + " ms from SIGSTOP)", FaultReport.max(failover) <= c.failoverBound(),
        moved.isEmpty() ? "it hosted none" : "failover (SIGSTOP -> first heartbeat elsewhere) max "
          + FaultReport.max(failover) + " ms, median " + FaultReport.median(failover) + " ms, " + moved.size() + " daemons");
      report.check("the frozen node's daemons " + moved + " run elsewhere before SIGCONT", notElsewhere.isEmpty(),
        notElsewhere.isEmpty() ? "SIGCONT " + (contAt - stopAt) + " ms after SIGSTOP" : "not moved: " + notElsewhere);
      List<HeartbeatMonitor.Overlap> overlaps = c.beats.overlaps(TOLERANCE_MS);
      report.check("after SIGCONT no old instance heartbeats alongside a new one for more than " + TOLERANCE_MS + " ms",
        overlaps.isEmpty(), c.beats.counts() + (overlaps.isEmpty() ? "" : "; " + overlaps.size() + " overlaps: "
          + FaultReport.firstN(overlaps, 8)));
      long stoppedAt = fenceLine(vj, contAt);
      report.check("its log: the resumed node stops its old instances (self-fencing) within " + TOLERANCE_MS
          + " ms of SIGCONT",
        moved.isEmpty() || (stoppedAt >= 0 && stoppedAt - contAt <= TOLERANCE_MS),
        stoppedAt < 0 ? "no self-fencing line after SIGCONT" : "self-fencing " + FaultReport.rel(stoppedAt, contAt)
          + " after SIGCONT");
      List<String> rogue = new ArrayList<>();
      c.everyJvm().forEach(j -> j.placementsWhileNotLeading(200).forEach(l -> rogue.add(j.id() + ": " + l)));
      report.check("no node places a daemon while it does not lead (node logs vs LEADERSHIP lines)", rogue.isEmpty(),
        rogue.isEmpty() ? "" : rogue.size() + ": " + FaultReport.firstN(rogue, 6));
      report.check("the resumed node is a member again and every daemon heartbeats once (3 s)", stable,
        "members " + c.members() + ", placement " + c.placement());
      report.check("exactly one leader at the end", c.leaders().size() == 1, "leaders " + c.leaders());
      Map<String, String> answered = c.callAll();
      report.check("no daemon missing at the end: every daemon answers a call", answered.size() == DAEMONS,
        answered.size() + "/" + DAEMONS);
      c.checkLocatable(report, 15_000);
      c.checkCron(report, cronFrom, System.currentTimeMillis() - 2_000);
      List<HeartbeatMonitor.Overlap> any = c.beats.overlaps(-1);
      report.note("instances that heartbeated concurrently at all (any overlap, short ones included): " + any.size()
        + (any.isEmpty() ? "" : " " + FaultReport.firstN(any, 12)));
      FaultChecks.checkLifetimes(c, report);
      Map<String, Long> phases = new java.util.LinkedHashMap<>();
      phases.put("before SIGSTOP", loadFrom);
      phases.put("frozen", stopAt);
      phases.put("after SIGCONT", contAt);
      FaultChecks.finishLoad(report, load, phases);
      FaultChecks.checkHealth(report, c, 15_000);
      c.shutdown();
      report.note("exit status of the node JVMs: " + c.exits());
    }
    return report;
  }

  /**
   * @return the time of the first self-fencing line of {@code vj}'s log after SIGCONT (what stops its old
   *   instances: they are older than their replacements, so the duplicate rule never stops them), or -1
   */
  private static long fenceLine(FaultJvm vj, long contAt) {
    for (String line : vj.logLines("self-fencing")) {
      long t = FaultReport.logTime(line, contAt);
      if (t >= contAt - 50) {
        return t;
      }
    }
    return -1;
  }

  private static void timeline(FaultReport report, FaultCluster c, FaultJvm vj, List<String> moved, long stopAt,
                               long contAt, long settledAt) {
    List<Object[]> events = new ArrayList<>();
    events.add(new Object[] {stopAt, "SIGSTOP " + vj.name});
    events.add(new Object[] {contAt, "SIGCONT " + vj.name});
    c.leadershipAfter(stopAt).forEach(e -> events.add(new Object[] {e.at(), "LEADERSHIP " + e.node() + " " + e.leader()}));
    long first = Long.MAX_VALUE;
    long last = -1;
    for (String d : moved) {
      long t = c.beats.firstStartAfter(d, stopAt, i -> !i.node().equals(vj.name));
      first = t < 0 ? first : Math.min(first, t);
      last = t < 0 ? last : Math.max(last, t);
    }
    if (last > 0) {
      events.add(new Object[] {first, "first heartbeat of a moved daemon elsewhere"});
      events.add(new Object[] {last, "every moved daemon heartbeats elsewhere (" + moved.size() + ")"});
    }
    for (String line : vj.logLines("State change", "self-fencing", "own cluster registration is back")) {
      long t = FaultReport.logTime(line, contAt);
      if (t >= contAt - 50) {
        events.add(new Object[] {t, vj.name + " log: " + line.substring(line.indexOf(" - ") + 3)});
      }
    }
    if (settledAt > 0) {
      events.add(new Object[] {settledAt, "3 members, every daemon once, one leader"});
    }
    events.sort(Comparator.comparingLong(e -> (Long) e[0]));
    report.table("timeline (ms from SIGSTOP / from SIGCONT)", "from SIGSTOP", "from SIGCONT", "event");
    for (Object[] e : events) {
      long t = (Long) e[0];
      report.row(t - stopAt, t >= contAt ? FaultReport.rel(t, contAt) : "", e[1]);
    }
  }

  private static void daemonTable(FaultReport report, FaultCluster c, String victim, Map<String, List<String>> before,
                                  long stopAt, long contAt, long end) {
    report.table("daemons: instances (node#jvm/deployment) seen from SIGSTOP on; heartbeats of old instances after SIGCONT"
        + " (refused ones included); longest time after SIGCONT with no instance heartbeating",
      "daemon", "before", "old instance beats after SIGCONT", "instances started after SIGSTOP", "now", "gap after SIGCONT");
    Map<String, HeartbeatMonitor.Instance> live = c.singleLive(500);
    for (String d : c.daemons()) {
      String was = before.entrySet().stream().filter(e -> e.getValue().contains(d)).map(Map.Entry::getKey).findFirst()
        .orElse("-");
      List<String> tails = new ArrayList<>();
      List<String> started = new ArrayList<>();
      for (HeartbeatMonitor.Instance i : c.beats.all()) {
        if (!i.name().equals(d)) {
          continue;
        }
        if (i.firstAt() < stopAt && i.node().equals(victim)) {
          long[] tail = c.beats.beatsFrom(i, contAt);
          tails.add(tail[0] == 0 ? "none" : tail[0] + " (" + i.refused() + " refused), last " + FaultReport.rel(tail[1], contAt));
        } else if (i.firstAt() >= stopAt) {
          started.add(i.host() + "/" + i.deploymentId() + " at " + FaultReport.rel(i.firstAt(), contAt)
            + (i.lastAt() < end - 500 ? " (gone " + FaultReport.rel(i.lastAt(), contAt) + ")" : ""));
        }
      }
      HeartbeatMonitor.Instance now = live.get(d);
      report.row(d, was, tails.isEmpty() ? "-" : String.join("; ", tails), started.isEmpty() ? "-" : String.join("; ", started),
        now == null ? "none or several" : now.host() + "/" + now.deploymentId(), c.beats.longestGap(d, contAt, end) + " ms");
    }
  }

  private static void logTable(FaultReport report, FaultCluster c, long stopAt, long contAt) {
    report.table("node log lines from SIGSTOP on (ms from SIGCONT; at most " + MAX_LOG_LINES + " a node)", "node", "at", "line");
    for (FaultJvm j : c.everyJvm()) {
      int shown = 0;
      for (String line : j.logLines(LOG_NEEDLES)) {
        long t = FaultReport.logTime(line, contAt);
        if (t > stopAt && shown < MAX_LOG_LINES) {
          report.row(j.name, FaultReport.rel(t, contAt), FaultReport.logText(line));
          shown++;
        }
      }
    }
  }
}
