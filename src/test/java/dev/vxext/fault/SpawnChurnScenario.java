package dev.vxext.fault;

import dev.vxext.daemon.SupervisedSpawn;
import dev.vxext.process.ProcessId;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

import static dev.vxext.fault.FaultCluster.until;

/**
 * Scenario {@value #NAME}: 4 node JVMs with {@code rebalance: on-join} run {@value #DAEMONS} declared daemons,
 * and the observer spawns {@value #SPAWNS} supervised spawns of {@link FaultNode#LAUNCHER} (the heartbeating
 * daemon verticle), under the observer's steady requests. Then {@value #ROUNDS} rounds: a random node running
 * spawns is killed with SIGKILL and restarted {@value #RESTART_AFTER_MS} ms later (round {@value #TERM_ROUND}:
 * SIGTERM instead, a graceful leave), so its spawns move to survivors, then back to it when it joins again
 * (the leader's rebalancing). Checks: every spawn of the victim heartbeats elsewhere within the failover
 * bound; the rejoined victim runs daemons again (moved back); at the end every spawn is listed by the
 * observer's {@code spawner(...).list()}, runs and heartbeats exactly once and is locatable; plus the
 * recovery after the last restart and the invariants of {@link FaultChecks} (never two instances, no
 * observer request left hanging). Last, one spawn is stopped and must stay gone.
 */
final class SpawnChurnScenario {

  static final String NAME = "spawn-churn";

  private static final List<String> NODES = List.of("sc-1", "sc-2", "sc-3", "sc-4");
  private static final int DAEMONS = 6;
  private static final int SPAWNS = 6;
  private static final long SESSION_TIMEOUT = 4_000;
  private static final long SETTLE_DELAY = 1_000;
  private static final int ROUNDS = 4;
  private static final int TERM_ROUND = 2;
  private static final long RESTART_AFTER_MS = 1_000;
  private static final long BACK_MS = 30_000;
  private static final long SETTLED_MS = 30_000;
  /** How long a stopped spawn is watched for coming back: several reconcile intervals and a failover delay. */
  private static final long GONE_HOLD_MS = 6_000;

  /** One round: victim, how, spawns moved off it and their failover, rejoin and moved-back times. */
  private record Round(int n, String victim, String how, List<String> spawns, long failoverMs, long memberMs,
                       long settledMs, List<String> back) {
  }

  private final String zookeeper;
  private final Path logDir;
  private final Random random;

  SpawnChurnScenario(String zookeeper, Path logDir, Random random) {
    this.zookeeper = zookeeper;
    this.logDir = logDir;
    this.random = random;
  }

  FaultReport run() throws Exception {
    FaultReport report = new FaultReport(NAME);
    try (FaultCluster c = new FaultCluster(NAME, zookeeper, logDir, NODES, SESSION_TIMEOUT, SETTLE_DELAY, DAEMONS)
      .rebalanceOnJoin()) {
      c.start();
      if (!FaultChecks.converge(c, report, 30_000)) {
        return report;
      }
      List<String> spawns = new ArrayList<>();
      for (int i = 0; i < SPAWNS; i++) {
        spawns.add(String.format("sp-%02d", i));
      }
      Map<String, String> spawnedOn = new LinkedHashMap<>();
      for (String s : spawns) {
        ProcessId pid = FaultCluster.await(c.observer().spawner(FaultNode.LAUNCHER)
          .spawnRegister(s, new JsonObject().put("observer", FaultCluster.OBSERVER).put("spawn", s)));
        spawnedOn.put(s, pid.node());
      }
      c.addSpawns(spawns);
      long spawned = until(20_000, 100, () -> c.everyDaemonOnce() && FaultChecks.runningOnceProblems(c).isEmpty());
      report.note(String.format("%d node JVMs (rebalance: on-join), %d declared daemons + %d supervised spawns (spawned"
          + " by the observer on %s), sessionTimeout %d ms, settleDelay %d ms, failover bound %d ms; %d rounds (round %d:"
          + " SIGTERM, others kill -9), restart %d ms later; logs in %s", NODES.size(), DAEMONS, SPAWNS, spawnedOn,
        SESSION_TIMEOUT, SETTLE_DELAY, c.failoverBound(), ROUNDS, TERM_ROUND, RESTART_AFTER_MS, logDir));
      report.check("every spawn runs and heartbeats once after spawnRegister", spawned >= 0,
        spawned >= 0 ? "after " + spawned + " ms; placement " + c.placement() : FaultChecks.runningOnceProblems(c).toString());
      if (spawned < 0) {
        return report;
      }
      long cronFrom = System.currentTimeMillis() + 1_000;
      LoadStream load = FaultChecks.startLoad(c, false);
      long loadFrom = System.currentTimeMillis();
      List<Round> rounds = new ArrayList<>();
      for (int n = 1; n <= ROUNDS; n++) {
        Round r = round(c, n, spawns);
        if (r == null) {
          report.note("round " + n + " not started: no node runs a spawn (placement " + c.placement() + ")");
          break;
        }
        rounds.add(r);
        if (r.memberMs() < 0) {
          report.note("round " + n + ": " + r.victim() + " did not come back; rounds stop here");
          break;
        }
      }
      long healAt = System.currentTimeMillis();
      Recovery.Result recovery = Recovery.measure(c, healAt, c.recoveryBound());
      table(report, rounds);
      checkRounds(report, rounds, c.failoverBound());
      Recovery.report(report, recovery, "the last restart");
      checkSpawnsOnce(c, report, spawns);
      Map<String, Long> phases = new LinkedHashMap<>();
      phases.put("during the rounds", loadFrom);
      phases.put("after the last restart", healAt);
      FaultChecks.finish(c, report, load, phases, cronFrom);
      checkStop(c, report, spawns.get(random.nextInt(spawns.size())));
      c.shutdown();
      report.note("exit status of the node JVMs (137 = SIGKILL, 143 = SIGTERM, 0 = clean close): " + c.exits());
    }
    return report;
  }

  /** One round: the victim leaves (kill -9, or SIGTERM), is restarted, rejoins, and the cluster settles. */
  private Round round(FaultCluster c, int n, List<String> spawns) throws Exception {
    until(SETTLED_MS, 100, () -> c.allMembers() && c.everyDaemonOnce() && c.leaders().size() == 1
      && NODES.stream().allMatch(x -> c.jvm(x).isReady()));
    Map<String, List<String>> placement = c.placement();
    List<String> candidates = NODES.stream()
      .filter(x -> placement.getOrDefault(x, List.of()).stream().anyMatch(spawns::contains)).toList();
    if (candidates.isEmpty()) {
      return null;
    }
    String victim = candidates.get(random.nextInt(candidates.size()));
    List<String> moved = placement.get(victim).stream().filter(spawns::contains).toList();
    FaultJvm old = c.jvm(victim);
    boolean term = n == TERM_ROUND;
    long t0 = term ? old.terminate() : old.kill9();
    if (term && !old.awaitExit(15_000)) {
      old.stop(System.nanoTime());
    }
    long restartAt = Math.max(System.currentTimeMillis(), t0 + RESTART_AFTER_MS);
    Thread.sleep(Math.max(0, restartAt - System.currentTimeMillis()));
    FaultJvm fresh = c.launch(victim);
    Predicate<HeartbeatMonitor.Instance> elsewhere = i -> !(i.node().equals(victim) && i.incarnation() == old.incarnation);
    until(c.failoverBound() + 2_000, 50, () -> moved.stream().allMatch(d -> c.beats.firstStartAfter(d, t0, elsewhere) > 0));
    long failover = 0;
    for (String d : moved) {
      long first = c.beats.firstStartAfter(d, t0, elsewhere);
      failover = first < 0 || failover < 0 ? -1 : Math.max(failover, first - t0);
    }
    long member = fresh.awaitReady(BACK_MS) && until(BACK_MS, 100, c::allMembers) >= 0 ? System.currentTimeMillis() - t0 : -1;
    // rebalancing: once the victim is a member again, the leader moves back to it the names it picks
    long settled = member < 0 ? -1 : until(SETTLED_MS, 100, () -> c.everyDaemonOnce()
      && FaultChecks.runningOnceProblems(c).isEmpty() && !c.placement().getOrDefault(victim, List.of()).isEmpty());
    List<String> back = List.copyOf(c.placement().getOrDefault(victim, List.of()));
    return new Round(n, old.id(), term ? "SIGTERM" : "kill -9", moved, failover, member,
      settled < 0 ? -1 : System.currentTimeMillis() - t0, back);
  }

  private static void table(FaultReport report, List<Round> rounds) {
    report.table("rounds (ms from the kill/SIGTERM; failover = first heartbeat of the victim's spawns elsewhere, max;"
        + " settled = every daemon and spawn once, the victim running daemons again)", "#", "victim", "how",
      "spawns moved off", "failover max", "member again", "settled (moved back)", "back on the victim");
    for (Round r : rounds) {
      report.row(r.n(), r.victim(), r.how(), r.spawns().size() + " " + r.spawns(), show(r.failoverMs()),
        show(r.memberMs()), show(r.settledMs()), r.back().size() + " " + r.back());
    }
  }

  private static void checkRounds(FaultReport report, List<Round> rounds, long bound) {
    List<String> late = new ArrayList<>();
    List<String> notBack = new ArrayList<>();
    for (Round r : rounds) {
      if (r.failoverMs() < 0 || r.failoverMs() > bound) {
        late.add("round " + r.n() + ": " + show(r.failoverMs()));
      }
      if (r.settledMs() < 0 || r.back().isEmpty()) {
        notBack.add("round " + r.n() + " (" + r.victim() + "): " + r.back());
      }
    }
    report.check("every spawn of the victim heartbeats again from another node within " + bound + " ms, in every round",
      rounds.size() == ROUNDS && late.isEmpty(), rounds.size() + "/" + ROUNDS + " rounds"
        + (late.isEmpty() ? "" : "; late: " + late));
    report.check("after each restart the victim rejoins and runs daemons again (rebalanced on join), every daemon and"
        + " spawn once, within " + SETTLED_MS + " ms", rounds.size() == ROUNDS && notBack.isEmpty(),
      notBack.isEmpty() ? "moved back: " + rounds.stream().map(r -> r.back().size()).toList() : notBack.toString());
  }

  /** At the end: the observer lists every spawn, each runs once (lifetimes and heartbeats) and is located there. */
  private static void checkSpawnsOnce(FaultCluster c, FaultReport report, List<String> spawns) throws Exception {
    List<String> listed = FaultCluster.await(c.observer().spawner(FaultNode.LAUNCHER).list()).stream()
      .map(SupervisedSpawn::name).sorted().toList();
    report.check("the observer's spawner(" + FaultNode.LAUNCHER + ").list() names every spawn", listed.equals(spawns),
      "listed " + listed);
    Map<String, String> where = new LinkedHashMap<>();
    long took = until(15_000, 250, () -> {
      where.clear();
      Map<String, HeartbeatMonitor.Instance> live = c.singleLive(500);
      Map<String, ProcessId> found = c.lookupAll();
      for (String s : spawns) {
        HeartbeatMonitor.Instance i = live.get(s);
        ProcessId p = found.get(s);
        where.put(s, (i == null ? "not once" : i.node()) + "/" + (p == null ? "not located" : p.node()));
      }
      return FaultChecks.runningOnceProblems(c).isEmpty() && spawns.stream().allMatch(s -> live.get(s) != null
        && found.get(s) != null && live.get(s).node().equals(found.get(s).node()));
    });
    report.check("at the end every spawn runs exactly once (UP/DOWN lines, heartbeats) and the observer locates it"
      + " there", took >= 0, (took >= 0 ? "after " + took + " ms: " : "") + "heartbeat node/located node " + where
      + (took >= 0 ? "" : "; " + FaultChecks.runningOnceProblems(c)));
  }

  /** Stops one spawn from the observer; it must leave the list, stop heartbeating and stay gone. */
  private static void checkStop(FaultCluster c, FaultReport report, String spawn) throws Exception {
    long t0 = System.currentTimeMillis();
    String error = null;
    try {
      FaultCluster.await(c.observer().spawner(FaultNode.LAUNCHER).stop(spawn));
    } catch (Exception e) {
      error = e.toString();
    }
    long stopped = System.currentTimeMillis();
    c.removeSpawn(spawn);
    long gone = until(10_000, 100, () -> c.beats.live(spawn, System.currentTimeMillis() - 500).isEmpty()
      && lookupFails(c, spawn));
    long goneAt = System.currentTimeMillis();
    // watched for GONE_HOLD_MS: any heartbeat of a new instance ends the wait (and fails the check)
    until(GONE_HOLD_MS, 100, () -> c.beats.firstStartAfter(spawn, goneAt, i -> true) > 0);
    List<String> listed = FaultCluster.await(c.observer().spawner(FaultNode.LAUNCHER).list()).stream()
      .map(SupervisedSpawn::name).toList();
    long restarted = c.beats.firstStartAfter(spawn, goneAt, i -> true);
    List<String> ups = new ArrayList<>();
    c.everyJvm().forEach(j -> j.lives().stream().filter(l -> l.daemon().equals(spawn) && l.up() >= stopped)
      .forEach(l -> ups.add(j.id())));
    boolean ok = error == null && gone >= 0 && !listed.contains(spawn) && restarted < 0 && ups.isEmpty()
      && lookupFails(c, spawn);
    report.check("stop(" + spawn + ") from the observer: it stops heartbeating, is no longer listed nor located, and"
        + " stays gone for " + GONE_HOLD_MS + " ms", ok, "stop took " + (stopped - t0) + " ms" + (error == null ? ""
        : " (failed: " + error + ")") + ", gone after " + show(gone) + ", listed " + listed + ", restarted "
        + (restarted < 0 && ups.isEmpty() ? "never" : restarted + " " + ups));
  }

  private static boolean lookupFails(FaultCluster c, String name) {
    try {
      FaultCluster.await(c.observer().lookup(name));
      return false;
    } catch (Exception e) {
      return true;
    }
  }

  private static String show(long ms) {
    return ms < 0 ? "never" : ms + " ms";
  }
}
