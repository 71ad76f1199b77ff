package dev.vxext.daemon.impl;

import dev.vxext.addressbook.NodeEntry;
import dev.vxext.cluster.LeaderInfo;
import dev.vxext.cluster.MembershipEvent;
import dev.vxext.daemon.Launcher;
import dev.vxext.protocol.Action;
import dev.vxext.protocol.Protocol;
import dev.vxext.runtime.NodeRuntime;
import dev.vxext.runtime.NodeSettings;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The daemon leader of a node: a state machine, confined to the daemon service's context.
 * <pre>
 *   FOLLOWER --elected--> SETTLING --view settled--> SCANNING <--> IDLE <--> MOVING
 *       ^                     |                          |          |         |
 *       +------demoted--------+--------------------------+----------+---------+      any --stop--> STOPPED
 * </pre>
 * <ul>
 *   <li>{@code FOLLOWER}: not leading; still tracks what a leader must know (nodes that handed their daemons
 *   off, nodes lost without a hand-off and the failover gate they close, when a node last joined);</li>
 *   <li>{@code SETTLING}: just elected at a cold start; the first reconciliation waits until the view has
 *   settled ({@code settleDelay} after its own start and the last join) so a cold start spreads the daemons;
 *   a takeover in a running cluster skips it;</li>
 *   <li>{@code IDLE}: leading, between reconciliations (one may be planned: {@link #scanAt});</li>
 *   <li>{@code SCANNING}: a reconciliation runs; a change meanwhile asks for another one right after;</li>
 *   <li>{@code MOVING}: ({@code rebalance: on-join} only) daemons move to nodes that joined ({@link Rebalancer});
 *   a reconciliation follows.</li>
 * </ul>
 * Each transition is logged in one place ({@link #transition}).
 */
final class DaemonLeader {

  private static final Logger log = LoggerFactory.getLogger(DaemonLeader.class);

  enum State { FOLLOWER, SETTLING, IDLE, SCANNING, MOVING, STOPPED }

  /** Least time from the start of one reconciliation to the start of one asked on demand, ms. */
  static final long ON_DEMAND_GAP_MS = 1_000;

  private final NodeRuntime runtime;
  private final Vertx vertx;
  private final String self;
  private final NodeSettings settings;
  private final Consumer<LeaderInfo> leaderInfo;
  private final DaemonRecovery recovery;
  private final FailoverGate gate;
  /** Rebalancing on join, or null ({@code rebalance: never}). */
  private final Rebalancer rebalancer;
  private final long startedAt = System.currentTimeMillis();

  private State state = State.FOLLOWER;
  // what a leader must know, tracked in every state
  /** Nodes that stopped their daemons for a graceful leave: what they ran counts as gone. */
  private final Set<String> handedOff = new HashSet<>();
  /** Every node as last seen in the view (a lost node's event-bus address is probed by the gate). */
  private final Map<String, NodeEntry> lastSeen = new HashMap<>();
  private long lastHandOffAt;
  private long lastJoinAt;
  /** When a node was lost without handing off and its daemons are not placed yet (0: none), for the failover timer. */
  private long lossAt;
  // leading (SETTLING, IDLE, SCANNING)
  private long epoch;
  private long scanTimer = -1;
  /** When the planned reconciliation ({@link #scanTimer}) runs, epoch ms. */
  private long scanAt;
  private long periodicTimer = -1;
  private long announceTimer = -1;
  private boolean rescan;
  /** The last reconciliation this node ran as leader (for action {@code daemon.list}). */
  private DaemonRecovery.Report lastReport;
  /** When the last reconciliation started, epoch ms. */
  private long lastScanStartedAt;
  /** Callers of {@link #scanNow()} waiting for the next reconciliation to start (and end). */
  private List<Promise<JsonObject>> onDemand = new ArrayList<>();

  DaemonLeader(NodeRuntime runtime, Map<String, Launcher> launchers, Consumer<LeaderInfo> leaderInfo) {
    this.runtime = runtime;
    this.vertx = runtime.vertx();
    this.self = runtime.name();
    this.settings = runtime.settings();
    this.leaderInfo = leaderInfo;
    this.gate = new FailoverGate(vertx, self, settings.failoverDelay(), this::scanSoon);
    this.recovery = new DaemonRecovery(runtime, launchers, () -> epoch, handedOff::contains, gate::closedUntil);
    this.rebalancer = !settings.rebalanceOnJoin() ? null
      : new Rebalancer(runtime, () -> leading() ? epoch : 0, handedOff::contains, this::move, recovery.handOffs()::announced);
    rememberView();
  }

  State state() {
    return state;
  }

  boolean leading() {
    return state == State.SETTLING || state == State.IDLE || state == State.SCANNING || state == State.MOVING;
  }

  /** @return the scan of a local launcher as JSON, for a leader that does not offer it */
  io.vertx.core.Future<JsonObject> scanForLeader(String launcher) {
    return recovery.scanForLeader(launcher);
  }

  /** @return the last reconciliation report (action {@code daemon.list}), null when not leading */
  JsonObject report() {
    if (!leading()) {
      return null;
    }
    JsonObject list = lastReport == null ? new JsonObject().put("daemons", new JsonArray()) : lastReport.toJson();
    return rebalancer == null ? list.put("leader", self).put("epoch", epoch)
      : list.put("leader", self).put("epoch", epoch).put("moves", rebalancer.moves());
  }

  /**
   * A reconciliation on demand (the Go original's {@code MessageLaunchAllDaemon}): answered with the next
   * reconciliation that starts after this call. Rate-limited: one asked on demand starts at the earliest
   * {@value #ON_DEMAND_GAP_MS} ms after the previous one started; every request until then joins it (none
   * is refused). While the view settles (cold start) the first reconciliation answers; while the failover
   * gate is closed, the one that runs when it opens.
   *
   * @return a future completed with the report (as {@code daemon.list} shows it); failed with 421 when this
   *   node does not lead, 503 when it stops leading before the reconciliation ends
   */
  Future<JsonObject> scanNow() {
    if (!leading()) {
      return Future.failedFuture(Protocol.failure(Protocol.MISDIRECTED, "node " + self + " is not the leader (the leader is "
        + runtime.leader().node() + ")"));
    }
    Promise<JsonObject> answer = Promise.promise();
    onDemand.add(answer);
    if (state == State.IDLE) {
      scheduleScan(lastScanStartedAt + ON_DEMAND_GAP_MS - System.currentTimeMillis());
    }
    // SCANNING: planned when the running one ends; SETTLING: the first reconciliation is planned already
    return answer.future();
  }

  private void failOnDemand(List<Promise<JsonObject>> waiting, String why) {
    waiting.forEach(p -> p.tryFail(Protocol.failure(Protocol.NOT_READY, why + "; try again soon")));
  }

  /** This node won the election with {@code newEpoch}. */
  void elected(long newEpoch) {
    if (state == State.STOPPED) return;
    epoch = newEpoch;
    leaderInfo.accept(new LeaderInfo(self, newEpoch, true));
    announce(null);
    announceTimer = vertx.setPeriodic(settings.syncInterval(), t -> announce(null));
    // a periodic tick during a (long) reconciliation is no change: the next tick comes soon enough
    periodicTimer = vertx.setPeriodic(settings.reconcileInterval(), t -> {
      if (state == State.IDLE) scheduleScan(0);
    });
    long now = System.currentTimeMillis();
    if (!handedOff.isEmpty() || now - lastHandOffAt <= settings.settleDelay()) {
      // a node (maybe the previous leader) just handed its daemons off: place them now
      transition(State.IDLE, "elected (epoch " + newEpoch + "), daemons were handed off");
      scanSoon();
    } else {
      long settled = Math.max(startedAt, lastJoinAt) + settings.settleDelay();
      if (settled <= now) {
        // a takeover in a running cluster: a lost leader's daemons wait only for the failover gate
        transition(State.IDLE, "elected (epoch " + newEpoch + ") in a running cluster");
        scanSoon();
      } else {
        transition(State.SETTLING, "elected (epoch " + newEpoch + "); the view settles for " + (settled - now) + " ms");
        scheduleScan(settled - now);
      }
    }
  }

  /** This node no longer leads. */
  void demoted() {
    if (state == State.STOPPED || state == State.FOLLOWER) return;
    stopLeading();
    transition(State.FOLLOWER, "demoted (epoch " + epoch + " ends)");
    leaderInfo.accept(LeaderInfo.UNKNOWN);
  }

  /** Leads no more, for good (the node leaves). Safe to call twice. */
  void stop() {
    if (state == State.STOPPED) return;
    boolean was = leading();
    stopLeading();
    gate.close();
    transition(State.STOPPED, "stopped");
    if (was) leaderInfo.accept(LeaderInfo.UNKNOWN);
  }

  /** Node {@code node} stopped its daemons for a graceful leave. */
  void handedOff(String node) {
    if (node.equals(self) || state == State.STOPPED) return;
    handedOff.add(node);
    scanSoon();
  }

  /**
   * A supervised spawn ended on its own and its policy starts it again (action {@code daemon.exited}): it
   * waits for the crash-loop backoff, then the reconciliation places it. Ignored when not leading.
   */
  void exited(JsonObject body) {
    if (!leading()) return;
    recovery.spawns().exited(body.getString("name"), body.getString("deploymentId"), body.getBoolean("failed"),
      body.getLong("ranMs"), body.getString("error"), System.currentTimeMillis());
    scanSoon();
  }

  /** A leaving node handed off the states of these daemons ({@code daemon.leaving}): their next spawn takes them. */
  void statesHandedOff(Object names) {
    if (state == State.STOPPED) return;
    recovery.handOffs().announced(names);
  }

  /** The membership changed (this node's view). */
  void membership(MembershipEvent event) {
    if (state == State.STOPPED) return;
    if (event.type() == MembershipEvent.Type.LEFT) {
      boolean handedOffFirst = handedOff.remove(event.node());
      if (handedOffFirst) {
        lastHandOffAt = System.currentTimeMillis();
        scanSoon();
      } else {
        if (lossAt == 0) lossAt = System.currentTimeMillis();
        // a node that did not hand off may still run its daemons (its session expired under it, it is
        // fencing itself): nothing is placed anywhere until the failover delay has passed, whatever
        // triggers the reconciliation, unless the gate finds its process gone
        gate.lost(event.node(), lastSeen.get(event.node()));
        scheduleScan(settings.failoverDelay());
      }
    } else if (event.type() == MembershipEvent.Type.UPDATED) {
      // a member (maybe this one) offers other launchers now: the daemons they declare are reconciled at once
      // (while settling, the first reconciliation comes soon enough and sees them)
      if (state == State.IDLE || state == State.SCANNING) {
        scanSoon();
      }
    } else if (event.type() == MembershipEvent.Type.JOINED) {
      lastJoinAt = System.currentTimeMillis();
      handedOff.remove(event.node());
      gate.clear(event.node());
      if (leading()) {
        announce(event.node());
        if (rebalancer != null) rebalancer.joined(event.node());
      }
    }
    rememberView();
  }

  private void rememberView() {
    lastSeen.clear();
    runtime.view().nodes().forEach(n -> lastSeen.put(n.name(), n));
  }

  private void stopLeading() {
    List<Promise<JsonObject>> waiting = onDemand;
    onDemand = new ArrayList<>();
    failOnDemand(waiting, "node " + self + " no longer leads");
    cancel(scanTimer);
    scanTimer = -1;
    cancel(periodicTimer);
    periodicTimer = -1;
    cancel(announceTimer);
    announceTimer = -1;
    rescan = false;
    if (rebalancer != null) rebalancer.cancel();
  }

  /** Reconciles as soon as the failover gate allows (a later planned reconciliation is brought forward). */
  private void scanSoon() {
    scheduleScan(0);
  }

  /**
   * Plans a reconciliation (while leading), not before the failover gate opens; an earlier plan is kept
   * (churn cannot postpone it for ever).
   */
  private void scheduleScan(long requested) {
    if (!leading()) return;
    long delay = Math.max(1, Math.max(requested, gate.closedUntil() - System.currentTimeMillis()));
    if ((state == State.SCANNING || state == State.MOVING) && delay <= 1) {
      rescan = true;
      return;
    }
    long at = System.currentTimeMillis() + delay;
    if (scanTimer >= 0) {
      // a reconciliation is planned already: keep the earlier of the two (a node lost during a cold start's
      // settle delay must not wait for the end of it, nor a hand-off for a failover delay)
      if (at >= scanAt) {
        return;
      }
      cancel(scanTimer);
    }
    scanAt = at;
    scanTimer = vertx.setTimer(delay, t -> {
      scanTimer = -1;
      runScan();
    });
  }

  private void runScan() {
    if (!leading()) return;
    if (state == State.SCANNING || state == State.MOVING) {
      rescan = true;
      return;
    }
    transition(State.SCANNING, null);
    long scanEpoch = epoch;
    lastScanStartedAt = System.currentTimeMillis();
    List<Promise<JsonObject>> answering = onDemand;
    onDemand = new ArrayList<>();
    recovery.reconcile(lastScanStartedAt).onComplete(ar -> {
      if (state != State.SCANNING || epoch != scanEpoch) {
        failOnDemand(answering, "leadership changed during the reconciliation");
        return;
      }
      transition(State.IDLE, null);
      // its result counts even when a change arrived meanwhile (a reconciliation longer than the interval is not lost)
      if (ar.succeeded()) {
        reconciled(ar.result());
        JsonObject report = ar.result().toJson().put("leader", self).put("epoch", scanEpoch);
        answering.forEach(p -> p.tryComplete(report.copy()));
      } else {
        answering.forEach(p -> p.tryFail(ar.cause()));
      }
      if (rebalancer != null && rebalancer.takeDue()) {
        move();
      }
      if (rescan) {
        // a change arrived during the reconciliation: again now, ahead of any retry delay
        rescan = false;
        scanSoon();
      }
      if (!onDemand.isEmpty()) {
        // asked for during this one: the next one, once the rate limit allows
        scheduleScan(lastScanStartedAt + ON_DEMAND_GAP_MS - System.currentTimeMillis());
      }
    });
  }

  /** The view settled after a join: moves daemons to the joined nodes ({@link Rebalancer}), then reconciles. */
  private void move() {
    if (state == State.SCANNING || state == State.SETTLING) {
      rebalancer.defer();
    } else if (state == State.IDLE) {
      transition(State.MOVING, "rebalancing on join");
      long moveEpoch = epoch;
      rebalancer.run(lastReport == null ? List.of() : lastReport.daemons()).onComplete(ar -> {
        if (state == State.MOVING && epoch == moveEpoch) {
          transition(State.IDLE, "moved " + ar.result() + " daemon(s)");
          rescan = false;
          scanSoon();
        }
      });
    }
  }

  private void reconciled(DaemonRecovery.Report r) {
    lastReport = r;
    runtime.metrics().reconciled(r.declared(), r.running() + r.spawned());
    if (lossAt > 0 && r.failed() == 0 && r.failedLaunchers().isEmpty()) {
      if (r.spawned() > 0) {
        runtime.metrics().failover(System.currentTimeMillis() - lossAt);
      }
      lossAt = 0;
    }
    log.info("[node={}] daemon reconciliation: {} declared, {} running, {} spawned, {} failed", self,
      r.declared(), r.running(), r.spawned(), r.failed());
    if (r.failed() > 0 || !r.failedLaunchers().isEmpty()) {
      scheduleScan(Math.min(settings.reconcileInterval(), 1_000));
    } else if (r.nextRetryAt() > 0) {
      // a daemon in backoff is tried again at its time
      scheduleScan(Math.min(settings.reconcileInterval(), r.nextRetryAt() - System.currentTimeMillis()));
    }
  }

  /**
   * Tells one node (or every node when {@code node} is null) who leads, with the epoch. Repeated every
   * sync interval; a node that has just joined (its address not reachable yet) is retried sooner.
   */
  private void announce(String node) {
    for (String target : node == null ? runtime.view().names() : List.of(node)) {
      if (!target.equals(self)) {
        announceTo(target, node == null ? 0 : 5);
      }
    }
  }

  private void announceTo(String target, int retries) {
    if (!leading()) return;
    DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, Action.DAEMON_LEADER.wire())
      .addHeader(Protocol.EPOCH_HEADER, Long.toString(epoch)).setSendTimeout(settings.requestTimeout());
    vertx.eventBus().request(Protocol.nodeAddress(target), new JsonObject().put("node", self), o).onFailure(t -> {
      log.debug("[node={}] leader announcement to {} failed: {}", self, target, t.getMessage());
      if (retries > 0 && runtime.view().contains(target)) {
        vertx.setTimer(200, id -> announceTo(target, retries - 1));
      }
    });
  }

  /** The one place where the leader's state changes; logged (at INFO, DEBUG between IDLE and SCANNING). */
  private void transition(State next, String why) {
    State previous = state;
    state = next;
    if (why != null) {
      log.info("[node={}] daemon leader {} -> {}: {}", self, previous, next, why);
    } else if (log.isDebugEnabled()) {
      log.debug("[node={}] daemon leader {} -> {}", self, previous, next);
    }
  }

  private void cancel(long timer) {
    if (timer >= 0) vertx.cancelTimer(timer);
  }
}
