package dev.vxext.fault;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The invariants every fault scenario checks, on top of {@link FaultCluster}'s: the daemons' lifetimes
 * (the nodes' own {@code UP}/{@code DOWN} lines: never two instances of a daemon running at once, every
 * daemon running exactly once), each node's {@code /health}, each node's own view (through its probe), and
 * the recovery after a heal: the time until the members are back, one leader, every daemon once, every
 * process locatable and every {@code /health} 200, measured by polling.
 */
final class FaultChecks {

  /** Overlap tolerated between two instances of a daemon (heartbeats or lifetimes). */
  static final long TOLERANCE_MS = 250;
  /** Every request of the observer completes within this: the request timeout + 1 s. */
  static final long REQUEST_BOUND_MS = FaultNode.REQUEST_TIMEOUT_MS + 1_000;
  private static final long HEALTH_TIMEOUT_MS = 2_000;
  private static final long POLL_MS = 500;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(1_000)).build();

  private FaultChecks() {
  }

  /** The conditions of a recovery, in the order they are reported. */
  static final List<String> CONDITIONS = List.of("members: every live node and the observer see the same live members",
    "one leader (LEADERSHIP lines, observer)", "every daemon runs exactly once (the nodes' UP/DOWN lines)",
    "every daemon heartbeats from exactly one instance", "every process locatable from every node",
    "/health 200 on every live node and the observer");
  /** Reported with the others, not required: every node names the leader the nodes report. */
  static final String LEADER_KNOWN = "every node names that leader (ClusterNode.leader(); informational)";

  /** A condition that had held and failed again at a later poll ({@code at}: ms from the heal). */
  record Relapse(String condition, long at, String problem) {
  }

  /**
   * What a recovery measured (ms from the heal): when each condition first held (-1 never), the start of
   * the streak of polls in which all held together until the end of the watch ({@code all}, -1 when none
   * started within the bound and lasted), the problems at the last poll that found each failing, and
   * every relapse of a condition after it had held.
   */
  record Recovery(long healAt, long boundMs, long watchedMs, Map<String, Long> first, long all,
                  Map<String, String> lastProblems, List<Relapse> relapses) {
    boolean recovered() {
      return all >= 0;
    }
  }

  /** Once all conditions hold, they must keep holding this long (and until the end of the quiet window). */
  static final long HOLD_MS = 3_000;

  /**
   * Polls every condition of {@link #CONDITIONS} (every {@value #POLL_MS} ms) after a heal at
   * {@code healAt}: the cluster has recovered when all hold together, from a poll within {@code boundMs}
   * of the heal, and keep holding for {@value #HOLD_MS} ms and at least until 2 session timeouts + 2 s
   * after the heal (a session that expires on the server after it comes back, and what depended on it,
   * shows up only then). A condition holds at the end of the poll that found it.
   */
  static Recovery recovery(FaultCluster c, long healAt, long boundMs) throws InterruptedException {
    Map<String, Long> first = new LinkedHashMap<>();
    Map<String, String> last = new LinkedHashMap<>();
    List<Relapse> relapses = new ArrayList<>();
    CONDITIONS.forEach(k -> first.put(k, -1L));
    first.put(LEADER_KNOWN, -1L);
    long quietUntil = healAt + 2 * c.sessionTimeout + 2_000;
    long hardEnd = Math.max(healAt + boundMs + HOLD_MS, quietUntil) + POLL_MS;
    long streak = -1;
    for (int poll = 0; poll < (hardEnd - healAt) / POLL_MS + 2; poll++) {
      long started = System.currentTimeMillis();
      Map<String, String> problems = problems(c);
      long now = System.currentTimeMillis();
      long t = now - healAt;
      boolean every = true;
      for (Map.Entry<String, String> e : problems.entrySet()) {
        String k = e.getKey();
        if (e.getValue() == null) {
          first.compute(k, (key, v) -> v < 0 ? t : v);
          last.remove(k);
        } else {
          if (first.get(k) >= 0 && !last.containsKey(k)) {
            relapses.add(new Relapse(k, t, e.getValue()));
          }
          last.put(k, e.getValue());
          if (CONDITIONS.contains(k)) {
            every = false;
          }
        }
      }
      if (every && streak < 0 && t <= boundMs) {
        streak = t;
      } else if (!every) {
        streak = -1;
      }
      if (streak >= 0 && t - streak >= HOLD_MS && now >= quietUntil) {
        break;
      }
      if (now >= hardEnd || (streak < 0 && t > boundMs)) {
        break;
      }
      Thread.sleep(Math.max(1, Math.min(POLL_MS - (System.currentTimeMillis() - started), hardEnd - System.currentTimeMillis())));
    }
    return new Recovery(healAt, boundMs, System.currentTimeMillis() - healAt, first, streak, last, relapses);
  }

  /** @return condition to its problem now (null when it holds) */
  private static Map<String, String> problems(FaultCluster c) {
    Map<String, String> p = new LinkedHashMap<>();
    List<String> live = c.liveNodes();
    Map<String, JsonObject> views = views(c, live);
    Set<String> expected = new TreeSet<>(live);
    expected.add(FaultCluster.OBSERVER);
    List<String> wrong = new ArrayList<>();
    Set<String> observerView = new TreeSet<>(c.members());
    if (!observerView.equals(expected)) {
      wrong.add(FaultCluster.OBSERVER + " sees " + observerView);
    }
    for (String n : live) {
      JsonObject v = views.get(n);
      Set<String> seen = new TreeSet<>();
      if (v != null) {
        v.getJsonArray("members").forEach(m -> seen.add(String.valueOf(m)));
      }
      if (v == null || !seen.equals(expected)) {
        wrong.add(n + (v == null ? " does not answer" : " sees " + seen));
      }
    }
    p.put(CONDITIONS.get(0), wrong.isEmpty() ? null : "expected " + expected + ": " + wrong);
    List<String> leaders = c.leaders();
    p.put(CONDITIONS.get(1), leaders.size() == 1 ? null : "leaders " + leaders);
    List<String> once = runningOnceProblems(c);
    p.put(CONDITIONS.get(2), once.isEmpty() ? null : FaultReport.firstN(once, 6));
    p.put(CONDITIONS.get(3), c.everyDaemonOnce() ? null : "placement by heartbeats " + c.placement());
    List<String> locate = c.locateProblems();
    p.put(CONDITIONS.get(4), locate.isEmpty() ? null : locate.size() + " problems: " + FaultReport.firstN(locate, 4));
    Map<String, Integer> health = healthAll(c);
    p.put(CONDITIONS.get(5), health.values().stream().allMatch(s -> s == 200) ? null : "/health " + health);
    List<String> disagree = new ArrayList<>();
    String leader = leaders.size() == 1 ? leaders.get(0) : null;
    if (leader == null || !leader.equals(c.observer().leader())) {
      disagree.add(FaultCluster.OBSERVER + " names " + c.observer().leader());
    }
    for (String n : live) {
      JsonObject v = views.get(n);
      String named = v == null ? "?" : v.getString("leader");
      if (leader == null || !leader.equals(named)) {
        disagree.add(n + " names " + named);
      }
    }
    p.put(LEADER_KNOWN, disagree.isEmpty() ? null : "leader " + leader + "; " + disagree);
    return p;
  }

  /** Adds the recovery table and its checks ({@code what} says what the heal was). */
  static void reportRecovery(FaultReport report, Recovery r, String what) {
    report.table("recovery after " + what + " (ms from then to the first poll that found each condition; watched "
      + r.watchedMs() + " ms; bound " + r.boundMs() + " ms, then all must hold " + HOLD_MS + " ms and through 2 session"
      + " timeouts + 2 s)", "condition", "first held after", "problem at the last failing poll");
    r.first().forEach((k, v) -> report.row(k, v < 0 ? "never" : v + " ms", r.lastProblems().getOrDefault(k, "-")));
    report.row("ALL of the above (but the informational one) at once, and stayed so", r.all() < 0 ? "no" : r.all() + " ms", "");
    if (!r.relapses().isEmpty()) {
      report.table("relapses: a condition that had held failed again (ms from " + what + ")", "at", "condition", "problem");
      r.relapses().stream().limit(20).forEach(x -> report.row(x.at() + " ms", x.condition(), x.problem()));
    }
    List<String> failed = CONDITIONS.stream().filter(k -> r.first().get(k) < 0 || r.lastProblems().containsKey(k)).toList();
    report.check("recovery after " + what + ": members back, one leader, every daemon once, every process locatable,"
        + " /health 200, all within " + r.boundMs() + " ms and lasting", r.recovered(),
      r.recovered() ? "recovered after " + r.all() + " ms" + (r.relapses().isEmpty() ? "" : " (after "
        + r.relapses().size() + " relapses)") : "not recovered: " + failed.stream()
        .map(k -> k + " (" + r.lastProblems().get(k) + ")").toList());
    boolean onceNow = !r.lastProblems().containsKey(CONDITIONS.get(2)) && !r.lastProblems().containsKey(CONDITIONS.get(3));
    long once = Math.max(r.first().get(CONDITIONS.get(2)), r.first().get(CONDITIONS.get(3)));
    boolean onceOk = onceNow && once >= 0 && once <= r.boundMs();
    report.check("every declared daemon runs exactly once within " + r.boundMs() + " ms after " + what + " (and still at"
        + " the end of the watch)", onceOk, onceOk ? "after " + once + " ms" : "first after " + (once < 0 ? "never" : once + " ms")
        + "; at the last failing poll: " + r.lastProblems().getOrDefault(CONDITIONS.get(2), "-") + " / "
        + r.lastProblems().getOrDefault(CONDITIONS.get(3), "-"));
    long health = r.first().get(CONDITIONS.get(5));
    boolean healthOk = health >= 0 && health <= r.boundMs() && !r.lastProblems().containsKey(CONDITIONS.get(5));
    report.check("/health of every live node and the observer back to 200 within " + r.boundMs() + " ms after " + what
        + " (and still at the end of the watch)", healthOk, healthOk ? "after " + health + " ms"
        : "first after " + (health < 0 ? "never" : health + " ms") + "; " + r.lastProblems().getOrDefault(CONDITIONS.get(5), ""));
  }

  /** A change of a node's {@code /health} status seen by {@link #watchHealth} ({@code at}: epoch ms; -1: no answer). */
  record HealthChange(long at, String node, int status) {
  }

  /**
   * Polls {@code /health} of every live node and the observer every 500 ms until {@code until} (epoch ms;
   * bounded): a fixed wait that watches.
   *
   * @return every change of status, the first poll's included
   */
  static List<HealthChange> watchHealth(FaultCluster c, long until) throws InterruptedException {
    Map<String, Integer> current = new LinkedHashMap<>();
    List<HealthChange> changes = new ArrayList<>();
    long polls = Math.max(0, until - System.currentTimeMillis()) / 500 + 2;
    for (long i = 0; i < polls && System.currentTimeMillis() < until; i++) {
      long started = System.currentTimeMillis();
      Map<String, Integer> now = healthAll(c);
      long t = System.currentTimeMillis();
      now.forEach((n, st) -> {
        if (!st.equals(current.get(n))) {
          changes.add(new HealthChange(t, n, st));
          current.put(n, st);
        }
      });
      Thread.sleep(Math.max(1, Math.min(500 - (System.currentTimeMillis() - started), until - System.currentTimeMillis())));
    }
    return changes;
  }

  /** Adds a table of {@code /health} changes, ms from {@code t0}. */
  static void reportHealth(FaultReport report, List<HealthChange> changes, long t0, String title) {
    report.table(title, "at", "node", "/health");
    changes.forEach(ch -> report.row(FaultReport.rel(ch.at(), t0), ch.node(), ch.status() < 0 ? "no answer" : ch.status()));
  }

  /** @return each live node's own view through its probe ({@code {members, leader}}), for those that answered */
  static Map<String, JsonObject> views(FaultCluster c, List<String> live) {
    Map<String, Future<Message<JsonObject>>> asks = new LinkedHashMap<>();
    for (String n : live) {
      asks.put(n, c.observer().call(FaultNode.PROBE_PREFIX + n, new JsonObject().put("view", true)));
    }
    await(new ArrayList<>(asks.values()));
    Map<String, JsonObject> views = new LinkedHashMap<>();
    asks.forEach((n, f) -> {
      if (f.succeeded() && f.result().body() != null && f.result().body().containsKey("members")) {
        views.put(n, f.result().body());
      }
    });
    return views;
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

  /** @return {@code GET /health} of each live node and of the observer: node to HTTP status (-1: no answer) */
  static Map<String, Integer> healthAll(FaultCluster c) {
    Map<String, CompletableFuture<Integer>> asks = new LinkedHashMap<>();
    List<String> nodes = new ArrayList<>(c.liveNodes());
    nodes.add(FaultCluster.OBSERVER);
    for (String n : nodes) {
      int port = c.adminPort(n);
      asks.put(n, port <= 0 ? CompletableFuture.completedFuture(-1) : health(port));
    }
    Map<String, Integer> status = new LinkedHashMap<>();
    asks.forEach((n, f) -> {
      try {
        status.put(n, f.get(HEALTH_TIMEOUT_MS + 500, TimeUnit.MILLISECONDS));
      } catch (Exception e) {
        status.put(n, -1);
      }
    });
    return status;
  }

  /** @return the status of {@code GET http://127.0.0.1:port/health}, -1 when it does not answer in time */
  static CompletableFuture<Integer> health(int port) {
    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
      .timeout(Duration.ofMillis(HEALTH_TIMEOUT_MS)).GET().build();
    return HTTP.sendAsync(get, HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode)
      .exceptionally(t -> -1);
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
      last.putAll(healthAll(c));
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
