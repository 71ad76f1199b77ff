package dev.vxext.fault;

import org.apache.curator.test.TestingServer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The link faults of the fault model, each on 3 node JVMs running 12 daemons (session timeout 4 s) plus
 * the observer, under the observer's steady requests ({@link LoadStream}):
 * <ul>
 *   <li>{@value #ZK_OUTAGE}: the ZooKeeper server is stopped for 2x the session timeout (every session
 *   expires on the server when it comes back), then restarted;</li>
 *   <li>{@value #ZK_CUT}: a node that is not the leader and runs daemons is cut from ZooKeeper only (its
 *   ZooKeeper proxy holds every byte; its peers still reach it) for 2x the session timeout;</li>
 *   <li>{@value #PEER_CUT}: a node that is not the leader and runs daemons is cut from every peer, the
 *   observer included, both ways (ZooKeeper fine) for 10 s (6 s with {@code --quick});</li>
 *   <li>{@value #ASYMMETRIC_CUT}: the leader A cannot reach a node B that runs daemons (B's event-bus proxy
 *   holds the connections from A), B reaches A, for 10 s (6 s);</li>
 *   <li>{@value #LEADER_ISOLATED}: the leader is cut from everything (ZooKeeper and every peer) for 2x the
 *   session timeout.</li>
 * </ul>
 * Then the fault heals. Checks (besides {@link FaultChecks#finish}): the recovery after the heal within
 * 15 s ({@link FaultCluster#recoveryBound()}: members, one leader, every daemon once, every process
 * locatable, every {@code /health} 200, lasting at least 2 session timeouts + 2 s after the heal); for a
 * node cut from ZooKeeper (zk-cut, leader-isolated): its daemons run elsewhere within the failover bound,
 * within failoverDelay + {@value #PLACE_SLACK_MS} ms of the first node counting it gone, and it stops them
 * before they start elsewhere; for leader-isolated: another node leads during the cut and the cut-off
 * leader steps down.
 */
final class PartitionScenario {

  static final String ZK_OUTAGE = "zk-outage";
  static final String ZK_CUT = "zk-cut";
  static final String PEER_CUT = "peer-cut";
  static final String ASYMMETRIC_CUT = "asymmetric-cut";
  static final String LEADER_ISOLATED = "leader-isolated";

  private static final int DAEMONS = 12;
  private static final long SESSION_TIMEOUT = 4_000;
  private static final long SETTLE_DELAY = 1_000;
  /** Slack of "placed within failoverDelay of the node counted gone". */
  private static final long PLACE_SLACK_MS = 1_000;
  private static final int MAX_LOG_LINES = 14;
  private static final String[] LOG_NEEDLES = {"State change", "self-fencing", "election", "also runs on",
    "own cluster registration", "node left", "node joined", "placed on", "expired", "stale leader", "lost node",
    "refused", "leader"};

  private final String name;
  private final TestingServer server;
  private final Path logDir;
  private final boolean quick;

  PartitionScenario(String name, TestingServer server, Path logDir, boolean quick) {
    this.name = name;
    this.server = server;
    this.logDir = logDir;
    this.quick = quick;
  }

  /** @return how long the fault lasts */
  private long duration() {
    return switch (name) {
      case PEER_CUT, ASYMMETRIC_CUT -> quick ? 6_000 : 10_000;
      default -> 2 * SESSION_TIMEOUT;
    };
  }

  FaultReport run() throws Exception {
    FaultReport report = new FaultReport(name);
    String prefix = switch (name) {
      case ZK_OUTAGE -> "zo-";
      case ZK_CUT -> "zc-";
      case PEER_CUT -> "pc-";
      case ASYMMETRIC_CUT -> "ac-";
      default -> "li-";
    };
    List<String> nodes = List.of(prefix + 1, prefix + 2, prefix + 3);
    try (FaultCluster c = new FaultCluster(name, server.getConnectString(), logDir, nodes, SESSION_TIMEOUT, SETTLE_DELAY,
      DAEMONS)) {
      if (!name.equals(ZK_OUTAGE)) {
        c.behindProxies();
      }
      c.start();
      if (!FaultChecks.converge(c, report, 30_000)) {
        return report;
      }
      String leader = c.leaders().get(0);
      Map<String, List<String>> placement = c.placement();
      String victim = switch (name) {
        case ZK_OUTAGE -> null;
        case LEADER_ISOLATED -> leader;
        default -> FaultChecks.busiestFollower(c, leader);
      };
      if (name.equals(LEADER_ISOLATED) && FaultCluster.OBSERVER.equals(leader)) {
        report.check("the leader is a node JVM (it is the observer, which this scenario does not cut)", false, "");
        return report;
      }
      if (!name.equals(ZK_OUTAGE) && victim == null) {
        report.check("a node other than the leader runs daemons", false, "placement " + placement);
        return report;
      }
      FaultJvm vj = victim == null ? null : c.jvm(victim);
      List<String> moved = victim == null ? List.of() : List.copyOf(placement.getOrDefault(victim, List.of()));
      report.note(String.format("%d node JVMs%s, %d daemons, sessionTimeout %d ms, settleDelay = failoverDelay %d ms,"
          + " requestTimeout %d ms; fault %d ms; leader %s; %s; placement %s; logs in %s", nodes.size(),
        c.proxied() ? " behind proxies" : "", DAEMONS, SESSION_TIMEOUT, SETTLE_DELAY, FaultNode.REQUEST_TIMEOUT_MS,
        duration(), leader, what(victim, leader), placement, logDir));

      LoadStream load = FaultChecks.startLoad(c, false);
      long loadFrom = System.currentTimeMillis();
      long cronFrom = loadFrom + 1_000;
      // a steady state under load first
      Thread.sleep(1_000);
      long faultAt = System.currentTimeMillis();
      long healAt;
      List<Recovery.HealthChange> health = List.of();
      String links = "-";
      try {
        faultAt = cut(c, victim, leader);
        health = Recovery.watchHealth(c, faultAt + duration());
        links = c.proxied() ? c.linkStates() : "-";
      } finally {
        healAt = heal(c);
      }
      Recovery.Result recovery = Recovery.measure(c, healAt, c.recoveryBound());

      timeline(report, c, vj, moved, faultAt, healAt, recovery);
      if (c.proxied()) {
        report.note("proxies just before the heal (connections held / open): " + links);
      }
      Recovery.reportHealth(report, health, faultAt, "/health during the fault (changes, ms from the fault)");
      if (vj != null) {
        daemonTable(report, c, vj, moved, faultAt, healAt);
      }
      logTable(report, c, faultAt);
      Recovery.report(report, recovery, healWhat());
      specificChecks(report, c, vj, moved, faultAt, healAt);
      Map<String, Long> phases = new LinkedHashMap<>();
      phases.put("before the fault", loadFrom);
      phases.put("during the fault", faultAt);
      phases.put("after the heal", healAt);
      FaultChecks.finish(c, report, load, phases, cronFrom);
      c.shutdown();
      report.note("exit status of the node JVMs: " + c.exits());
    }
    return report;
  }

  private String what(String victim, String leader) {
    return switch (name) {
      case ZK_OUTAGE -> "ZooKeeper server stopped (TestingServer.stop(), data kept), then restarted";
      case ZK_CUT -> "cut from ZooKeeper: " + victim;
      case PEER_CUT -> "cut from every peer and the observer, both ways: " + victim;
      case ASYMMETRIC_CUT -> leader + " cannot reach " + victim + " (" + victim + " reaches " + leader + ")";
      default -> "leader " + victim + " cut from ZooKeeper and every peer";
    };
  }

  private String healWhat() {
    return name.equals(ZK_OUTAGE) ? "the ZooKeeper restart" : "the heal";
  }

  /** Applies the fault. @return its time, epoch ms */
  private long cut(FaultCluster c, String victim, String leader) throws Exception {
    long at = System.currentTimeMillis();
    switch (name) {
      case ZK_OUTAGE -> server.stop();
      case ZK_CUT -> c.cutFromZookeeper(victim);
      case PEER_CUT -> c.cutFromPeers(victim);
      case ASYMMETRIC_CUT -> c.cutOneWay(leader, victim);
      default -> {
        c.cutFromZookeeper(victim);
        c.cutFromPeers(victim);
      }
    }
    return at;
  }

  /** Heals the fault (whatever happened). @return its time, epoch ms */
  private long heal(FaultCluster c) throws Exception {
    if (name.equals(ZK_OUTAGE)) {
      // whatever happens, the next scenarios need ZooKeeper
      server.restart();
      return System.currentTimeMillis();
    }
    return c.healAll();
  }

  private void specificChecks(FaultReport report, FaultCluster c, FaultJvm vj, List<String> moved, long faultAt,
                              long healAt) {
    if (name.equals(ZK_CUT) || name.equals(LEADER_ISOLATED)) {
      List<Long> failover = new ArrayList<>();
      List<String> never = new ArrayList<>();
      List<String> fencedLate = new ArrayList<>();
      for (String d : moved) {
        long up = FaultChecks.firstUpElsewhere(c, d, faultAt, vj);
        if (up < 0 || up > healAt) {
          never.add(d);
        } else {
          failover.add(up - faultAt);
        }
        long down = FaultChecks.downOf(vj, d, faultAt);
        if (up > 0 && (down < 0 || down > up)) {
          fencedLate.add(d + " (stopped " + (down < 0 ? "never" : FaultReport.rel(down, faultAt)) + ", started elsewhere "
            + FaultReport.rel(up, faultAt) + ")");
        }
      }
      long max = FaultReport.max(failover);
      report.check("the cut node's daemons " + moved + " run elsewhere within the failover bound (" + c.failoverBound()
          + " ms from the cut, during the cut; UP lines)", !moved.isEmpty() && never.isEmpty() && max <= c.failoverBound(),
        (never.isEmpty() ? "" : "not during the cut: " + never + "; ") + "failover of the others max " + max
          + " ms, median " + FaultReport.median(failover) + " ms");
      long lastDown = moved.stream().mapToLong(d -> FaultChecks.downOf(vj, d, faultAt)).max().orElse(-1);
      long firstUp = moved.stream().mapToLong(d -> FaultChecks.firstUpElsewhere(c, d, faultAt, vj)).filter(t -> t > 0)
        .min().orElse(-1);
      long left = nodeLeft(c, vj.name, faultAt);
      long lastUp = moved.stream().mapToLong(d -> FaultChecks.firstUpElsewhere(c, d, faultAt, vj)).max().orElse(-1);
      boolean allUp = moved.stream().allMatch(d -> FaultChecks.firstUpElsewhere(c, d, faultAt, vj) > 0);
      report.check("its daemons start elsewhere within failoverDelay + " + PLACE_SLACK_MS + " ms ("
          + (SETTLE_DELAY + PLACE_SLACK_MS) + " ms) of the first node counting it gone (nothing waits for the cut node)",
        left > 0 && allUp && lastUp - left <= SETTLE_DELAY + PLACE_SLACK_MS,
        left < 0 ? "no node counted it gone during the cut" : !allUp ? "not all started elsewhere"
          : "counted gone " + FaultReport.rel(left, faultAt) + ", last started elsewhere " + (lastUp - left) + " ms later");
      report.check("the cut node stops each of its daemons before it starts elsewhere (self-fencing first)",
        fencedLate.isEmpty(), (fencedLate.isEmpty() ? "" : FaultReport.firstN(fencedLate, 6) + "; ")
          + "margin (its last DOWN -> the first UP elsewhere) " + (lastDown > 0 && firstUp > 0 ? (firstUp - lastDown) + " ms" : "-")
          + "; it stopped the last " + (lastDown > 0 && left > 0 ? Math.abs(lastDown - left) + " ms "
          + (lastDown > left ? "after" : "before") : "? ms before/after") + " the first node counted it gone");
    }
    if (name.equals(LEADER_ISOLATED)) {
      long newLeader = c.leadershipAfter(faultAt).stream()
        .filter(e -> e.leader() && !e.node().equals(vj.name) && e.at() < healAt)
        .mapToLong(FaultCluster.LeaderEvent::at).findFirst().orElse(-1);
      report.check("another node leads while the leader is cut off", newLeader > 0,
        newLeader > 0 ? FaultReport.rel(newLeader, faultAt) + " after the cut" : "no LEADERSHIP true line of another node");
      long stepDown = vj.leadership().stream().filter(l -> !l.leader() && l.at() >= faultAt && l.at() < healAt)
        .mapToLong(FaultJvm.Leadership::at).findFirst().orElse(-1);
      report.check("the cut-off leader steps down during the cut (its LEADERSHIP false line)", stepDown > 0,
        stepDown > 0 ? FaultReport.rel(stepDown, faultAt) + " after the cut" : "it did not say so");
    }
  }

  /** @return the time of the first {@code node left: <node>} line after {@code t} in another node's log, -1 when none */
  private static long nodeLeft(FaultCluster c, String node, long t) {
    long first = -1;
    List<List<String>> logs = new ArrayList<>();
    c.everyJvm().stream().filter(j -> !j.name.equals(node)).forEach(j -> logs.add(j.logLines("node left: " + node)));
    logs.add(FaultReport.grep(c.observerLog(), "[node=" + FaultCluster.OBSERVER + "] node left: " + node));
    for (List<String> lines : logs) {
      for (String line : lines) {
        long at = FaultReport.logTime(line, t);
        // "node left: <name>" then, since the liveness watch, " (<why>)"
        if ((line.endsWith("node left: " + node) || line.contains("node left: " + node + " ("))
          && at >= t && (first < 0 || at < first)) {
          first = at;
        }
      }
    }
    return first;
  }

  private static void timeline(FaultReport report, FaultCluster c, FaultJvm vj, List<String> moved, long faultAt,
                               long healAt, Recovery.Result recovery) {
    List<Object[]> events = new ArrayList<>();
    events.add(new Object[] {faultAt, "fault"});
    events.add(new Object[] {healAt, "heal"});
    c.leadershipAfter(faultAt - 1).forEach(e -> events.add(new Object[] {e.at(), "LEADERSHIP " + e.node() + " " + e.leader()}));
    if (vj != null) {
      long firstDown = Long.MAX_VALUE;
      long lastDown = -1;
      long firstUp = Long.MAX_VALUE;
      long lastUp = -1;
      for (String d : moved) {
        long down = FaultChecks.downOf(vj, d, faultAt);
        long up = FaultChecks.firstUpElsewhere(c, d, faultAt, vj);
        if (down > 0) {
          firstDown = Math.min(firstDown, down);
          lastDown = Math.max(lastDown, down);
        }
        if (up > 0) {
          firstUp = Math.min(firstUp, up);
          lastUp = Math.max(lastUp, up);
        }
      }
      if (lastDown > 0) {
        events.add(new Object[] {firstDown, vj.name + " stops its first daemon (DOWN)"});
        events.add(new Object[] {lastDown, vj.name + " stops its last daemon (DOWN)"});
      }
      if (lastUp > 0) {
        events.add(new Object[] {firstUp, "first of its daemons starts elsewhere (UP)"});
        events.add(new Object[] {lastUp, "last of its daemons starts elsewhere (UP)"});
      }
      long left = nodeLeft(c, vj.name, faultAt);
      if (left > 0) {
        events.add(new Object[] {left, "first node to count " + vj.name + " gone ('node left' in its log)"});
      }
    }
    if (recovery.recovered()) {
      events.add(new Object[] {healAt + recovery.all(), "recovered (every condition at once)"});
    }
    events.sort(Comparator.comparingLong(e -> (Long) e[0]));
    report.table("timeline (ms from the fault / from the heal)", "from the fault", "from the heal", "event");
    for (Object[] e : events) {
      long t = (Long) e[0];
      report.row(t - faultAt, t >= healAt ? FaultReport.rel(t, healAt) : "", e[1]);
    }
  }

  private static void daemonTable(FaultReport report, FaultCluster c, FaultJvm vj, List<String> moved, long faultAt,
                                  long healAt) {
    report.table("daemons of " + vj.name + " (ms from the fault): its instance stopped (DOWN), first instance elsewhere"
      + " (UP, first heartbeat), now", "daemon", "stopped on " + vj.name, "started elsewhere", "first heartbeat elsewhere",
      "now");
    Map<String, HeartbeatMonitor.Instance> live = c.singleLive(500);
    for (String d : moved) {
      long down = FaultChecks.downOf(vj, d, faultAt);
      long up = FaultChecks.firstUpElsewhere(c, d, faultAt, vj);
      long beat = c.beats.firstStartAfter(d, faultAt, i -> !i.node().equals(vj.name));
      HeartbeatMonitor.Instance now = live.get(d);
      report.row(d, down < 0 ? "no" : FaultReport.rel(down, faultAt), up < 0 ? "no" : FaultReport.rel(up, faultAt),
        beat < 0 ? "no" : FaultReport.rel(beat, faultAt), now == null ? "none or several" : now.host());
    }
    long others = c.daemons().stream().filter(d -> !moved.contains(d))
      .filter(d -> FaultChecks.firstUpElsewhere(c, d, faultAt, null) > 0).count();
    report.note("other daemons started anew after the fault (not the cut node's): " + others);
  }

  private static void logTable(FaultReport report, FaultCluster c, long faultAt) {
    report.table("node log lines from the fault on (ms from the fault; at most " + MAX_LOG_LINES + " a node)", "node",
      "at", "line");
    for (FaultJvm j : c.everyJvm()) {
      int shown = 0;
      for (String line : j.logLines(LOG_NEEDLES)) {
        long t = FaultReport.logTime(line, faultAt);
        if (t >= faultAt - 50 && shown < MAX_LOG_LINES) {
          report.row(j.id(), FaultReport.rel(t, faultAt), FaultReport.logText(line));
          shown++;
        }
      }
    }
  }
}
