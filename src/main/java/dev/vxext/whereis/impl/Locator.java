package dev.vxext.whereis.impl;

import dev.vxext.addressbook.impl.MembershipView;
import dev.vxext.addressbook.impl.PeerRequests;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessNames;
import dev.vxext.protocol.Action;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Cluster-wide locate: the directory owners of the name answer; the first answer that finds it wins.
 * <p>
 * Order: this node's own directory when it is an owner, then the primary owner, the others when it does
 * not know or is slow ({@value #HEDGE_MS} ms); the name travels as a plain string; when no owner
 * knows the name, a process registered on this node (pushes to the owners may still be in flight);
 * otherwise 404, or 504 when an owner did not answer in time. A remote owner's answer is kept in the
 * {@link NearCache} (checked first: a repeated locate of the name is answered locally until the owner says
 * the name changed, the view changes, or a delivery there fails). Reads only local maps (the view, the
 * directory winners, this node's registry) and the thread-safe near cache, so {@link #locate} may run on
 * any thread: callers on this node run it on their own context.
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
  private final PeerRequests peers;
  private final NearCache near;

  Locator(Vertx vertx, String self, int replicas, Supplier<MembershipView> view, DirectoryStore store,
          Function<String, ProcessId> localRegistry, PeerRequests peers, NearCache near) {
    this.peers = peers;
    this.near = near;
    this.vertx = vertx;
    this.self = self;
    this.replicas = replicas;
    this.view = view;
    this.store = store;
    this.localRegistry = localRegistry;
  }

  /** Answers a locate asked by another node, from this node's own directory only. */
  ProcessId ownerAnswer(String name) {
    return store.winnerAmong(name, view.get()::contains);
  }

  Future<ProcessId> locate(String name, long timeout) {
    String problem = ProcessNames.problem(name);
    if (problem != null) {
      return Future.failedFuture(Protocol.failure(Protocol.BAD_REQUEST, "invalid process name: name " + problem));
    }
    MembershipView v = view.get();
    ProcessId cached = near.get(name, v.version());
    if (cached != null) {
      // a process of this node is checked against the registry (its unregistration is known here at once)
      if (!cached.node().equals(self) || cached.sameRegistration(localRegistry.apply(name))) {
        return Future.succeededFuture(cached);
      }
      near.invalidate(name);
    }
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
      return fallback(name, null);
    }
    return new Query(name, others, timeout, v.version(), near.epoch()).start();
  }

  /**
   * One locate asked of the other owners: the primary owner first, with a send timeout of
   * {@link #HEDGE_MS} (the event bus's own request timer is the hedge: no second timer per locate); when it
   * does not know the name, or refuses, the others are asked; when it has not answered in time, all of
   * them, the primary again included, with the caller's timeout. The first owner that knows the name wins.
   * Thread-safe: callers on any thread, replies on several.
   */
  private final class Query {
    final String name;
    final List<String> others;
    final long timeout;
    /** The view and near-cache epoch the query started under: its answer is cached only if both still hold. */
    final long viewVersion;
    final long epoch;
    final Promise<ProcessId> promise = Promise.promise();
    final AtomicInteger remaining = new AtomicInteger();
    /** Why an owner gave no answer (a timeout, a refusal), the first one; null while every owner answered. */
    final java.util.concurrent.atomic.AtomicReference<String> unanswered = new java.util.concurrent.atomic.AtomicReference<>();

    Query(String name, List<String> others, long timeout, long viewVersion, long epoch) {
      this.name = name;
      this.others = others;
      this.timeout = timeout;
      this.viewVersion = viewVersion;
      this.epoch = epoch;
    }

    Future<ProcessId> start() {
      if (others.size() == 1 || timeout <= HEDGE_MS) {
        askAll(others);
        return promise.future();
      }
      request(others.get(0), HEDGE_MS).onComplete(ar -> {
        if (ar.succeeded() && found(ar.result())) {
          return;
        }
        if (ar.failed() && ar.cause() instanceof ReplyException e && e.failureType() == ReplyFailure.TIMEOUT) {
          // slow primary: everyone, the primary again with the full timeout
          askAll(others);
          return;
        }
        if (ar.failed() && !answered(ar.cause())) {
          unanswered.compareAndSet(null, why(others.get(0), ar.cause()));
        }
        askAll(others.subList(1, others.size()));
      });
      return promise.future();
    }

    void askAll(List<String> owners) {
      remaining.set(owners.size());
      for (String owner : owners) {
        request(owner, timeout).onComplete(ar -> {
          if (ar.succeeded() && found(ar.result())) {
            return;
          }
          if (ar.failed() && !answered(ar.cause())) {
            // a timeout, or an owner that refused us (we are not a member in its view): not a "not found"
            unanswered.compareAndSet(null, why(owner, ar.cause()));
          }
          if (remaining.decrementAndGet() == 0 && !promise.future().isComplete()) {
            fallback(name, unanswered.get()).onComplete(promise::tryComplete, promise::tryFail);
          }
        });
      }
    }

    /** @return true when {@code answer} names a process on a member node (and completes the locate with it) */
    boolean found(Message<Object> answer) {
      try {
        ProcessId p = Wire.decodeAnswer(name, answer.body());
        MembershipView v = view.get();
        if (v.contains(p.node())) {
          if (v.version() == viewVersion) {
            // the owner that answered remembers this node and tells it when the name changes
            near.put(p, viewVersion, epoch);
          }
          promise.tryComplete(p);
          return true;
        }
      } catch (RuntimeException ignored) {
        // a malformed answer counts as "not found" from that owner
      }
      return false;
    }

    Future<Message<Object>> request(String owner, long sendTimeout) {
      DeliveryOptions options = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, Action.LOCATE.wire()).setSendTimeout(sendTimeout);
      return peers.request(vertx, owner, Protocol.nodeAddress(owner), name, options);
    }
  }

  /**
   * @return true when an owner's failure still tells where the name is not: it does not know it (404), it
   *   is gone (503: its entries are dropped everywhere, the other owners know what there is), or it has no
   *   node address (yet: a joining node's share is still on its way to it; any more: it is stopping)
   */
  private static boolean answered(Throwable t) {
    return Protocol.hasCode(t, Protocol.NOT_FOUND) || Protocol.hasCode(t, Protocol.NOT_READY)
      || (t instanceof ReplyException e && e.failureType() == ReplyFailure.NO_HANDLERS);
  }

  /** @return why {@code owner} gave no answer, for the 504's message */
  private static String why(String owner, Throwable t) {
    if (t instanceof ReplyException e && e.failureType() == ReplyFailure.TIMEOUT) {
      return "directory owner " + owner + " did not answer in time";
    }
    return "directory owner " + owner + " could not be asked (" + t.getMessage() + ")";
  }

  private Future<ProcessId> fallback(String name, String unanswered) {
    ProcessId local = localRegistry.apply(name);
    if (local != null) {
      return Future.succeededFuture(local);
    }
    if (unanswered != null) {
      return Future.failedFuture(Protocol.failure(Protocol.TIMEOUT, "locate '" + name + "': " + unanswered
        + ", and no other owner knows it; try again soon"));
    }
    return Future.failedFuture(Protocol.failure(Protocol.NOT_FOUND, "no process named '" + name + "' in the cluster"));
  }
}
