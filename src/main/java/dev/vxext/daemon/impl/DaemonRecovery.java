package dev.vxext.daemon.impl;

import dev.vxext.runtime.NodeRuntime;
import dev.vxext.addressbook.NodeEntry;
import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.addressbook.impl.HashRing;
import dev.vxext.addressbook.impl.LocalMapAddressBook;
import dev.vxext.daemon.DaemonBatch;
import dev.vxext.daemon.DaemonIterator;
import dev.vxext.daemon.DaemonProcess;
import dev.vxext.daemon.Launcher;
import dev.vxext.metrics.impl.NodeMetrics;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessNames;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The leader's reconciliation: run every launcher's recovery scan and make sure every declared daemon
 * runs somewhere. A daemon that runs anywhere is left where it is (a joining node moves nothing here; with
 * {@code rebalance: on-join} the leader moves daemons to it afterwards, see {@link Rebalancer}); a
 * missing one is spawned on the node the ring picks among the nodes offering its launcher, with the
 * leader's epoch. A failed or unanswered spawn is retried with backoff, then the next node of the ring
 * is tried. A scan that fails is reported and does not stop the other launchers.
 */
final class DaemonRecovery {

  private static final Logger log = LoggerFactory.getLogger(DaemonRecovery.class);
  static final int MAX_PAGES = 100_000;
  /** Most daemons in one page of a scan. */
  static final int MAX_PAGE = 10_000;
  /** Most daemons one launcher may declare. */
  static final int MAX_DAEMONS = 1_000_000;
  private static final int PARALLELISM = 32;
  private static final int ATTEMPTS_PER_NODE = 3;

  /** Most daemons whose state a reconciliation keeps for {@code list}. */
  static final int MAX_LISTED = 10_000;

  /** What one reconciliation did; {@code daemons}: the state of each daemon (at most {@link #MAX_LISTED}). */
  record Report(int declared, int running, int spawned, int failed, int backoff, long nextRetryAt,
                Map<String, String> launcherErrors, List<JsonObject> daemons, long startedAt, long at) {

    /** @return the launchers whose scan failed, sorted */
    List<String> failedLaunchers() {
      return List.copyOf(launcherErrors.keySet());
    }

    /** @return as JSON (for actions {@code list} and {@code scan}) */
    JsonObject toJson() {
      JsonObject errors = new JsonObject();
      launcherErrors.forEach(errors::put);
      return new JsonObject().put("startedAt", startedAt).put("reconciledAt", at).put("declared", declared).put("running", running)
        .put("spawned", spawned).put("failed", failed).put("backoff", backoff)
        .put("failedLaunchers", new JsonArray(failedLaunchers())).put("launcherErrors", errors)
        .put("truncated", declared > daemons.size()).put("daemons", new JsonArray(new ArrayList<>(daemons)));
    }
  }

  private final Vertx vertx;
  private final String self;
  private final Map<String, Launcher> launchers;
  private final BookMaps maps;
  private final long requestTimeout;
  private final LongSupplier epoch;
  private final java.util.function.Predicate<String> leaving;
  private final LongSupplier quietUntil;
  private final NodeMetrics metrics;
  private final NodeRuntime runtime;
  private final DaemonBackoff backoff = new DaemonBackoff(new java.util.Random());
  /** The supervised spawns: declared daemons of their launchers besides the scanners'. */
  private final LeaderSpawns spawns;
  /** The daemons whose state a leaving node handed off: their next spawn takes it. */
  private final HandOffStates handOffs;

  DaemonRecovery(NodeRuntime runtime, Map<String, Launcher> launchers, LongSupplier epoch,
                 java.util.function.Predicate<String> leaving, LongSupplier quietUntil) {
    this.runtime = runtime;
    this.vertx = runtime.vertx();
    this.self = runtime.name();
    // the daemon service's table itself (launchers come and go at runtime), read on its context
    this.launchers = launchers;
    this.maps = runtime.maps();
    this.requestTimeout = runtime.settings().requestTimeout();
    this.epoch = epoch;
    this.leaving = leaving;
    this.quietUntil = quietUntil;
    this.metrics = runtime.metrics();
    this.spawns = new LeaderSpawns(new SpawnRecords(vertx, requestTimeout), backoff, this.launchers);
    this.handOffs = new HandOffStates(vertx, self, requestTimeout, null);
  }

  /**
   * @return where daemon {@code name} of {@code launcher} goes, best first: the placement's candidates among the
   *   available nodes that offer the launcher and are not leaving (empty when there is none). The
   *   reconciliation places by it and rebalancing moves by it, so both agree on a daemon's pick.
   */
  static List<String> candidates(NodeRuntime runtime, java.util.function.Predicate<String> leaving, String launcher,
                                 String name) {
    List<String> eligible = runtime.view().placeable(n -> n.offers(launcher) && !leaving.test(n.name()));
    return eligible.isEmpty() ? List.of() : runtime.settings().placement().candidates(name, eligible);
  }

  /** @return the daemons whose state was handed off (leader side) */
  HandOffStates handOffs() {
    return handOffs;
  }

  /** @return the leader's side of the supervised spawns */
  LeaderSpawns spawns() {
    return spawns;
  }

  /**
   * Runs one reconciliation of every launcher, started at {@code startedAt} (epoch ms), the supervised
   * spawns read first.
   */
  Future<Report> reconcile(long startedAt) {
    return spawns.load().transform(ar -> {
      if (ar.failed()) {
        log.warn("[node={}] {}; the spawns are reconciled as last read", self, ar.cause().getMessage());
      }
      return reconcile(startedAt, ar.failed() ? ar.cause().getMessage() : null);
    });
  }

  private Future<Report> reconcile(long startedAt, String spawnsUnread) {
    int[] counts = new int[4];
    Map<String, String> failedLaunchers = new java.util.TreeMap<>();
    if (spawnsUnread != null) {
      failedLaunchers.put("(supervised spawns)", "the records could not be read: " + spawnsUnread);
    }
    List<JsonObject> states = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    // every launcher offered anywhere: scanned here when this node has it, else by a node that offers it
    java.util.TreeSet<String> names = new java.util.TreeSet<>(launchers.keySet());
    for (NodeEntry n : maps.view().nodes()) {
      names.addAll(n.launchers());
    }
    names.addAll(spawns.launchers());
    for (String name : names) {
      chain = chain.compose(v -> scanAnywhere(name)
        .recover(t -> {
          failedLaunchers.put(name, String.valueOf(t.getMessage()));
          log.warn("[node={}] recovery scan of launcher '{}' failed: {}; will be retried", self, name, t.getMessage());
          // its supervised spawns are kept running all the same
          return Future.succeededFuture(List.of());
        })
        .compose(scanned -> {
          List<DaemonProcess> daemons = spawns.merge(name, scanned);
          counts[0] += daemons.size();
          if (!launchers.containsKey(name) && maps.view().placeable(n -> n.offers(name)).isEmpty()) {
            // spawns of a launcher no node offers now: they wait for one (no failure, no retry storm)
            for (DaemonProcess d : daemons) {
              JsonObject state = new JsonObject().put("name", d.name()).put("launcher", name).put("state", "pending")
                .put("reason", "no available node offers launcher '" + name + "'");
              spawns.describe(name, d.name(), state);
              if (states.size() < MAX_LISTED) states.add(state);
            }
            return Future.succeededFuture();
          }
          return ensureAll(name, daemons, counts, states);
        }));
    }
    return chain.map(v -> {
      states.sort(java.util.Comparator.comparing(j -> j.getString("name")));
      long now = System.currentTimeMillis();
      int waiting = backoff.waitingCount(now);
      metrics.daemonsBackingOff(waiting);
      return new Report(counts[0], counts[1], counts[2], counts[3], waiting, backoff.nextRetryAt(now), failedLaunchers,
        states, startedAt, now);
    });
  }

  private Future<List<DaemonProcess>> scanAnywhere(String name) {
    Launcher local = launchers.get(name);
    if (local != null) {
      return scan(name, local);
    }
    List<String> offering = maps.view().placeable(n -> n.offers(name));
    String node = offering.isEmpty() ? null : offering.get(0);
    if (node == null) {
      return Future.succeededFuture(List.of());
    }
    DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, dev.vxext.protocol.Action.DAEMON_SCAN.wire()).setSendTimeout(requestTimeout * 2);
    return vertx.eventBus().<JsonObject>request(Protocol.nodeAddress(node), new JsonObject().put("launcher", name), o)
      .map(m -> {
        List<DaemonProcess> list = new ArrayList<>();
        JsonArray array = m.body().getJsonArray("daemons", new JsonArray());
        for (int i = 0; i < array.size(); i++) {
          JsonObject d = array.getJsonObject(i);
          list.add(new DaemonProcess(d.getString("name"), d.getJsonObject("args")));
        }
        return list;
      });
  }

  /** @return the scan of a local launcher as JSON, for a leader that does not have it */
  Future<JsonObject> scanForLeader(String name) {
    Launcher local = launchers.get(name);
    if (local == null) {
      return Future.failedFuture(Protocol.failure(Protocol.NOT_FOUND, "node " + self + " offers no launcher '" + name + "'"));
    }
    return scan(name, local).map(list -> {
      JsonArray array = new JsonArray();
      list.forEach(d -> array.add(new JsonObject().put("name", d.name()).put("args", d.args())));
      return new JsonObject().put("daemons", array);
    });
  }

  /**
   * Pages through a launcher's scanner.
   *
   * @return the daemons it declares; failed with 413 (naming the limit) for a page of more than
   *   {@value #MAX_PAGE} daemons, more than {@value #MAX_DAEMONS} in all or more than {@value #MAX_PAGES}
   *   pages, or with the scanner's own failure
   */
  Future<List<DaemonProcess>> scan(String launcherName, Launcher launcher) {
    DaemonIterator iterator;
    try {
      iterator = launcher.scanner().get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (iterator == null) {
      return Future.failedFuture("the scanner of launcher '" + launcherName + "' returned no iterator");
    }
    List<DaemonProcess> all = new ArrayList<>();
    return page(launcherName, iterator, all, 0).map(all);
  }

  private Future<Void> page(String launcherName, DaemonIterator iterator, List<DaemonProcess> all, int pages) {
    if (pages >= MAX_PAGES) {
      return Future.failedFuture(Protocol.failure(Protocol.TOO_LARGE, "launcher '" + launcherName + "' returned more than "
        + MAX_PAGES + " pages, the maximum is " + MAX_PAGES));
    }
    Future<DaemonBatch> next;
    try {
      next = iterator.next();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (next == null) {
      return Future.failedFuture("the iterator of launcher '" + launcherName + "' returned null");
    }
    return next.timeout(requestTimeout, java.util.concurrent.TimeUnit.MILLISECONDS).compose(batch -> {
      if (batch == null) {
        return Future.failedFuture("launcher '" + launcherName + "' returned a null page");
      }
      if (batch.processes().size() > MAX_PAGE) {
        return Future.failedFuture(Protocol.failure(Protocol.TOO_LARGE, "launcher '" + launcherName + "' returned a page of "
          + batch.processes().size() + " daemons, the maximum is " + MAX_PAGE));
      }
      if (all.size() + batch.processes().size() > MAX_DAEMONS) {
        return Future.failedFuture(Protocol.failure(Protocol.TOO_LARGE, "launcher '" + launcherName + "' declares more than "
          + MAX_DAEMONS + " daemons, the maximum is " + MAX_DAEMONS));
      }
      if (batch.processes().isEmpty() && batch.hasMore()) {
        return Future.failedFuture("launcher '" + launcherName + "' returned an empty page that says it has more");
      }
      for (DaemonProcess d : batch.processes()) {
        String problem = ProcessNames.registrationProblem(d.name());
        if (problem != null) {
          log.warn("[node={}] launcher '{}' declared an invalid daemon name: name {}; skipped", self, launcherName, problem);
        } else {
          all.add(d);
        }
      }
      return batch.hasMore() ? page(launcherName, iterator, all, pages + 1) : Future.succeededFuture();
    });
  }

  private Future<Void> ensureAll(String launcherName, List<DaemonProcess> daemons, int[] counts, List<JsonObject> states) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < daemons.size(); i += PARALLELISM) {
      List<DaemonProcess> chunk = daemons.subList(i, Math.min(daemons.size(), i + PARALLELISM));
      chain = chain.compose(v -> {
        List<Future<Void>> all = new ArrayList<>();
        for (DaemonProcess d : chunk) {
          all.add(ensure(launcherName, d, counts, states));
        }
        return Future.join(all).mapEmpty();
      });
    }
    return chain;
  }

  private Future<Void> ensure(String launcherName, DaemonProcess d, int[] counts, List<JsonObject> states) {
    JsonObject state = new JsonObject().put("name", d.name()).put("launcher", launcherName);
    spawns.describe(launcherName, d.name(), state);
    if (states.size() < MAX_LISTED) {
      states.add(state);
    }
    return runtime.lookup(d.name(), requestTimeout).transform(ar -> {
      if (ar.succeeded() && !leaving.test(ar.result().node())) {
        counts[1]++;
        if (!spawns.exiting(d.name(), ar.result().deploymentId())) {
          backoff.running(d.name());
        }
        state.put("state", "running").put("node", ar.result().node());
        return Future.succeededFuture();
      }
      state.put("state", "pending");
      if (ar.failed() && !Protocol.hasCode(ar.cause(), Protocol.NOT_FOUND)) {
        counts[3]++;
        log.warn("[node={}] cannot tell whether daemon '{}' runs ({}); will be retried", self, d.name(), ar.cause().getMessage());
        return Future.succeededFuture();
      }
      if (System.currentTimeMillis() < quietUntil.getAsLong()) {
        // a node was lost moments ago and may still run this daemon while it fences itself
        counts[3]++;
        log.debug("[node={}] daemon '{}' not placed yet: settle delay after a node loss", self, d.name());
        return Future.succeededFuture();
      }
      DaemonBackoff.Entry waiting = backoff.waiting(d.name(), System.currentTimeMillis());
      if (waiting != null) {
        // it failed to start lately: tried again at its time, not at every reconciliation
        state.put("state", "backoff").put("failures", waiting.failures()).put("retryAt", waiting.retryAt())
          .put("lastError", waiting.lastError());
        return Future.succeededFuture();
      }
      List<String> candidates = candidates(runtime, leaving, launcherName, d.name());
      if (candidates.isEmpty()) {
        counts[3]++;
        log.warn("[node={}] no node offers launcher '{}' for daemon '{}'", self, launcherName, d.name());
        return Future.succeededFuture();
      }
      return spawns.stillWanted(launcherName, d.name())
        .transform(w -> w.succeeded() && w.result() ? place(launcherName, d, candidates, 0, 0) : notWanted(d, w, state, counts))
        .transform(p -> {
        if (p.succeeded() && p.result() == null) {
          return Future.succeededFuture();
        }
        if (p.succeeded()) {
          counts[2]++;
          backoff.running(d.name());
          metrics.daemonPlaced();
          state.put("state", "placed").put("node", p.result().node());
        } else {
          metrics.daemonFailed();
          DaemonBackoff.Entry e = backoff.failed(d.name(), String.valueOf(p.cause().getMessage()), System.currentTimeMillis());
          state.put("state", "backoff").put("failures", e.failures()).put("retryAt", e.retryAt()).put("lastError", e.lastError());
          log.warn("[node={}] daemon '{}' could not be placed on any of {} ({} failure(s) in a row): {}; retried in {} ms",
            self, d.name(), candidates, e.failures(), p.cause().getMessage(), e.retryAt() - System.currentTimeMillis());
        }
        return Future.succeededFuture();
      });
    });
  }

  /** A spawn not placed: stopped meanwhile, or its record unreadable (retried soon). @return a future of null */
  private Future<ProcessId> notWanted(DaemonProcess d, io.vertx.core.AsyncResult<Boolean> wanted, JsonObject state, int[] counts) {
    if (wanted.failed()) {
      counts[3]++;
      log.warn("[node={}] spawn '{}' not placed: {}", self, d.name(), wanted.cause().getMessage());
    } else {
      state.put("state", "stopped");
    }
    return Future.succeededFuture();
  }

  private Future<ProcessId> place(String launcherName, DaemonProcess d, List<String> candidates, int index, int attempt) {
    String target = candidates.get(index);
    if (epoch.getAsLong() <= 0) {
      return Future.failedFuture("this node no longer leads: '" + d.name() + "' is left to the next leader");
    }
    return DaemonVerticle.spawnRequest(runtime, target, launcherName, d.name(), d.args(), epoch.getAsLong(), requestTimeout,
        handOffs.pending(d.name()))
      .onSuccess(pid -> {
        handOffs.placed(d.name());
        log.info("[node={}] daemon '{}' placed on {}", self, d.name(), pid.node());
      })
      .recover(t -> {
        if (Protocol.hasCode(t, Protocol.CONFLICT) && t.getMessage() != null && t.getMessage().contains("epoch")) {
          // the target refused our epoch: give up only when the cluster has a newer leader than us
          long ours = epoch.getAsLong();
          return vertx.sharedData().getCounter(dev.vxext.cluster.impl.LeaderElection.EPOCH)
            .compose(io.vertx.core.shareddata.Counter::get)
            .compose(cluster -> cluster > ours || attempt + 1 >= ATTEMPTS_PER_NODE ? Future.<ProcessId>failedFuture(t)
              : place(launcherName, d, candidates, index, attempt + 1));
        }
        boolean nextNode = attempt + 1 >= ATTEMPTS_PER_NODE;
        if (nextNode && index + 1 >= candidates.size()) {
          return Future.failedFuture(t);
        }
        long delay = Math.min(2_000, 100L << attempt);
        log.debug("[node={}] spawn of '{}' on {} failed ({}); retrying", self, d.name(), target, t.getMessage());
        Promise<ProcessId> retry = Promise.promise();
        vertx.setTimer(delay, id -> place(launcherName, d, candidates, nextNode ? index + 1 : index, nextNode ? 0 : attempt + 1)
          .onComplete(retry));
        return retry.future();
      });
  }
}
