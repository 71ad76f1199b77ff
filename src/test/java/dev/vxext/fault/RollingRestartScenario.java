package dev.vxext.fault;

import dev.vxext.process.ProcessId;
import io.vertx.core.Future;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.vxext.fault.FaultCluster.until;

/**
 * Scenario {@value #NAME}: 3 node JVMs run 12 daemons; every node in turn gets SIGTERM (a graceful leave),
 * is started again and waited for until it is back in the observer's view and every daemon runs once,
 * under load from the observer: every 50 ms a call or lookup to a daemon or a probe, every 200 ms a
 * short-lived name registered on the observer (and unregistered 500 ms later), and the cluster cron ticks.
 * Checks: each node exits and is back within bounds; the hand-off gap of each node's daemons below
 * {@value GracefulLeaveScenario#GAP_BOUND_MS} ms + one heartbeat period; no short-lived name stays locatable after it was
 * unregistered; the recovery after the last restart; and {@link FaultChecks#finish}.
 */
final class RollingRestartScenario {

  static final String NAME = "rolling-restart";

  private static final List<String> NODES = List.of("rr-1", "rr-2", "rr-3");
  private static final int DAEMONS = 12;
  private static final long SESSION_TIMEOUT = 4_000;
  private static final long SETTLE_DELAY = 1_000;
  private static final long EXIT_MS = 15_000;
  private static final long BACK_MS = 30_000;

  /** One restart. */
  private record Restart(String node, boolean leader, List<FaultChecks.HandOff> handOffs, long termToExit,
                         long termToMoved, long termToMember, long termToSettled) {
    long gap() {
      return handOffs.stream().mapToLong(FaultChecks.HandOff::beatGap).map(g -> g < 0 ? Long.MAX_VALUE : g).max().orElse(0);
    }

    long lifeGap() {
      return handOffs.stream().mapToLong(FaultChecks.HandOff::lifeGap).map(g -> g < 0 ? Long.MAX_VALUE : g).max().orElse(0);
    }
  }

  private final String zookeeper;
  private final Path logDir;

  RollingRestartScenario(String zookeeper, Path logDir) {
    this.zookeeper = zookeeper;
    this.logDir = logDir;
  }

  FaultReport run() throws Exception {
    FaultReport report = new FaultReport(NAME);
    try (FaultCluster c = new FaultCluster(NAME, zookeeper, logDir, NODES, SESSION_TIMEOUT, SETTLE_DELAY, DAEMONS)) {
      c.start();
      if (!FaultChecks.converge(c, report, 30_000)) {
        return report;
      }
      report.note(String.format("%d node JVMs, %d daemons, sessionTimeout %d ms, settleDelay %d ms, requestTimeout %d ms;"
          + " placement %s, leader %s; logs in %s", NODES.size(), DAEMONS, SESSION_TIMEOUT, SETTLE_DELAY,
        FaultNode.REQUEST_TIMEOUT_MS, c.placement(), c.leaders(), logDir));
      LoadStream load = FaultChecks.startLoad(c, true);
      long loadFrom = System.currentTimeMillis();
      long cronFrom = loadFrom + 1_000;
      Thread.sleep(1_000);
      long rollFrom = System.currentTimeMillis();
      List<Restart> restarts = new ArrayList<>();
      for (String node : NODES) {
        Restart r = restart(c, node);
        restarts.add(r);
        if (r.termToMember() < 0) {
          report.note(node + " did not come back; the rolling restart stops here");
          break;
        }
      }
      long healAt = System.currentTimeMillis();
      Recovery.Result recovery = Recovery.measure(c, healAt, c.recoveryBound());
      table(report, restarts);
      List<String> slow = new ArrayList<>();
      restarts.forEach(r -> {
        if (r.termToExit() < 0 || r.termToMember() < 0 || r.termToSettled() < 0) {
          slow.add(r.node() + ": exit " + show(r.termToExit()) + ", member " + show(r.termToMember()) + ", settled "
            + show(r.termToSettled()));
        }
      });
      report.check("every node exits on SIGTERM within " + EXIT_MS + " ms, is a member again within " + BACK_MS
          + " ms of its restart, and every daemon runs once before the next", restarts.size() == NODES.size()
          && slow.isEmpty(), slow.isEmpty() ? restarts.size() + " restarts" : slow.toString());
      List<String> over = new ArrayList<>();
      restarts.forEach(r -> {
        if (r.gap() > GracefulLeaveScenario.GAP_CHECK_MS) {
          over.add(r.node() + " " + show(r.gap()));
        }
      });
      report.check("hand-off gap below " + GracefulLeaveScenario.GAP_BOUND_MS + " ms (+ " + FaultNode.HEARTBEAT_MS
          + " ms heartbeat period) for every restarted node's daemons",
        over.isEmpty(), over.isEmpty() ? "max " + show(restarts.stream().mapToLong(Restart::gap).max().orElse(0))
          : "over: " + over);
      Recovery.report(report, recovery, "the last restart");
      Map<String, Long> phases = new LinkedHashMap<>();
      phases.put("before the restarts", loadFrom);
      phases.put("during the restarts", rollFrom);
      phases.put("after the last restart", healAt);
      FaultChecks.finish(c, report, load, phases, cronFrom);
      checkTempNames(c, report, load);
      c.shutdown();
      report.note("exit status of the node JVMs (143 = SIGTERM, 0 = clean close): " + c.exits());
    }
    return report;
  }

  private Restart restart(FaultCluster c, String node) throws Exception {
    List<String> leaders = c.leaders();
    FaultJvm old = c.jvm(node);
    List<String> daemons = List.copyOf(c.placement().getOrDefault(node, List.of()));
    long t0 = old.terminate();
    long exitAt = old.awaitExit(EXIT_MS) ? old.exitedAt() : -1;
    if (exitAt < 0) {
      old.stop(System.nanoTime());
    }
    until(FaultNode.REQUEST_TIMEOUT_MS + c.failoverBound(), 20, () -> daemons.stream()
      .allMatch(d -> c.beats.firstStartAfter(d, t0, i -> !(i.node().equals(node) && i.incarnation() == old.incarnation)) > 0
        && FaultChecks.firstUpElsewhere(c, d, t0, old) > 0));
    List<FaultChecks.HandOff> handOffs = FaultChecks.handOffs(c, old, daemons, t0);
    FaultJvm fresh = c.launch(node);
    long member = fresh.awaitReady(BACK_MS) && until(BACK_MS, 100, c::allMembers) >= 0 ? System.currentTimeMillis() - t0 : -1;
    long settled = member < 0 ? -1 : until(c.recoveryBound(), 100,
      () -> c.allMembers() && c.everyDaemonOnce() && FaultChecks.runningOnceProblems(c).isEmpty()) >= 0
      ? System.currentTimeMillis() - t0 : -1;
    return new Restart(old.id(), leaders.contains(node), handOffs, exitAt < 0 ? -1 : exitAt - t0,
      GracefulLeaveScenario.allMoved(handOffs, t0), member, settled);
  }

  /** No short-lived name registered by the load (and unregistered more than 3 s ago) is still locatable. */
  private static void checkTempNames(FaultCluster c, FaultReport report, LoadStream load) {
    List<String> names = load.tempNames();
    long cutoff = System.currentTimeMillis() - 3_000;
    List<String> ended = new ArrayList<>();
    load.ops().stream().filter(o -> o.kind().equals("unregister") && o.outcome().equals("ok") && o.doneAt() < cutoff)
      .forEach(o -> ended.add(o.target()));
    Map<String, Future<ProcessId>> lookups = new LinkedHashMap<>();
    ended.forEach(n -> lookups.put(n, c.observer().lookup(n)));
    FaultChecks.await(new ArrayList<>(lookups.values()));
    List<String> still = new ArrayList<>();
    lookups.forEach((n, f) -> {
      if (!f.isComplete() || f.succeeded()) {
        still.add(n + (f.succeeded() ? " at " + f.result().node() : " (no answer)"));
      }
    });
    report.check("no short-lived name is locatable after it was unregistered (" + ended.size() + " of " + names.size()
        + " registered)", !ended.isEmpty() && still.isEmpty(), still.isEmpty() ? "" : FaultReport.firstN(still, 8));
  }

  private static void table(FaultReport report, List<Restart> restarts) {
    report.table("restarts (ms from SIGTERM; hand-off gap = last heartbeat of the old instance -> first heartbeat of the"
        + " new one, max over the node's daemons; lifetime gap = DOWN of the old -> UP of the new)", "node", "was leader",
      "daemons", "hand-off gap", "lifetime gap", "SIGTERM -> exit",
      "-> all moved", "-> member again", "-> every daemon once");
    for (Restart r : restarts) {
      report.row(r.node(), r.leader() ? "yes" : "no", r.handOffs().size(), r.handOffs().isEmpty() ? "-" : show(r.gap()),
        r.handOffs().isEmpty() ? "-" : show(r.lifeGap()),
        show(r.termToExit()), show(r.termToMoved()), show(r.termToMember()), show(r.termToSettled()));
    }
  }

  private static String show(long ms) {
    return ms == Long.MAX_VALUE ? "never" : ms < 0 ? "-" : ms + " ms";
  }
}
