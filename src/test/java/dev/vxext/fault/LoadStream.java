package dev.vxext.fault;

import dev.vxext.ClusterNode;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessVerticle;
import io.vertx.core.AsyncResult;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The observer's steady stream of requests during a scenario: every {@value #PERIOD_MS} ms one {@code call}
 * or {@code lookup} (alternating by round) to the next of a fixed list of targets (the daemons and the
 * probes of every node name), and optionally every {@value #REGISTER_EVERY}th tick a {@code register} of a
 * short-lived name {@value #TEMP_PREFIX}{@code N} on the observer, undeployed {@value #TEMP_LIFE_MS} ms
 * later ({@code unregister}). Every future is recorded with its issue and completion time and its outcome
 * ({@code ok}, a failure code, or another failure), so a scenario can check that nothing hangs: each
 * completes within the request timeout + 1 s, successfully or with 503, 504 or 404. Thread-safe;
 * issues on the observer's event loop; at most {@value #MAX_OPS} requests.
 */
final class LoadStream {

  static final long PERIOD_MS = 50;
  static final int REGISTER_EVERY = 4;
  static final String TEMP_PREFIX = "ld-";
  static final long TEMP_LIFE_MS = 500;
  /** Codes a request may fail with during a fault: not found, not ready, timeout. */
  static final Set<Integer> EXPECTED_CODES = Set.of(404, 503, 504);
  private static final int MAX_OPS = 60_000;
  private static final int MAX_MESSAGE = 160;

  /**
   * One request: kind, target, issued and completed (-1 while pending) epoch ms, outcome, and the failure's
   * message (null on success; at most {@value #MAX_MESSAGE} characters).
   */
  record Op(String kind, String target, long issuedAt, long doneAt, String outcome, String message) {
    long took() {
      return doneAt < 0 ? -1 : doneAt - issuedAt;
    }
  }

  private final ClusterNode observer;
  private final List<String> targets;
  private final boolean registers;
  private final List<Op> ops = new ArrayList<>();
  private final List<String> tempNames = new ArrayList<>();
  private long timer = -1;
  private long ticks;
  private long startedAt = -1;
  private long stoppedAt = -1;

  /**
   * @param targets   the process names to call and look up, in turn
   * @param registers also register and unregister short-lived names on the observer
   */
  LoadStream(ClusterNode observer, List<String> targets, boolean registers) {
    this.observer = observer;
    this.targets = List.copyOf(targets);
    this.registers = registers;
  }

  /** Starts issuing (once). @return this */
  synchronized LoadStream start() {
    if (timer < 0 && stoppedAt < 0) {
      startedAt = System.currentTimeMillis();
      timer = observer.vertx().setPeriodic(PERIOD_MS, id -> tick());
    }
    return this;
  }

  /** Stops issuing; the requests in flight go on. @return the time, epoch ms */
  synchronized long stop() {
    if (timer >= 0) {
      observer.vertx().cancelTimer(timer);
      timer = -1;
      stoppedAt = System.currentTimeMillis();
    }
    return stoppedAt;
  }

  private void tick() {
    long n;
    synchronized (this) {
      if (timer < 0 || ops.size() >= MAX_OPS) {
        return;
      }
      n = ticks++;
    }
    String target = targets.get((int) (n % targets.size()));
    boolean call = (n / targets.size()) % 2 == 0;
    if (call) {
      track("call", target, observer.call(target, new JsonObject().put("ping", n)));
    } else {
      track("lookup", target, observer.lookup(target));
    }
    if (registers && n % REGISTER_EVERY == 0) {
      String name = TEMP_PREFIX + n;
      synchronized (this) {
        tempNames.add(name);
      }
      Future<ProcessId> reg = observer.register(name, Echo::new, new DeploymentOptions());
      track("register", name, reg);
      reg.onSuccess(pid -> observer.vertx().setTimer(TEMP_LIFE_MS, t ->
        track("unregister", name, observer.vertx().undeploy(pid.deploymentId()))));
    }
  }

  private void track(String kind, String target, Future<?> future) {
    long issued = System.currentTimeMillis();
    int index;
    synchronized (this) {
      index = ops.size();
      ops.add(new Op(kind, target, issued, -1, "pending", null));
    }
    future.onComplete(ar -> done(index, ar));
  }

  private synchronized void done(int index, AsyncResult<?> ar) {
    Op op = ops.get(index);
    String message = ar.succeeded() ? null : String.valueOf(ar.cause().getMessage());
    if (message != null && message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE);
    }
    ops.set(index, new Op(op.kind(), op.target(), op.issuedAt(), System.currentTimeMillis(), outcome(ar), message));
  }

  /** @return "ok", the failure code ("504"), or "other: ..." */
  static String outcome(AsyncResult<?> ar) {
    if (ar.succeeded()) {
      return "ok";
    }
    Throwable t = ar.cause();
    if (t instanceof ReplyException r) {
      return r.failureCode() > 0 ? Integer.toString(r.failureCode())
        : "other: " + r.failureType() + " " + r.failureCode();
    }
    return "other: " + t.getClass().getSimpleName() + " " + t.getMessage();
  }

  /** @return a copy of every request so far */
  synchronized List<Op> ops() {
    return List.copyOf(ops);
  }

  /** @return the short-lived names registered so far */
  synchronized List<String> tempNames() {
    return List.copyOf(tempNames);
  }

  /**
   * Waits until every request completed or {@code boundMs} passed since the last was issued (polled
   * every 100 ms, bounded).
   */
  void awaitQuiet(long boundMs) throws InterruptedException {
    long last = ops().stream().mapToLong(Op::issuedAt).max().orElse(System.currentTimeMillis());
    long deadline = last + boundMs + 500;
    FaultCluster.until(Math.max(0, deadline - System.currentTimeMillis()), 100,
      () -> ops().stream().allMatch(o -> o.doneAt() >= 0));
  }

  /**
   * Adds the table (by phase: {@code phases} maps a phase name to its start time, in order; the first
   * phase starts with the stream) and the check: every request completed within {@code boundMs},
   * successfully or with an expected code. Call after {@link #stop()} and {@link #awaitQuiet(long)}.
   */
  void report(FaultReport report, long boundMs, Map<String, Long> phases) {
    List<Op> all = ops();
    long now = System.currentTimeMillis();
    List<String> names = new ArrayList<>(phases.keySet());
    Map<String, List<Op>> byPhase = new LinkedHashMap<>();
    names.forEach(p -> byPhase.put(p, new ArrayList<>()));
    for (Op o : all) {
      String phase = names.isEmpty() ? "all" : names.get(0);
      for (String p : names) {
        if (phases.get(p) <= o.issuedAt()) {
          phase = p;
        }
      }
      byPhase.computeIfAbsent(phase, k -> new ArrayList<>()).add(o);
    }
    report.table("the observer's requests (every " + PERIOD_MS + " ms a call or lookup to " + targets.size()
        + " targets, daemons and probes" + (registers ? "; every " + REGISTER_EVERY * PERIOD_MS
        + " ms a register of a short-lived name, unregistered " + TEMP_LIFE_MS + " ms later" : "")
        + "), by phase of issue; bound " + boundMs + " ms", "phase", "issued", "ok", "404", "503", "504",
      "other failures", "slower than bound", "never completed", "slowest", "median");
    List<String> bad = new ArrayList<>();
    Op slowest = null;
    for (Map.Entry<String, List<Op>> e : byPhase.entrySet()) {
      List<Op> list = e.getValue();
      Map<String, Integer> counts = new LinkedHashMap<>();
      int late = 0;
      int pending = 0;
      long worst = 0;
      List<Long> took = new ArrayList<>();
      for (Op o : list) {
        counts.merge(o.outcome().startsWith("other") ? "other" : o.outcome(), 1, Integer::sum);
        if (o.doneAt() < 0) {
          pending++;
          bad.add(o.kind() + " " + o.target() + " issued " + FaultJvm.clock(o.issuedAt()) + " never completed (" + (now - o.issuedAt()) + " ms)");
        } else {
          took.add(o.took());
          worst = Math.max(worst, o.took());
          if (slowest == null || o.took() > slowest.took()) {
            slowest = o;
          }
          if (o.took() > boundMs) {
            late++;
            bad.add(o.kind() + " " + o.target() + " issued " + FaultJvm.clock(o.issuedAt()) + " took " + o.took() + " ms (" + o.outcome() + ")");
          } else if (!o.outcome().equals("ok") && !EXPECTED_CODES.contains(codeOf(o.outcome()))) {
            bad.add(o.kind() + " " + o.target() + " issued " + FaultJvm.clock(o.issuedAt()) + ": " + o.outcome());
          }
        }
      }
      report.row(e.getKey(), list.size(), counts.getOrDefault("ok", 0), counts.getOrDefault("404", 0),
        counts.getOrDefault("503", 0), counts.getOrDefault("504", 0),
        list.size() - pending - counts.getOrDefault("ok", 0) - counts.getOrDefault("404", 0)
          - counts.getOrDefault("503", 0) - counts.getOrDefault("504", 0),
        late, pending, worst + " ms", FaultReport.median(took) + " ms");
    }
    Map<String, String> samples = new LinkedHashMap<>();
    all.stream().filter(o -> o.message() != null).forEach(o -> samples.putIfAbsent(o.kind() + " " + o.outcome()
      + (o.took() < FaultNode.REQUEST_TIMEOUT_MS / 2 ? " fast" : " slow"), o.message()));
    if (!samples.isEmpty()) {
      report.note("a failure message of each kind (fast: under half the request timeout): " + samples);
    }
    Map<String, Integer> others = new LinkedHashMap<>();
    all.stream().filter(o -> o.doneAt() >= 0 && !o.outcome().equals("ok") && !EXPECTED_CODES.contains(codeOf(o.outcome())))
      .forEach(o -> others.merge(o.kind() + ": " + o.outcome(), 1, Integer::sum));
    if (!others.isEmpty()) {
      report.note("other failures: " + others);
    }
    report.check("nothing hangs: every request the observer issued (" + all.size() + ") completed within the request"
        + " timeout + 1 s (" + boundMs + " ms), successfully or with 404/503/504", !all.isEmpty() && bad.isEmpty(),
      (bad.isEmpty() ? "" : bad.size() + " did not: " + FaultReport.firstN(bad, 6) + "; ")
        + "slowest " + (slowest == null ? "-" : slowest.kind() + " " + slowest.target() + " " + slowest.took() + " ms ("
        + slowest.outcome() + ")"));
  }

  private static int codeOf(String outcome) {
    try {
      return Integer.parseInt(outcome);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The short-lived process: replies to a call with its name. */
  static final class Echo extends ProcessVerticle {
    @Override
    protected void handle(Message<Object> message) {
      message.reply(new JsonObject().put("name", name()));
    }
  }
}
