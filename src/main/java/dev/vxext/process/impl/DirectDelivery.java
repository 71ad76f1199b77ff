package dev.vxext.process.impl;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

/**
 * The {@code ProcessVerticle}s of this Vert.x instance that take forwarded calls straight on their own
 * context: the forwarder hands them the caller's message, so the process's reply (or failure) goes to the
 * remote caller at once, without a local request/reply through the whereis context and without copying
 * the body. Used only when exactly one instance of the deployment consumes the name (with several, calls
 * go through the event bus, which spreads them); the forwarder checks, at delivery, that the target is
 * the registered deployment and still consumes. Thread-safe (a {@link LocalMap}).
 */
public final class DirectDelivery {

  static final String MAP = "vxext.process.direct";

  /** One process instance: its context, its consumer and its handler ({@code null} handler: not direct). */
  public record Target(String deploymentId, Context context, MessageConsumer<?> consumer,
                       Handler<Message<Object>> handler) implements Shareable {
  }

  private DirectDelivery() {
  }

  /**
   * Records {@code handler} as the direct handler of {@code name}; a second instance of the same
   * deployment turns direct delivery off for the name, a newer deployment replaces an older one.
   */
  public static void add(Vertx vertx, String name, Context context, MessageConsumer<?> consumer, Handler<Message<Object>> handler) {
    LocalMap<String, Target> map = map(vertx);
    Target mine = new Target(context.deploymentID(), context, consumer, handler);
    for (int i = 0; i < 100; i++) {
      Target cur = map.get(name);
      Target next = cur != null && cur.deploymentId().equals(mine.deploymentId())
        ? new Target(mine.deploymentId(), null, null, null) : mine;
      if (cur == null ? map.putIfAbsent(name, next) == null : map.replace(name, cur, next)) {
        return;
      }
    }
    map.remove(name);
  }

  /** Forgets the entry of {@code name} when it is {@code consumer}'s (the consumer ended). */
  public static void remove(Vertx vertx, String name, MessageConsumer<?> consumer) {
    LocalMap<String, Target> map = map(vertx);
    Target cur = map.get(name);
    if (cur != null && cur.consumer() == consumer) {
      map.remove(name, cur);
    }
  }

  /** @return the direct target of {@code name} for {@code deploymentId}, or {@code null} when calls must go through the event bus */
  static Target get(Vertx vertx, String name, String deploymentId) {
    Target t = map(vertx).get(name);
    if (t == null || t.handler() == null || !t.deploymentId().equals(deploymentId) || !t.consumer().isRegistered()) {
      return null;
    }
    return t;
  }

  private static LocalMap<String, Target> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }
}
