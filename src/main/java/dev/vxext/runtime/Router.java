package dev.vxext.runtime;

import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.process.ProcessId;
import dev.vxext.protocol.Action;
import dev.vxext.process.ProcessNames;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Delivers {@code call}s and {@code send}s to a named process wherever it runs: locate it (through a
 * small route cache: name to process id, valid for one sync interval, dropped when that node leaves), then
 * a local request when it runs here, else a request to its node, whose forwarder hands it over: to the
 * process's call lane when it has one ({@link CallLanes}: no thread hop on the target), else to the node's
 * address (also when the lane has no consumer). A node that answers "not here" (421) makes the router
 * locate again once, bypassing every cached answer for the name (so a stale answer costs at most one failed
 * delivery). Thread-safe.
 */
public final class Router {

  private record Route(ProcessId process, long expiresAt) {
  }

  private final Vertx vertx;
  private final String self;
  private final long requestTimeout;
  private final long routeTtl;
  private final BookMaps maps;
  private final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();
  private final NodeRuntime.Lookup lookup;

  Router(Vertx vertx, String self, long requestTimeout, long routeTtl, BookMaps maps, NodeRuntime.Lookup lookup) {
    this.vertx = vertx;
    this.self = self;
    this.requestTimeout = requestTimeout;
    this.routeTtl = routeTtl;
    this.maps = maps;
    this.lookup = lookup;
  }

  /** Node {@code node} left: the routes to it are forgotten. */
  void left(String node) {
    routes.values().removeIf(r -> r.process().node().equals(node));
  }

  /** @return a future completed with the process's reply; see {@code ClusterNode.call} */
  public <T> Future<Message<T>> call(String name, Object message, DeliveryOptions delivery) {
    return this.<Message<T>>routed(name, target -> deliver(target, message, delivery, true));
  }

  /** @return a future completed once the process's node handed it the message; see {@code ClusterNode.send} */
  public Future<Void> send(String name, Object message) {
    return send(name, message, new DeliveryOptions());
  }

  /**
   * As {@link #send(String, Object)}, with delivery options (headers; {@code Protocol.ONCE_HEADER} makes a
   * retried send deliver at most once on its target node).
   */
  public Future<Void> send(String name, Object message, DeliveryOptions delivery) {
    return this.<Message<Object>>routed(name, target -> deliver(target, message, delivery, false)).mapEmpty();
  }

  /** Forgets every route. */
  Future<Void> close() {
    routes.clear();
    return Future.succeededFuture();
  }

  private <R> Future<R> routed(String name, Function<ProcessId, Future<R>> delivery) {
    String problem = ProcessNames.problem(name);
    if (problem != null) {
      return Future.failedFuture(Protocol.failure(Protocol.BAD_REQUEST, "invalid process name: name " + problem));
    }
    return route(name, false).compose(delivery).recover(t -> {
      if (!Protocol.hasCode(t, Protocol.MISDIRECTED)) {
        return Future.failedFuture(t);
      }
      routes.remove(name);
      // the answer that sent it there (the directory's near cache too) is not used again
      lookup.stale(name);
      return route(name, true).compose(delivery).recover(t2 -> Protocol.hasCode(t2, Protocol.MISDIRECTED)
        ? Future.failedFuture(Protocol.failure(Protocol.NOT_FOUND, t2.getMessage()))
        : Future.failedFuture(t2));
    });
  }

  private Future<ProcessId> route(String name, boolean fresh) {
    Route r = fresh ? null : routes.get(name);
    long now = System.currentTimeMillis();
    if (r != null && r.expiresAt() > now) {
      return Future.succeededFuture(r.process());
    }
    return lookup.lookup(name, requestTimeout)
      .onSuccess(process -> routes.put(name, new Route(process, now + routeTtl)));
  }

  private <T> Future<Message<T>> deliver(ProcessId target, Object message, DeliveryOptions delivery, boolean call) {
    String node = target.node();
    String name = target.name();
    DeliveryOptions opts = new DeliveryOptions(delivery);
    if (opts.getSendTimeout() == DeliveryOptions.DEFAULT_TIMEOUT) {
      opts.setSendTimeout(requestTimeout);
    }
    if (node.equals(self)) {
      if (maps.processes().get(name) == null) {
        return Future.failedFuture(Protocol.failure(Protocol.MISDIRECTED, "no process '" + name + "' on node " + node));
      }
      opts.setLocalOnly(true);
      if (!call) {
        vertx.eventBus().send(name, message, opts);
        return Future.succeededFuture();
      }
      return vertx.eventBus().<T>request(name, message, opts).recover(t -> localFailure(t, name));
    }
    if (!maps.view().contains(node)) {
      // a route to a node that left: locate again
      return Future.failedFuture(Protocol.failure(Protocol.MISDIRECTED, "node " + node + " is no longer a member"));
    }
    opts.addHeader(Protocol.ACTION_HEADER, (call ? Action.CALL : Action.SEND).wire()).addHeader(Protocol.TO_HEADER, name)
      .addHeader(Protocol.TIMEOUT_HEADER, Long.toString(opts.getSendTimeout()));
    if (target.lane() == ProcessId.NO_LANE) {
      return remote(Protocol.nodeAddress(node), node, name, message, opts);
    }
    // its lane first; a lane without a consumer (the node restarted with fewer event loops, or is
    // stopping) is no answer: the node's address decides
    return maps.peers().<T>request(vertx, node, Protocol.laneAddress(node, target.lane()), message, opts).recover(t ->
      noHandlers(t) ? remote(Protocol.nodeAddress(node), node, name, message, opts) : localFailure(t, name));
  }

  private <T> Future<Message<T>> remote(String address, String node, String name, Object message, DeliveryOptions opts) {
    return maps.peers().<T>request(vertx, node, address, message, opts).recover(t -> noHandlers(t)
      ? Future.failedFuture(Protocol.failure(Protocol.MISDIRECTED, "node " + node + " is not reachable"))
      : localFailure(t, name));
  }

  private static boolean noHandlers(Throwable t) {
    return t instanceof ReplyException && ((ReplyException) t).failureType() == ReplyFailure.NO_HANDLERS;
  }

  private static <T> Future<T> localFailure(Throwable t, String name) {
    if (t instanceof ReplyException) {
      ReplyException e = (ReplyException) t;
      if (e.failureType() == ReplyFailure.NO_HANDLERS) {
        return Future.failedFuture(Protocol.failure(Protocol.NOT_FOUND, "process '" + name + "' consumes no messages"));
      }
      if (e.failureType() == ReplyFailure.TIMEOUT) {
        return Future.failedFuture(Protocol.failure(Protocol.TIMEOUT, "process '" + name + "' did not reply in time"));
      }
      if (e.failureCode() == Protocol.FORBIDDEN && e.getMessage() != null && e.getMessage().contains("which is not a member")) {
        // the target node does not count this one as a member (yet: it rejoined moments ago): not ready
        return Future.failedFuture(Protocol.failure(Protocol.NOT_READY, "the node of '" + name + "' does not count this"
          + " node as a member yet (" + e.getMessage() + "); try again soon"));
      }
    }
    return Future.failedFuture(t);
  }

}
