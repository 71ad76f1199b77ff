package dev.vxext.admin.impl;

import dev.vxext.process.ProcessNames;
import dev.vxext.protocol.Protocol;
import dev.vxext.runtime.NodeRuntime;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The admin API's acts: {@code POST /api/call/{name}} (the node's {@code call}, answered with the reply)
 * and {@code POST /api/send/{name}} (the node's {@code send}, 202 once handed over). The body must be a JSON
 * object of at most {@link Protocol#MAX_MESSAGE_BYTES} bytes (the limit of a forwarded message). They are
 * only served when the admin server has a token: without one, any page open in a browser on the host could
 * post to a loopback server. Each act is logged at INFO with the caller's address.
 */
final class AdminActs {

  private static final Logger log = LoggerFactory.getLogger(AdminActs.class);

  private final NodeRuntime runtime;
  private final String self;
  private final long requestTimeout;

  AdminActs(NodeRuntime runtime) {
    this.runtime = runtime;
    this.self = runtime.name();
    this.requestTimeout = runtime.settings().requestTimeout();
  }

  /** {@code POST /api/call/{name}[?timeout=ms]}: 200 with the process's reply as JSON. */
  void call(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    JsonObject body = body(ctx, name);
    if (body == null) return;
    Long timeout = timeout(ctx);
    if (timeout == null) return;
    log.info("[node={}] admin call to '{}' from {}", self, name, ctx.request().remoteAddress());
    DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(timeout);
    AdminVerticle.reply(ctx, runtime.router().call(name, body, delivery).compose(reply -> {
      Object value = reply.body();
      if (value == null || value instanceof JsonObject || value instanceof JsonArray || value instanceof String
        || value instanceof Number || value instanceof Boolean) {
        return Future.succeededFuture(Json.encode(value));
      }
      return Future.failedFuture(new IllegalStateException("the reply of '" + name + "' is not JSON (a "
        + value.getClass().getSimpleName() + ")"));
    }), 200);
  }

  /** {@code POST /api/send/{name}}: 202 once the process's node handed it the message. */
  void send(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    JsonObject body = body(ctx, name);
    if (body == null) return;
    log.info("[node={}] admin send to '{}' from {}", self, name, ctx.request().remoteAddress());
    AdminVerticle.reply(ctx, runtime.router().send(name, body)
      .map(v -> new JsonObject().put("name", name).put("sent", true).encode()), 202);
  }

  /** @return the request's JSON object, or null once a 400 is answered (the name or the body is invalid) */
  private static JsonObject body(RoutingContext ctx, String name) {
    String problem = ProcessNames.problem(name);
    if (problem != null) {
      AdminVerticle.error(ctx, 400, "invalid process name: name " + problem);
      return null;
    }
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      AdminVerticle.error(ctx, 400, "the request body must be a JSON object (the message), got nothing");
      return null;
    }
    Object value;
    try {
      value = Json.decodeValue(raw);
    } catch (DecodeException e) {
      AdminVerticle.error(ctx, 400, "the request body is not JSON: " + e.getMessage());
      return null;
    }
    if (value instanceof JsonObject o) {
      return o;
    }
    if (value instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) m;
      return new JsonObject(map);
    }
    String got = value == null ? "null" : value instanceof JsonArray || value instanceof java.util.List ? "an array"
      : value instanceof String ? "a string" : value instanceof Boolean ? "a boolean" : "a number";
    AdminVerticle.error(ctx, 400, "the request body must be a JSON object (the message), got " + got);
    return null;
  }

  /** @return the {@code timeout} query parameter, the node's request timeout without one; null once a 400 is answered */
  private Long timeout(RoutingContext ctx) {
    String given = ctx.queryParams().get("timeout");
    if (given == null) {
      return requestTimeout;
    }
    long t;
    try {
      t = Long.parseLong(given);
    } catch (NumberFormatException e) {
      t = -1;
    }
    if (t < 1 || t > requestTimeout) {
      AdminVerticle.error(ctx, 400, "timeout must be an integer between 1 and " + requestTimeout
        + " ms (the node's requestTimeout), got '" + (given.length() > 20 ? given.substring(0, 17) + "..." : given) + "'");
      return null;
    }
    return t;
  }
}
