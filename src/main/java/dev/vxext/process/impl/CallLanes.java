package dev.vxext.process.impl;

import dev.vxext.process.ProcessId;
import dev.vxext.protocol.Protocol;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

import java.util.ArrayList;
import java.util.List;

/**
 * The call lanes of this node: one clustered consumer per Vert.x event loop, on
 * {@link WhereIs#laneAddress(String, int) vxext.node.&lt;name&gt;#&lt;lane&gt;}, running on that event loop.
 * <p>
 * A forwarded call that arrives on the node's one address runs there on the whereis context and then hops
 * to the process's own event loop: one thread wake-up more than a plain event-bus request to a consumer.
 * A process that takes direct calls ({@link DirectDelivery}) is registered with the lane of its event loop
 * ({@link ProcessId#lane()}), so callers send to that lane and the call is handed to the process on the
 * thread that received it, as a plain request would be. A lane takes only {@code call} and {@code send};
 * the lane address is an optimisation: a caller whose lane address has no consumer (a node that stopped,
 * or one with fewer event loops) falls back to the node address.
 * <p>
 * At most {@value #MAX_LANES} lanes (event loops past that have none; their processes get
 * {@link ProcessId#NO_LANE}). Each lane is one cluster-manager subscription. Started and stopped on the
 * whereis context; {@link #laneOf} is thread-safe (immutable after construction).
 */
public final class CallLanes {

  /** Most lanes per node (one per event loop up to this). */
  public static final int MAX_LANES = 32;

  private final VertxInternal vertx;
  private final String node;
  private final EventLoop[] loops;
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();

  public CallLanes(Vertx vertx, String node) {
    this.vertx = (VertxInternal) vertx;
    this.node = node;
    List<EventLoop> list = new ArrayList<>();
    for (EventExecutor e : this.vertx.nettyEventLoopGroup()) {
      if (list.size() == MAX_LANES) break;
      if (e instanceof EventLoop loop) list.add(loop);
    }
    this.loops = list.toArray(EventLoop[]::new);
  }

  /** @return how many lanes this node has */
  public int size() {
    return loops.length;
  }

  /**
   * Registers one consumer per lane, each on a context of its event loop.
   *
   * @param handler takes the messages of every lane, on the lane's event loop (so it must be thread-safe)
   * @return a future completed once every lane is registered cluster-wide
   */
  public Future<Void> start(Handler<Message<Object>> handler) {
    List<Future<Void>> ready = new ArrayList<>();
    for (int lane = 0; lane < loops.length; lane++) {
      ContextInternal ctx = vertx.contextBuilder().withEventLoop(loops[lane]).build();
      Promise<Void> registered = Promise.promise();
      String address = Protocol.laneAddress(node, lane);
      ctx.runOnContext(v -> {
        MessageConsumer<Object> c = vertx.eventBus().consumer(address, handler);
        synchronized (consumers) {
          consumers.add(c);
        }
        c.completion().onComplete(registered);
      });
      ready.add(registered.future());
    }
    return Future.all(ready).mapEmpty();
  }

  /** Unregisters every lane; safe to call twice. */
  public Future<Void> stop() {
    List<Future<Void>> done = new ArrayList<>();
    synchronized (consumers) {
      consumers.forEach(c -> done.add(c.unregister()));
      consumers.clear();
    }
    return Future.join(done).mapEmpty();
  }

  /** @return the lane of an event-loop context, or {@link ProcessId#NO_LANE} (worker or virtual-thread context, or no lane) */
  public int laneOf(Context context) {
    if (!(context instanceof ContextInternal ctx) || !ctx.isEventLoopContext()) {
      return ProcessId.NO_LANE;
    }
    EventLoop loop = ctx.nettyEventLoop();
    for (int lane = 0; lane < loops.length; lane++) {
      if (loops[lane] == loop) return lane;
    }
    return ProcessId.NO_LANE;
  }

  /**
   * @return the lane of the process {@code name} of deployment {@code deploymentId} when it takes direct
   *         calls (see {@link DirectDelivery}), else {@link ProcessId#NO_LANE}
   */
  public int laneOf(String name, String deploymentId) {
    DirectDelivery.Target t = DirectDelivery.get(vertx, name, deploymentId);
    return t == null ? ProcessId.NO_LANE : laneOf(t.context());
  }
}
