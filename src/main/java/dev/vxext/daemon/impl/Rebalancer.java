package dev.vxext.daemon.impl;

import dev.vxext.process.ProcessId;
import dev.vxext.protocol.Action;
import dev.vxext.protocol.Protocol;
import dev.vxext.runtime.NodeRuntime;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The leader's rebalancing on join (option {@code rebalance: on-join}), confined to the daemon service's
 * context. When nodes join, once the view has settled ({@code settleDelay} after the last join), the leader
 * takes the daemons its last reconciliation saw running and, for each, the placement's pick among the nodes
 * offering its launcher now; those whose pick is one of the joined nodes (and not where they run) are moved,
 * at most {@value #PARALLEL_MOVES} at a time. A move:
 * <ol>
 *   <li>asks the node running the instance the leader looked up to stop it for a hand-off (action
 *   {@code daemon.move}, fenced by the leader's epoch): its {@code DaemonHandOff} state is stored, then it is
 *   undeployed, and only then does that node answer;</li>
 *   <li>spawns it on the new node with that state (fenced by the same epoch).</li>
 * </ol>
 * Never two instances: the spawn is only sent once the stop is done. The daemon is unavailable in between
 * (recorded as {@code unavailableMs}, the leader's measure from the stop request to the spawn's answer). A
 * move cut short (the node does not stop it, the target refuses, the leader changes) is left to the next
 * reconciliation, which places a stopped daemon by the usual rules. The last {@value #MAX_SHOWN} moves are
 * kept for {@code list}.
 */
final class Rebalancer {

  private static final Logger log = LoggerFactory.getLogger(Rebalancer.class);
  /** Most daemons moving at once. */
  public static final int PARALLEL_MOVES = 4;
  /** Most recent moves kept for {@code list}. */
  static final int MAX_SHOWN = 100;

  private final NodeRuntime runtime;
  private final Vertx vertx;
  private final String self;
  private final long requestTimeout;
  private final LongSupplier epoch;
  private final Predicate<String> leaving;
  private final Runnable settled;
  /** Told the names (a JSON array) of daemons stopped with a stored state but not started again. */
  private final java.util.function.Consumer<Object> stateLeft;
  /** Nodes joined since the last rebalancing. */
  private final Set<String> joined = new LinkedHashSet<>();
  private final Deque<JsonObject> moves = new ArrayDeque<>();
  private long timer = -1;
  /** The view settled while the leader was busy: rebalance after its reconciliation. */
  private boolean due;

  /**
   * @param epoch   the leader's epoch (0 or less: not leading)
   * @param leaving whether a node is handing its daemons off (never a target)
   * @param settled called on the service's context once the view has settled after a join
   * @param stateLeft told the names of daemons stopped with a stored state whose spawn failed (their next
   *   placement takes the state)
   */
  Rebalancer(NodeRuntime runtime, LongSupplier epoch, Predicate<String> leaving, Runnable settled,
             java.util.function.Consumer<Object> stateLeft) {
    this.runtime = runtime;
    this.vertx = runtime.vertx();
    this.self = runtime.name();
    this.requestTimeout = runtime.settings().requestTimeout();
    this.epoch = epoch;
    this.leaving = leaving;
    this.settled = settled;
    this.stateLeft = stateLeft;
  }

  /** Node {@code node} joined (seen by the leader): a rebalancing follows once the view has settled. */
  void joined(String node) {
    joined.add(node);
    if (timer >= 0) vertx.cancelTimer(timer);
    timer = vertx.setTimer(Math.max(1, runtime.settings().settleDelay()), t -> {
      timer = -1;
      settled.run();
    });
  }

  /** The leader is busy: {@link #takeDue()} says so after its reconciliation. */
  void defer() {
    due = true;
  }

  /** @return true (once) when a rebalancing was deferred */
  boolean takeDue() {
    boolean was = due;
    due = false;
    return was;
  }

  /** Leads no more: forgets the joins and any planned rebalancing (a running one sees the epoch change). */
  void cancel() {
    if (timer >= 0) vertx.cancelTimer(timer);
    timer = -1;
    joined.clear();
    due = false;
  }

  /** @return the last moves, oldest first ({@code {name, from, to, at, unavailableMs | error}}) */
  JsonArray moves() {
    return new JsonArray(new ArrayList<>(moves));
  }

  /**
   * Moves to the nodes joined since the last call the daemons whose pick they are now.
   *
   * @param daemons the states of the leader's last reconciliation ({@code {name, launcher, node, state}})
   * @return a future completed with the number moved once every move ended (never failed)
   */
  Future<Integer> run(List<JsonObject> daemons) {
    Set<String> targets = new LinkedHashSet<>(joined);
    joined.clear();
    Deque<JsonObject> planned = new ArrayDeque<>();
    for (JsonObject d : daemons) {
      String node = d.getString("node");
      String launcher = d.getString("launcher");
      if (node == null || launcher == null || !("running".equals(d.getString("state")) || "placed".equals(d.getString("state")))) {
        continue;
      }
      List<String> candidates = DaemonRecovery.candidates(runtime, leaving, launcher, d.getString("name"));
      if (candidates.isEmpty()) continue;
      String pick = candidates.get(0);
      if (targets.contains(pick) && !pick.equals(node)) {
        planned.add(new JsonObject().put("name", d.getString("name")).put("launcher", launcher).put("to", pick));
      }
    }
    if (planned.isEmpty()) {
      return Future.succeededFuture(0);
    }
    log.info("[node={}] rebalancing on join of {}: {} daemon(s) to move, {} at a time", self, targets, planned.size(),
      PARALLEL_MOVES);
    int[] moved = new int[1];
    List<Future<Void>> lanes = new ArrayList<>();
    for (int i = 0; i < Math.min(PARALLEL_MOVES, planned.size()); i++) {
      lanes.add(lane(planned, moved));
    }
    return Future.join(lanes).transform(ar -> Future.succeededFuture(moved[0]));
  }

  /** Moves the planned daemons one after another. @return completed when none is left (never failed) */
  private Future<Void> lane(Deque<JsonObject> planned, int[] moved) {
    JsonObject next = planned.poll();
    if (next == null || epoch.getAsLong() <= 0) {
      return Future.succeededFuture();
    }
    return move(next.getString("name"), next.getString("launcher"), next.getString("to"))
      .transform(ar -> {
        if (ar.succeeded() && ar.result()) moved[0]++;
        return lane(planned, moved);
      });
  }

  /** @return true when {@code name} was moved to {@code to}; false when not (never failed) */
  private Future<Boolean> move(String name, String launcher, String to) {
    long fence = epoch.getAsLong();
    return runtime.lookup(name, requestTimeout).compose(pid -> {
      if (pid.node().equals(to)) {
        return Future.succeededFuture(false);
      }
      long stopAt = System.nanoTime();
      DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, Action.DAEMON_MOVE.wire())
        .addHeader(Protocol.EPOCH_HEADER, Long.toString(fence)).setSendTimeout(requestTimeout);
      JsonObject body = new JsonObject().put("name", name).put("deploymentId", pid.deploymentId()).put("to", to);
      return runtime.peers().<JsonObject>request(vertx, pid.node(), Protocol.nodeAddress(pid.node()), body, o)
        .map(Message::body)
        .compose(stopped -> {
          if (epoch.getAsLong() != fence) {
            return Future.failedFuture("the leader changed during the move: '" + name + "' is left to the next leader");
          }
          // stopped: now (never before) its successor starts
          JsonObject args = stopped.getValue("args") instanceof JsonObject a ? a : new JsonObject();
          String how = stopped.getValue("launcher") instanceof String l ? l : launcher;
          boolean handoff = Boolean.TRUE.equals(stopped.getValue("handoff"));
          return DaemonVerticle.spawnRequest(runtime, to, how, name, args, fence, requestTimeout, handoff)
            .onFailure(t -> {
              if (handoff) stateLeft.accept(new JsonArray().add(name));
            });
        })
        .transform(ar -> recorded(name, pid, to, stopAt, ar));
    }, t -> {
      log.debug("[node={}] daemon '{}' not moved: {}", self, name, t.getMessage());
      return Future.succeededFuture(false);
    });
  }

  private Future<Boolean> recorded(String name, ProcessId from, String to, long stopAt, io.vertx.core.AsyncResult<ProcessId> ar) {
    long unavailable = (System.nanoTime() - stopAt) / 1_000_000;
    JsonObject move = new JsonObject().put("name", name).put("from", from.node()).put("to", to)
      .put("at", System.currentTimeMillis());
    if (ar.succeeded()) {
      move.put("unavailableMs", unavailable);
      log.info("[node={}] daemon '{}' moved {} -> {} (unavailable {} ms)", self, name, from.node(), ar.result().node(), unavailable);
    } else {
      move.put("error", String.valueOf(ar.cause().getMessage()));
      log.warn("[node={}] daemon '{}' not moved {} -> {}: {}; the next reconciliation places it if it is stopped", self, name,
        from.node(), to, ar.cause().getMessage());
    }
    moves.addLast(move);
    while (moves.size() > MAX_SHOWN) moves.removeFirst();
    return Future.succeededFuture(ar.succeeded());
  }
}
