package dev.vxext.process.impl;

import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessNames;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.util.function.Function;

/**
 * Delivers calls and sends that other nodes forward to a process of this node (actions {@code call} and
 * {@code send} on {@code vxext.node.<name>}, header {@code to}). A call's reply, or its failure code, goes
 * back to the caller; a target that is not registered here is answered with 421 ("misdirected": it may
 * run elsewhere now, so the caller's router locates it again and retries once; a caller that finds it
 * nowhere answers 404 to its own caller).
 */
public final class Forwarder {

  private final Vertx vertx;
  private final String node;
  private final Function<String, ProcessId> registered;
  private final long defaultTimeout;
  private final OnceFilter once = new OnceFilter();

  /** @param registered the process registered here under a name, or null */
  public Forwarder(Vertx vertx, String node, Function<String, ProcessId> registered, long defaultTimeout) {
    this.vertx = vertx;
    this.node = node;
    this.registered = registered;
    this.defaultTimeout = defaultTimeout;
  }

  /** Handles a forwarded call or send; every path replies. */
  public void handle(Message<Object> msg, boolean call) {
    String to = msg.headers().get(Protocol.TO_HEADER);
    if (!ProcessNames.isValid(to)) {
      msg.fail(Protocol.BAD_REQUEST, "forwarded message has an invalid target: name " + ProcessNames.problem(to));
      return;
    }
    long bytes = size(msg.body());
    if (bytes > Protocol.MAX_MESSAGE_BYTES) {
      msg.fail(Protocol.TOO_LARGE, "message to '" + to + "' is " + bytes + " bytes, the maximum is " + Protocol.MAX_MESSAGE_BYTES);
      return;
    }
    ProcessId target = registered.apply(to);
    if (target == null) {
      msg.fail(Protocol.MISDIRECTED, "no process '" + to + "' on node " + node);
      return;
    }
    if (call && direct(msg, to, target)) {
      return;
    }
    DeliveryOptions options = new DeliveryOptions().setLocalOnly(true);
    msg.headers().forEach(h -> {
      if (!h.getKey().equals(Protocol.ACTION_HEADER) && !h.getKey().equals(Protocol.TO_HEADER) && !h.getKey().equals(Protocol.TIMEOUT_HEADER)
        && !h.getKey().equals(Protocol.ONCE_HEADER)) {
        options.addHeader(h.getKey(), h.getValue());
      }
    });
    if (!call) {
      String id = msg.headers().get(Protocol.ONCE_HEADER);
      if (id == null || once.first(id, System.currentTimeMillis())) {
        vertx.eventBus().send(to, msg.body(), options);
      }
      msg.reply(null);
      return;
    }
    options.setSendTimeout(timeout(msg));
    vertx.eventBus().request(to, msg.body(), options).onComplete(ar -> {
      if (ar.succeeded()) {
        Message<Object> reply = ar.result();
        DeliveryOptions back = new DeliveryOptions();
        reply.headers().forEach(h -> back.addHeader(h.getKey(), h.getValue()));
        msg.reply(reply.body(), back);
      } else if (ar.cause() instanceof ReplyException) {
        ReplyException e = (ReplyException) ar.cause();
        if (e.failureType() == ReplyFailure.NO_HANDLERS) {
          msg.fail(Protocol.NOT_FOUND, "process '" + to + "' on node " + node + " consumes no messages");
        } else if (e.failureType() == ReplyFailure.TIMEOUT) {
          msg.fail(Protocol.TIMEOUT, "process '" + to + "' on node " + node + " did not reply in time");
        } else {
          msg.fail(e.failureCode(), e.getMessage());
        }
      } else {
        msg.fail(500, String.valueOf(ar.cause().getMessage()));
      }
    });
  }

  /**
   * Hands a forwarded call to its process's handler on the process's context (see {@link DirectDelivery}):
   * the process replies to the caller itself. The routing headers are removed first, as on the event-bus
   * path. When the process stopped consuming in between, the caller gets 404 as on that path.
   *
   * @return false when the target takes no direct calls (the caller then uses the event bus)
   */
  private boolean direct(Message<Object> msg, String to, ProcessId target) {
    DirectDelivery.Target t = DirectDelivery.get(vertx, to, target.deploymentId());
    if (t == null) {
      return false;
    }
    try {
      msg.headers().remove(Protocol.ACTION_HEADER).remove(Protocol.TO_HEADER).remove(Protocol.TIMEOUT_HEADER);
    } catch (UnsupportedOperationException e) {
      return false;
    }
    // a duplicated context per message, as the event bus dispatches to a consumer
    ContextInternal ctx = ((ContextInternal) t.context()).duplicate();
    Handler<Message<Object>> deliver = m -> {
      if (!t.consumer().isRegistered()) {
        m.fail(Protocol.NOT_FOUND, "process '" + to + "' on node " + node + " consumes no messages");
        return;
      }
      t.handler().handle(m);
    };
    if (ctx.isEventLoopContext() && ctx.inThread()) {
      // received on the process's own event loop (its call lane): dispatched at once, as the event bus
      // dispatches a message to a consumer, instead of a task queued behind this one
      ctx.dispatch(msg, deliver);
    } else {
      ctx.runOnContext(v -> deliver.handle(msg));
    }
    return true;
  }

  /**
   * @return the size of a body in bytes, or an upper bound of it that is within the limit (JSON: a bound
   *   computed by walking the value, and the encoded size only when the bound exceeds the limit, since
   *   encoding a body again costs more than the rest of a forwarded call on this node; other types 0:
   *   their codec bounds them)
   */
  static long size(Object body) {
    if (body instanceof io.vertx.core.buffer.Buffer b) return b.length();
    if (body instanceof String s) return s.length() > Protocol.MAX_MESSAGE_BYTES / 4 ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length : s.length();
    if (body instanceof io.vertx.core.json.JsonObject || body instanceof io.vertx.core.json.JsonArray) {
      long bound = jsonBound(body, 0);
      if (bound >= 0 && bound <= Protocol.MAX_MESSAGE_BYTES) {
        return bound;
      }
      return body instanceof io.vertx.core.json.JsonObject j ? j.toBuffer().length() : ((io.vertx.core.json.JsonArray) body).toBuffer().length();
    }
    if (body instanceof byte[] bytes) return bytes.length;
    return 0;
  }

  /**
   * @return at least as many bytes as the compact JSON encoding of {@code v} takes (a string's character
   *   takes at most 6: a backslash-u escape), or -1 for a value of another type, nested too deep, or
   *   once the bound exceeds the message limit
   */
  static long jsonBound(Object v, int depth) {
    if (depth > 64) return -1;
    if (v == null) return 4;
    if (v instanceof String s) return 2 + 6L * s.length();
    if (v instanceof Boolean) return 5;
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) return 20;
    if (v instanceof Double || v instanceof Float) return 32;
    if (v instanceof Enum<?> e) return 2 + 6L * e.name().length();
    if (v instanceof byte[] b) return base64(b.length);
    if (v instanceof io.vertx.core.buffer.Buffer b) return base64(b.length());
    if (v instanceof java.time.Instant) return 64;
    if (v instanceof io.vertx.core.json.JsonObject j) return mapBound(j.getMap(), depth);
    if (v instanceof java.util.Map<?, ?> m) return mapBound(m, depth);
    if (v instanceof io.vertx.core.json.JsonArray a) return listBound(a.getList(), depth);
    if (v instanceof java.util.List<?> l) return listBound(l, depth);
    return -1;
  }

  private static long base64(long bytes) {
    return 2 + 4 * (bytes / 3 + 1);
  }

  private static long mapBound(java.util.Map<?, ?> m, int depth) {
    long n = 2;
    for (java.util.Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getKey() instanceof String k)) return -1;
      long value = jsonBound(e.getValue(), depth + 1);
      if (value < 0) return -1;
      // "key":value,
      n += 2 + 6L * k.length() + 1 + value + 1;
      if (n > Protocol.MAX_MESSAGE_BYTES) return -1;
    }
    return n;
  }

  private static long listBound(java.util.List<?> l, int depth) {
    long n = 2;
    for (Object o : l) {
      long value = jsonBound(o, depth + 1);
      if (value < 0) return -1;
      n += value + 1;
      if (n > Protocol.MAX_MESSAGE_BYTES) return -1;
    }
    return n;
  }

  private long timeout(Message<Object> msg) {
    String t = msg.headers().get(Protocol.TIMEOUT_HEADER);
    if (t != null) {
      try {
        long v = Long.parseLong(t);
        if (v > 0) return v;
      } catch (NumberFormatException ignored) {
        // fall back to the default
      }
    }
    return defaultTimeout;
  }
}
