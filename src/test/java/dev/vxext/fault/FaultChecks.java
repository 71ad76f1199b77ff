package dev.vxext.fault;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The invariants every fault scenario checks, on top of {@link FaultCluster}'s: the daemons' lifetimes
 * (the nodes' own {@code UP}/{@code DOWN} lines: never two instances of a daemon running at once, every
 * daemon running exactly once), the observer's requests ({@link LoadStream}), each node's {@code /health};
 * and the helpers of the scenarios (convergence, hand-offs). The recovery after a heal is {@link Recovery}.
 */
final class FaultChecks {

  /** Overlap tolerated between two instances of a daemon (heartbeats or lifetimes). */
  static final long TOLERANCE_MS = 250;
  /** Every request of the observer completes within this: the request timeout + 1 s. */
  static final long REQUEST_BOUND_MS = FaultNode.REQUEST_TIMEOUT_MS + 1_000;

  private FaultChecks() {
  }

  /** @return the problems of "every daemon runs exactly once" by the lifetimes of the live JVMs (empty: none) */
  static List<String> runningOnceProblems(FaultCluster c) {
    Map<String, List<String>> running = new LinkedHashMap<>();
    c.daemons().forEach(d -> running.put(d, new ArrayList<>()));
    for (FaultJvm j : c.everyJvm()) {
      if (!j.alive() || j.frozen()) {
        continue;
      }
      for (FaultJvm.Life l : j.lives()) {
        if (l.down() < 0) {
          running.computeIfAbsent(l.daemon(), k -> new ArrayList<>()).add(l.host() + "/" + l.deploymentId());
        }
      }
    }
    List<String> problems = new ArrayList<>();
    running.forEach((d, where) -> {
      if (where.size() != 1) {
        problems.add(d + ": " + (where.isEmpty() ? "runs nowhere" : "runs " + where.size() + "x " + where));
      }
    });
    return problems;
  }

  /**
   * @return every pair of instances of one daemon whose lifetimes ({@code UP}..{@code DOWN}, or the
   *   JVM's end; a frozen JVM's windows cut out) overlap by more than {@code toleranceMs}
   */
  static List<String> lifeOverlaps(FaultCluster c, long toleranceMs) {
    List<HeartbeatMonitor.Freeze> freezes = c.beats.freezes();
    long now = System.currentTimeMillis();
    Map<String, List<FaultJvm.Life>> byDaemon = new LinkedHashMap<>();
    for (FaultJvm j : c.everyJvm()) {
      j.lives().forEach(l -> byDaemon.computeIfAbsent(l.daemon(), k -> new ArrayList<>()).add(l));
    }
    List<String> found = new ArrayList<>();
    byDaemon.forEach((d, lives) -> {
      for (int a = 0; a < lives.size(); a++) {
        for (int b = a + 1; b < lives.size(); b++) {
          FaultJvm.Life x = lives.get(a);
          FaultJvm.Life y = lives.get(b);
          for (long[] px : parts(x, freezes, now)) {
            for (long[] py : parts(y, freezes, now)) {
              long from = Math.max(px[0], py[0]);
              long to = Math.min(px[1], py[1]);
              if (to - from > toleranceMs) {
                found.add(d + ": " + x.host() + "/" + x.deploymentId() + " and " + y.host() + "/" + y.deploymentId()
                  + " both ran from " + FaultJvm.clock(from) + " to " + FaultJvm.clock(to) + " (" + (to - from) + " ms)");
              }
            }
          }
        }
      }
    });
    return found;
  }

  /** @return the lifetime of {@code l} without the frozen windows of its node */
  private static List<long[]> parts(FaultJvm.Life l, List<HeartbeatMonitor.Freeze> freezes, long now) {
    String node = l.host().substring(0, l.host().indexOf('#'));
    List<long[]> parts = new ArrayList<>();
    parts.add(new long[] {l.up(), l.down() < 0 ? now : l.down()});
    for (HeartbeatMonitor.Freeze f : freezes) {
      if (!f.node().equals(node)) {
        continue;
      }
      List<long[]> next = new ArrayList<>();
      for (long[] p : parts) {
        if (f.to() <= p[0] || f.from() >= p[1]) {
          next.add(p);
          continue;
        }
        if (f.from() > p[0]) {
          next.add(new long[] {p[0], f.from()});
        }
        if (f.to() < p[1]) {
          next.add(new long[] {f.to(), p[1]});
        }
      }
      parts = next;
    }
    return parts;
  }

  /**
   * The invariants at the end of a scenario: the observer's requests (stopped here), never two
   * instances of a daemon (heartbeats and lifetimes), no placement by a non-leader, the cluster cron
   * from {@code cronFrom}, every process locatable, every {@code /health} 200.
   *
   * @param phases the load's phases by start time (see {@link LoadStream#report})
   */
  static void finish(FaultCluster c, FaultReport report, LoadStream load, Map<String, Long> phases, long cronFrom)
    throws InterruptedException {
    finishLoad(report, load, phases);
    checkNoDuplicates(c, report);
    List<String> rogue = new ArrayList<>();
    c.everyJvm().forEach(j -> j.placementsWhileNotLeading(200).forEach(l -> rogue.add(j.id() + ": " + l)));
    report.check("no node places a daemon while it does not lead (node logs vs LEADERSHIP lines)", rogue.isEmpty(),
      rogue.isEmpty() ? "" : rogue.size() + ": " + FaultReport.firstN(rogue, 6));
    c.checkCron(report, cronFrom, System.currentTimeMillis() - 2_000);
    c.checkLocatable(report, 15_000);
    checkHealth(report, c, 15_000);
  }

  /** Stops the load, waits for its requests (bounded) and adds its table and check. */
  static void finishLoad(FaultReport report, LoadStream load, Map<String, Long> phases) throws InterruptedException {
    load.stop();
    load.awaitQuiet(REQUEST_BOUND_MS);
    load.report(report, REQUEST_BOUND_MS, phases);
  }

  /** @return a load of calls and lookups to every daemon and every node's probe, started */
  static LoadStream startLoad(FaultCluster c, boolean registers) {
    List<String> targets = new ArrayList<>(c.daemons());
    c.names.forEach(n -> targets.add(FaultNode.PROBE_PREFIX + n));
    return new LoadStream(c.observer(), targets, registers).start();
  }

  /** The two "never two instances at once" checks: by heartbeats and by lifetimes. */
  static void checkNoDuplicates(FaultCluster c, FaultReport report) {
    List<HeartbeatMonitor.Overlap> overlaps = c.beats.overlaps(TOLERANCE_MS);
    report.check("never two instances of one daemon heartbeating at once (> " + TOLERANCE_MS + " ms)", overlaps.isEmpty(),
      overlaps.isEmpty() ? c.beats.all().size() + " instances, " + c.beats.counts()
        : overlaps.size() + " overlaps: " + FaultReport.firstN(overlaps, 8));
    checkLifetimes(c, report);
  }

  /** The check "never two instances running at once" by the nodes' own UP/DOWN lines. */
  static void checkLifetimes(FaultCluster c, FaultReport report) {
    List<String> lives = lifeOverlaps(c, TOLERANCE_MS);
    int count = c.everyJvm().stream().mapToInt(j -> j.lives().size()).sum();
    report.check("never two instances of one daemon running at once (> " + TOLERANCE_MS + " ms; the nodes' own"
        + " UP/DOWN lines, frozen windows excluded)", lives.isEmpty(),
      lives.isEmpty() ? count + " instances" : lives.size() + " overlaps: " + FaultReport.firstN(lives, 8));
  }

  /** Polls {@code /health} of every live node and the observer until all answer 200 (at most {@code boundMs}). */
  static void checkHealth(FaultReport report, FaultCluster c, long boundMs) throws InterruptedException {
    Map<String, Integer> last = new LinkedHashMap<>();
    long took = FaultCluster.until(boundMs, 250, () -> {
      last.clear();
      last.putAll(Recovery.healthAll(c));
      return last.values().stream().allMatch(s -> s == 200);
    });
    report.check("at the end /health answers 200 on every live node and the observer", took >= 0,
      (took >= 0 ? "after " + took + " ms: " : "not within " + boundMs + " ms: ") + last);
  }

  /**
   * Waits for the initial convergence (every node a member, every daemon running and heartbeating once,
   * one leader, then every process locatable) and adds the check.
   *
   * @return true when it converged within {@code boundMs} (+ 10 s for the lookups)
   */
  static boolean converge(FaultCluster c, FaultReport report, long boundMs) throws InterruptedException {
    long formed = FaultCluster.until(boundMs, 200, () -> c.allMembers() && c.everyDaemonOnce() && c.leaders().size() == 1
      && runningOnceProblems(c).isEmpty());
    long located = formed < 0 ? -1 : FaultCluster.until(10_000, 250, () -> c.locateProblems().isEmpty());
    report.check("initial convergence: " + c.names.size() + " members, every daemon running and heartbeating once, one"
        + " leader, every process locatable", formed >= 0 && located >= 0,
      formed < 0 ? "placement " + c.placement() + ", leaders " + c.leaders() + ", " + runningOnceProblems(c)
        : located < 0 ? "locate problems " + FaultReport.firstN(c.locateProblems(), 6)
        : "after " + (formed + located) + " ms; placement " + c.placement() + ", leader " + c.leaders());
    return formed >= 0 && located >= 0;
  }

  /** @return the node JVM (not {@code leader}) running the most daemons, by heartbeats; null when none runs any */
  static String busiestFollower(FaultCluster c, String leader) {
    Map<String, List<String>> placement = c.placement();
    return c.names.stream().filter(n -> !n.equals(leader) && !placement.getOrDefault(n, List.of()).isEmpty())
      .max(java.util.Comparator.comparingInt(n -> placement.get(n).size())).orElse(null);
  }

  /**
   * @return the time of the first {@code UP} of {@code daemon} at or after {@code t} in a JVM other than
   *   {@code except} (-1 when none), from the nodes' lifetime lines
   */
  static long firstUpElsewhere(FaultCluster c, String daemon, long t, FaultJvm except) {
    long best = -1;
    for (FaultJvm j : c.everyJvm()) {
      if (j == except) {
        continue;
      }
      for (FaultJvm.Life l : j.lives()) {
        if (l.daemon().equals(daemon) && l.up() >= t && (best < 0 || l.up() < best)) {
          best = l.up();
        }
      }
    }
    return best;
  }

  /**
   * @return the end ({@code DOWN}, or the JVM's end) of {@code daemon}'s instance in {@code jvm} that ran at
   *   {@code t}; -1 when none ran then or it still runs
   */
  static long downOf(FaultJvm jvm, String daemon, long t) {
    for (FaultJvm.Life l : jvm.lives()) {
      if (l.daemon().equals(daemon) && l.runsAt(t)) {
        return l.down();
      }
    }
    return -1;
  }

  /**
   * One daemon's hand-off when its node left: the last heartbeat of its old instance, the first heartbeat
   * of its next instance elsewhere (after {@code t0}), the old instance's {@code DOWN} and the new one's
   * {@code UP} (epoch ms, -1 when none).
   */
  record HandOff(String daemon, long lastBeat, long firstBeat, long down, long up) {
    /** @return the heartbeat gap, -1 when the daemon did not move */
    long beatGap() {
      return lastBeat < 0 || firstBeat < 0 ? -1 : firstBeat - lastBeat;
    }

    /** @return DOWN of the old instance to UP of the new one, -1 when unknown */
    long lifeGap() {
      return down < 0 || up < 0 ? -1 : up - down;
    }
  }

  /** @return the hand-off of each of {@code daemons}, which ran in {@code old} until it left at {@code t0} */
  static List<HandOff> handOffs(FaultCluster c, FaultJvm old, List<String> daemons, long t0) {
    List<HandOff> list = new ArrayList<>();
    for (String d : daemons) {
      long last = -1;
      for (HeartbeatMonitor.Instance i : c.beats.all()) {
        if (i.name().equals(d) && i.node().equals(old.name) && i.incarnation() == old.incarnation && i.firstAt() < t0) {
          last = Math.max(last, i.lastAt());
        }
      }
      long first = c.beats.firstStartAfter(d, t0, i -> !(i.node().equals(old.name) && i.incarnation() == old.incarnation));
      list.add(new HandOff(d, last, first, downOf(old, d, t0), firstUpElsewhere(c, d, t0, old)));
    }
    return list;
  }

  /** @return the p-th percentile (nearest rank, 0 < p <= 100) of {@code values}, 0 when empty */
  static long percentile(List<Long> values, double p) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Long> s = values.stream().sorted().toList();
    int rank = (int) Math.ceil(p / 100.0 * s.size());
    return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
  }

  /** Waits for {@code futures} (at most 10 s); the unfinished ones count as failed. */
  static void await(List<? extends Future<?>> futures) {
    try {
      Future.join(new ArrayList<>(futures)).otherwiseEmpty().toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the unfinished ones count as not answered
    }
  }
}
