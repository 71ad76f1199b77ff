package dev.vxext.addressbook.impl;

import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.Shareable;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The requests this Vert.x instance has in flight to other nodes, by node name, so that none waits for its
 * timeout once that node is gone: when the membership sees a node leave (its session expired, or its
 * process was proven gone), every request still waiting for it fails at once with 503. Without this, a
 * request sent to a node that is cut off or dead waits for the full request timeout (the event bus drops
 * what it cannot deliver).
 * <p>
 * One instance per Vert.x instance ({@link BookMaps#peers()}); thread-safe; futures complete on the
 * caller's context.
 */
public final class PeerRequests implements Shareable {

  /** Node to its requests in flight, each with when it was sent (epoch ms). */
  private final ConcurrentHashMap<String, ConcurrentHashMap<Promise<?>, Long>> inflight = new ConcurrentHashMap<>();
  /** Nodes gone (until a node of that name joins again), and why. */
  private final ConcurrentHashMap<String, String> gone = new ConcurrentHashMap<>();

  /**
   * Sends a request to {@code address} on node {@code node}.
   *
   * @return the reply, or the event bus's failure, or a 503 failure as soon as {@code node} is gone
   */
  public <T> Future<Message<T>> request(Vertx vertx, String node, String address, Object body, DeliveryOptions options) {
    String why = gone.get(node);
    if (why != null) {
      // a stale route: the event bus would drop it and the caller would wait for the timeout
      return Future.failedFuture(failure(node, why));
    }
    ContextInternal ctx = ((VertxInternal) vertx).getOrCreateContext();
    Promise<Message<T>> promise = ctx.promise();
    ConcurrentHashMap<Promise<?>, Long> set = inflight.computeIfAbsent(node, n -> new ConcurrentHashMap<>());
    set.put(promise, System.currentTimeMillis());
    if (gone.containsKey(node)) {
      // gone between the check and now: gone() may have missed it
      set.remove(promise);
      return Future.failedFuture(failure(node, gone.getOrDefault(node, "left")));
    }
    vertx.eventBus().<T>request(address, body, options).onComplete(ar -> {
      set.remove(promise);
      if (ar.succeeded()) {
        promise.tryComplete(ar.result());
      } else {
        promise.tryFail(ar.cause());
      }
    });
    return promise.future();
  }

  /**
   * Node {@code node} is gone: every request in flight to it fails now with 503.
   *
   * @return how many requests were failed
   */
  public int gone(String node, String why) {
    gone.put(node, why);
    ConcurrentHashMap<Promise<?>, Long> set = inflight.remove(node);
    if (set == null) {
      return 0;
    }
    int n = 0;
    for (Promise<?> p : set.keySet()) {
      if (p.tryFail(failure(node, why))) {
        n++;
      }
    }
    return n;
  }

  /** A node named {@code node} is a member again (it rejoined, or another process took its name). */
  public void back(String node) {
    gone.remove(node);
  }

  private static io.vertx.core.eventbus.ReplyException failure(String node, String why) {
    return Protocol.failure(Protocol.NOT_READY, "node " + node + " " + why + "; the request may or may not have reached it");
  }

  /** @return how many requests are in flight to {@code node} */
  public int inflight(String node) {
    ConcurrentHashMap<Promise<?>, Long> set = inflight.get(node);
    return set == null ? 0 : set.size();
  }

  /**
   * @return the nodes with a request unanswered for more than {@code afterMs}: worth a look (a node whose
   *   process died answers nothing, and the event bus does not say so)
   */
  public Set<String> slow(long afterMs) {
    long before = System.currentTimeMillis() - afterMs;
    Set<String> slow = new java.util.HashSet<>();
    inflight.forEach((node, requests) -> {
      for (long sent : requests.values()) {
        if (sent < before) {
          slow.add(node);
          break;
        }
      }
    });
    return slow;
  }
}
