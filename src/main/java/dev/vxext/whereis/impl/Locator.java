package dev.vxext.whereis.impl;

import dev.vxext.addressbook.impl.MembershipView;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessNames;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Cluster-wide locate: the directory owners of the name answer; the first answer that finds it wins.
 * <p>
 * Order: this node's own directory when it is an owner, then the primary owner, the others when it does
 * not know or is slow ({@value #HEDGE_MS} ms); when no owner
 * knows the name, a process registered on this node (pushes to the owners may still be in flight);
 * otherwise 404, or 504 when an owner did not answer in time. Holds no state of its own and reads only
 * local maps (the view, the directory winners, this node's registry), so {@link #locate} may run on any
 * thread: callers on this node run it on their own context.
 */
final class Locator {

  /** How long the primary owner has before the other owners are asked too, ms. */
  static final long HEDGE_MS = 10;

  private final Vertx vertx;
  private final String self;
  private final int replicas;
  private final Supplier<MembershipView> view;
  private final DirectoryStore store;
  private final Function<String, ProcessId> localRegistry;

  Locator(Vertx vertx, String self, int replicas, Supplier<MembershipView> view, DirectoryStore store,
          Function<String, ProcessId> localRegistry) {
    this.vertx = vertx;
    this.self = self;
    this.replicas = replicas;
    this.view = view;
    this.store = store;
    this.localRegistry = localRegistry;
  }

  /** Answers a locate asked by another node, from this node's own directory only. */
  ProcessId ownerAnswer(String name) {
    ProcessId winner = store.winner(name);
    return winner != null && view.get().contains(winner.node()) ? winner : null;
  }

  Future<ProcessId> locate(String name, long timeout) {
    String problem = ProcessNames.problem(name);
    if (problem != null) {
      return Future.failedFuture(WhereIs.failure(WhereIs.BAD_REQUEST, "invalid process name: name " + problem));
    }
    MembershipView v = view.get();
    List<String> others = new ArrayList<>();
    for (String owner : v.owners(name, replicas)) {
      if (owner.equals(self)) {
        ProcessId own = ownerAnswer(name);
        if (own != null) {
          return Future.succeededFuture(own);
        }
      } else {
        others.add(owner);
      }
    }
    if (others.isEmpty()) {
      return fallback(name, false, timeout);
    }
    return new Query(name, others, timeout).start();
  }

  /**
   * One locate asked of the other owners: the primary owner first; the others when it does not know the
   * name, or has not answered within {@link #HEDGE_MS} (one remote request per locate in the common case;
   * a slow or dead primary costs at most {@code HEDGE_MS}). The first owner that knows the name wins.
   * Thread-safe: callers on any thread, replies on several.
   */
  private final class Query {
    final String name;
    final List<String> others;
    final long timeout;
    final Promise<ProcessId> promise = Promise.promise();
    final java.util.concurrent.atomic.AtomicInteger remaining;
    final java.util.concurrent.atomic.AtomicBoolean timedOut = new java.util.concurrent.atomic.AtomicBoolean();
    final java.util.concurrent.atomic.AtomicBoolean restAsked;
    final DeliveryOptions options;
    final JsonObject body;

    Query(String name, List<String> others, long timeout) {
      this.name = name;
      this.others = others;
      this.timeout = timeout;
      this.remaining = new java.util.concurrent.atomic.AtomicInteger(others.size());
      this.restAsked = new java.util.concurrent.atomic.AtomicBoolean(others.size() == 1);
      this.options = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "locate").setSendTimeout(timeout);
      this.body = new JsonObject().put("name", name);
    }

    Future<ProcessId> start() {
      ask(others.get(0));
      if (!restAsked.get()) {
        long hedge = vertx.setTimer(HEDGE_MS, t -> askRest());
        promise.future().onComplete(ar -> vertx.cancelTimer(hedge));
      }
      return promise.future();
    }

    void askRest() {
      if (restAsked.compareAndSet(false, true) && !promise.future().isComplete()) {
        for (String owner : others.subList(1, others.size())) {
          ask(owner);
        }
      }
    }

    void ask(String owner) {
      vertx.eventBus().<JsonObject>request(WhereIs.nodeAddress(owner), body, options).onComplete(ar -> {
        if (ar.succeeded()) {
          try {
            ProcessId found = ProcessId.fromJson(ar.result().body());
            if (view.get().contains(found.node())) {
              promise.tryComplete(found);
              return;
            }
          } catch (RuntimeException ignored) {
            // a malformed answer counts as "not found" from that owner
          }
        } else if (!WhereIs.hasCode(ar.cause(), WhereIs.NOT_FOUND)) {
          // a timeout, or an owner that refused us (we are not a member in its view): not a "not found"
          timedOut.set(true);
        }
        // this owner does not know it: ask the others now (no-op when they were asked already)
        askRest();
        if (remaining.decrementAndGet() == 0 && !promise.future().isComplete()) {
          fallback(name, timedOut.get(), timeout).onComplete(promise::tryComplete, promise::tryFail);
        }
      });
    }
  }

  private Future<ProcessId> fallback(String name, boolean timedOut, long timeout) {
    ProcessId local = localRegistry.apply(name);
    if (local != null) {
      return Future.succeededFuture(local);
    }
    if (timedOut) {
      return Future.failedFuture(WhereIs.failure(WhereIs.TIMEOUT, "locate '" + name + "': a directory owner did not answer (within " + timeout + " ms) and no other knows it"));
    }
    return Future.failedFuture(WhereIs.failure(WhereIs.NOT_FOUND, "no process named '" + name + "' in the cluster"));
  }
}
