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
 * The recovery of a cluster after a heal, measured by polling from the observer: every live node and the
 * observer see the same members, one leader, every daemon running exactly once (the nodes' UP/DOWN lines)
 * and heartbeating from one instance, every process locatable from every node, every {@code /health} 200
 * (each node's own view comes from its probe). Also each node's {@code /health} during a fault.
 */
final class Recovery {

  private static final long HEALTH_TIMEOUT_MS = 2_000;
  private static final long POLL_MS = 500;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(1_000)).build();

  private Recovery() {
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
  record Result(long healAt, long boundMs, long watchedMs, Map<String, Long> first, long all,
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
  static Result measure(FaultCluster c, long healAt, long boundMs) throws InterruptedException {
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
    return new Result(healAt, boundMs, System.currentTimeMillis() - healAt, first, streak, last, relapses);
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
    List<String> once = FaultChecks.runningOnceProblems(c);
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
  static void report(FaultReport report, Result r, String what) {
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
    FaultChecks.await(new ArrayList<>(asks.values()));
    Map<String, JsonObject> views = new LinkedHashMap<>();
    asks.forEach((n, f) -> {
      if (f.succeeded() && f.result().body() != null && f.result().body().containsKey("members")) {
        views.put(n, f.result().body());
      }
    });
    return views;
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
}
