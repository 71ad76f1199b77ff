package dev.vxext.fault;

import dev.vxext.process.ProcessId;
import org.apache.curator.test.TestingServer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.vxext.fault.FaultCluster.until;

/**
 * Scenario {@value #NAME}: 3 node JVMs run 12 daemons with an 8 s session timeout; the embedded ZooKeeper
 * server is stopped ({@code TestingServer.stop()}), kept down 3 s (sessions survive) and restarted. Checks:
 * no two instances of a daemon ever heartbeat at once; after the restart every daemon runs exactly once,
 * the observer sees all 3 nodes, and the {@value FaultNode#MONITOR} process registered before the outage
 * is still locatable (from the observer, and from every node: their heartbeats reach it); plus the recovery
 * after the restart and the invariants of {@link FaultChecks}.
 */
final class ZookeeperRestartScenario {

  static final String NAME = "zookeeper-restart";

  private static final List<String> NODES = List.of("zr-1", "zr-2", "zr-3");
  private static final int DAEMONS = 12;
  private static final long SESSION_TIMEOUT = 8_000;
  private static final long SETTLE_DELAY = 1_000;
  private static final long DOWN_MS = 3_000;
  private static final long TOLERANCE_MS = 250;
  private static final String[] LOG_NEEDLES = {"State change", "self-fencing", "election", "also runs on",
    "own cluster registration", "node left", "node joined", "placed on", "expired", "stale leader"};

  private final TestingServer server;
  private final Path logDir;

  ZookeeperRestartScenario(TestingServer server, Path logDir) {
    this.server = server;
    this.logDir = logDir;
  }

  FaultReport run() throws Exception {
    FaultReport report = new FaultReport(NAME);
    try (FaultCluster c = new FaultCluster(NAME, server.getConnectString(), logDir, NODES, SESSION_TIMEOUT, SETTLE_DELAY,
      DAEMONS)) {
      c.start();
      long converged = until(30_000, 100, () -> c.allMembers() && c.everyDaemonOnce() && c.leaders().size() == 1
        && c.lookupAll().size() == DAEMONS);
      report.note(String.format("%d node JVMs, %d daemons, sessionTimeout %d ms (negotiated %s), settleDelay %d ms,"
          + " ZooKeeper down %d ms; logs in %s", NODES.size(), DAEMONS, SESSION_TIMEOUT,
        NODES.stream().map(n -> Long.toString(c.jvm(n).sessionTimeout())).toList(), SETTLE_DELAY, DOWN_MS, logDir));
      report.check("initial convergence: 3 members, every daemon heartbeating once and located, one leader",
        converged >= 0, converged >= 0 ? converged + " ms" : "placement " + c.placement() + ", leaders " + c.leaders());
      if (converged < 0) {
        return report;
      }
      long cronFrom = System.currentTimeMillis() + 1_000;
      LoadStream load = FaultChecks.startLoad(c, false);
      long loadFrom = System.currentTimeMillis();
      Map<String, ProcessId> before = c.lookupAll();
      ProcessId monitorBefore = FaultCluster.await(c.observer().lookup(FaultNode.MONITOR));
      String leaderBefore = c.leaders().get(0);

      long stopAt = System.currentTimeMillis();
      long restartAt;
      server.stop();
      try {
        Thread.sleep(DOWN_MS);
      } finally {
        // whatever happens, the next scenarios need ZooKeeper
        restartAt = System.currentTimeMillis();
        server.restart();
      }
      long upAt = System.currentTimeMillis();
      Recovery.Result recovery = Recovery.measure(c, upAt, c.recoveryBound());

      // fencing (suspended for half the session timeout) and the re-placements happen within a session timeout
      Thread.sleep(Math.max(0, stopAt + SESSION_TIMEOUT - System.currentTimeMillis()));
      Map<String, ProcessId> after = new LinkedHashMap<>();
      long settled = until(30_000, 100, () -> {
        if (!c.allMembers() || !c.everyDaemonOnce()) {
          return false;
        }
        after.clear();
        after.putAll(c.lookupAll());
        Map<String, HeartbeatMonitor.Instance> live = c.singleLive(500);
        return c.daemons().stream().allMatch(d -> after.get(d) != null && live.get(d) != null
          && after.get(d).node().equals(live.get(d).node()));
      });
      boolean stable = settled >= 0 && FaultCluster.stable(3_000, 10_000, c::everyDaemonOnce);
      long leaderBack = until(15_000, 100, () -> c.leaders().size() == 1);
      String leaderAfter = leaderBack < 0 ? String.valueOf(c.leaders()) : c.leaders().get(0);
      long end = System.currentTimeMillis() - 300;
      long lastGapEnd = -1;
      for (String d : c.daemons()) {
        lastGapEnd = Math.max(lastGapEnd, c.beats.lastGapEnd(d, stopAt, end, 1_000));
      }

      report.table("timeline (ms from ZooKeeper stop)", "event", "at");
      report.row("TestingServer.stop()", "0");
      report.row("TestingServer.restart() called / returned", (restartAt - stopAt) + " / " + (upAt - stopAt));
      report.row("end of the last heartbeat gap > 1 s of any daemon (0: none)", lastGapEnd < 0 ? "0" : lastGapEnd - stopAt);
      c.leadershipAfter(stopAt).forEach(e -> report.row("LEADERSHIP " + e.node() + " " + e.leader(), e.at() - stopAt));
      report.row("leader before / after", leaderBefore + " / " + leaderAfter);

      nodeTable(report, c, stopAt);
      daemonTable(report, c, before, stopAt);
      Recovery.report(report, recovery, "the ZooKeeper restart");

      report.check("after the restart every daemon heartbeats exactly once (3 s), its lookup agrees", stable,
        "placement " + c.placement() + ", lookups " + after.size() + "/" + DAEMONS);
      report.check("the observer sees all 3 nodes again", c.allMembers(), "members " + c.members());
      report.check("exactly one leader after the restart (the observer may lead)", leaderBack >= 0,
        "leaders " + c.leaders());
      ProcessId monitorAfter = FaultCluster.await(c.observer().lookup(FaultNode.MONITOR).otherwiseEmpty());
      report.check("'" + FaultNode.MONITOR + "' (registered before the outage) is still locatable from the observer",
        monitorBefore.sameRegistration(monitorAfter), "before " + monitorBefore + ", after " + monitorAfter);
      List<String> silent = new ArrayList<>();
      for (String n : NODES) {
        boolean hosts = c.placement().getOrDefault(n, List.of()).size() > 0;
        boolean beat = c.beats.all().stream().anyMatch(i -> i.node().equals(n) && i.lastAt() > upAt + 2_000);
        if (hosts && !beat) {
          silent.add(n);
        }
      }
      report.check("every node hosting daemons reaches '" + FaultNode.MONITOR + "' after the restart (heartbeats)",
        silent.isEmpty(), silent.isEmpty() ? "placement " + c.placement() : "silent " + silent);
      Map<String, String> answered = c.callAll();
      report.check("every daemon answers a call", answered.size() == DAEMONS, answered.size() + "/" + DAEMONS);
      c.checkLocatable(report, 15_000);
      c.checkCron(report, cronFrom, System.currentTimeMillis() - 2_000);
      List<HeartbeatMonitor.Overlap> overlaps = c.beats.overlaps(TOLERANCE_MS);
      report.check("never two instances of one daemon heartbeating at once (> " + TOLERANCE_MS + " ms)", overlaps.isEmpty(),
        overlaps.isEmpty() ? c.beats.counts() : overlaps.size() + ": " + FaultReport.firstN(overlaps, 10));
      List<HeartbeatMonitor.Overlap> any = c.beats.overlaps(-1);
      report.note("instances that heartbeated concurrently at all (any overlap): " + any.size()
        + (any.isEmpty() ? "" : " " + FaultReport.firstN(any, 12)));
      long worst = 0;
      for (String d : c.daemons()) {
        worst = Math.max(worst, c.beats.longestGap(d, stopAt - 1_000, end));
      }
      report.check("no daemon goes without heartbeats for longer than the failover bound (" + c.failoverBound()
        + " ms) from 1 s before the stop to the end", worst <= c.failoverBound(), "longest gap " + worst + " ms");
      FaultChecks.checkLifetimes(c, report);
      Map<String, Long> phases = new LinkedHashMap<>();
      phases.put("before the stop", loadFrom);
      phases.put("ZooKeeper down", stopAt);
      phases.put("after the restart", upAt);
      FaultChecks.finishLoad(report, load, phases);
      FaultChecks.checkHealth(report, c, 15_000);
      c.shutdown();
      report.note("exit status of the node JVMs: " + c.exits());
    }
    return report;
  }

  private static void nodeTable(FaultReport report, FaultCluster c, long stopAt) {
    report.table("node log lines after the stop (ms from the stop)", "node", "at", "line");
    for (String n : NODES) {
      int shown = 0;
      for (String line : c.jvm(n).logLines(LOG_NEEDLES)) {
        long t = FaultReport.logTime(line, stopAt);
        if (t >= stopAt - 100 && shown < 12) {
          report.row(n, FaultReport.rel(t, stopAt), FaultReport.logText(line));
          shown++;
        }
      }
    }
  }

  private static void daemonTable(FaultReport report, FaultCluster c, Map<String, ProcessId> before, long stopAt) {
    report.table("daemons (instance before the outage vs now)", "daemon", "before", "now", "same instance",
      "longest heartbeat gap");
    Map<String, HeartbeatMonitor.Instance> live = c.singleLive(500);
    int kept = 0;
    long end = System.currentTimeMillis() - 300;
    for (String d : c.daemons()) {
      ProcessId b = before.get(d);
      HeartbeatMonitor.Instance now = live.get(d);
      boolean same = b != null && now != null && b.node().equals(now.node()) && b.deploymentId().equals(now.deploymentId());
      kept += same ? 1 : 0;
      report.row(d, b == null ? "-" : b.node() + "/" + b.deploymentId(),
        now == null ? "none or several" : now.node() + "/" + now.deploymentId(), same ? "yes" : "no",
        c.beats.longestGap(d, stopAt - 1_000, end) + " ms");
    }
    report.note(kept + " of " + DAEMONS + " daemons kept their instance through the outage");
  }
}
