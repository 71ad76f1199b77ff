package dev.vxext.runtime;

import dev.vxext.process.impl.CallLanes;
import dev.vxext.protocol.Action;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The node's one clustered address, {@code vxext.node.<name>}, and its call lanes, with a table of handlers
 * keyed by {@link Action}: each service registers the actions it serves, with the context it runs on (the
 * endpoint hands the message over to it; no bus hop), or none for a thread-safe handler. Before a handler
 * runs, the endpoint checks the action (400 when missing or unknown), the sender (403 unless the
 * {@value Protocol#FROM_HEADER} header names a member; the {@link Action#open() open} actions answer anyone) and that a
 * service serves it (503 otherwise). Refusals are logged once a minute per sender. The lanes take only
 * {@link Action#CALL} and {@link Action#SEND}, on their own event loops.
 */
public final class NodeEndpoint {

  private static final Logger log = LoggerFactory.getLogger(NodeEndpoint.class);

  private record Route(Context context, Handler<Message<Object>> handler) {
  }

  private final Vertx vertx;
  private final String self;
  private final Predicate<String> member;
  private final CallLanes lanes;
  private final Map<Action, Route> routes = new EnumMap<>(Action.class);
  private volatile Map<Action, Route> table = Map.of();
  /** When a refusal was last logged, per sender (lanes refuse on their own event loops too). */
  private final Map<String, Long> refusedLogged = new ConcurrentHashMap<>();
  private MessageConsumer<Object> consumer;

  NodeEndpoint(Vertx vertx, String self, Predicate<String> member) {
    this.vertx = vertx;
    this.self = self;
    this.member = member;
    this.lanes = new CallLanes(vertx, self);
  }

  /** @return the call lanes (a process's lane is carried in its process id) */
  public CallLanes lanes() {
    return lanes;
  }

  /**
   * Serves {@code action} with {@code handler}, run on {@code context} (null: on whatever thread receives
   * the message; the handler must be thread-safe). Replaces an earlier handler of the action.
   */
  public synchronized void handle(Action action, Context context, Handler<Message<Object>> handler) {
    routes.put(action, new Route(context, handler));
    table = new EnumMap<>(routes);
  }

  /** Stops serving {@code action} (its messages get 503). */
  public synchronized void remove(Action action) {
    routes.remove(action);
    table = routes.isEmpty() ? Map.of() : new EnumMap<>(routes);
  }

  /** Registers the node address (on the caller's context) and the lanes. @return completed once registered cluster-wide */
  Future<Void> start() {
    consumer = vertx.eventBus().consumer(Protocol.nodeAddress(self), this::receive);
    return Future.all(consumer.completion(), lanes.start(this::receiveOnLane)).mapEmpty();
  }

  /** Unregisters the node address and the lanes; safe to call twice. */
  Future<Void> stop() {
    Future<Void> node = consumer == null ? Future.succeededFuture() : consumer.unregister();
    consumer = null;
    return Future.join(node, lanes.stop()).mapEmpty();
  }

  private void receive(Message<Object> msg) {
    String wire = msg.headers().get(Protocol.ACTION_HEADER);
    Action action = Action.of(wire);
    if (action == null) {
      msg.fail(Protocol.BAD_REQUEST, wire == null ? "missing '" + Protocol.ACTION_HEADER + "' header"
        : "unknown action '" + wire + "'");
      return;
    }
    if (!action.open() && !admitted(msg, wire)) {
      return;
    }
    dispatch(action, msg);
  }

  private void receiveOnLane(Message<Object> msg) {
    String wire = msg.headers().get(Protocol.ACTION_HEADER);
    Action action = Action.of(wire);
    if (action != Action.CALL && action != Action.SEND) {
      msg.fail(Protocol.BAD_REQUEST, wire == null ? "missing '" + Protocol.ACTION_HEADER + "' header"
        : "a call lane takes only 'call' and 'send', not '" + wire + "'");
      return;
    }
    if (admitted(msg, wire)) {
      dispatch(action, msg);
    }
  }

  private void dispatch(Action action, Message<Object> msg) {
    Route route = table.get(action);
    if (route == null) {
      msg.fail(Protocol.NOT_READY, "node " + self + " does not serve '" + action + "' now (its service is not running)");
      return;
    }
    if (route.context() == null || route.context() == Vertx.currentContext()) {
      handleSafely(route.handler(), msg, action);
    } else {
      route.context().runOnContext(v -> handleSafely(route.handler(), msg, action));
    }
  }

  private void handleSafely(Handler<Message<Object>> handler, Message<Object> msg, Action action) {
    try {
      handler.handle(msg);
    } catch (RuntimeException e) {
      // a handler must reply on every path; one that throws still gets its caller an answer
      log.error("[node={}] handler of '{}' failed", self, action, e);
      msg.fail(500, "node " + self + " failed on '" + action + "': " + e);
    }
  }

  /** @return true when the sender is a member; else refuses the message (403) and returns false */
  private boolean admitted(Message<Object> msg, String action) {
    String from = msg.headers().get(Protocol.FROM_HEADER);
    if (from != null && member.test(from)) {
      return true;
    }
    refuse(msg, from, Protocol.FORBIDDEN, "node " + self + " refuses '" + action + "' from "
      + (from == null ? "an unnamed sender" : "'" + from + "', which is not a member of its cluster"));
    return false;
  }

  /** Refuses a message with {@code code}; logged once a minute per sender. */
  public void refuse(Message<Object> msg, String from, int code, String why) {
    long now = System.currentTimeMillis();
    String key = String.valueOf(from);
    Long last = refusedLogged.get(key);
    if (last == null || now - last > 60_000) {
      refusedLogged.put(key, now);
      if (refusedLogged.size() > 10_000) refusedLogged.clear();
      log.warn("[node={}] refused ({}): {} (logged once a minute per sender)", self, code, why);
    }
    msg.fail(code, why);
  }
}
