package dev.vxext.admin.impl;

import dev.vxext.runtime.NodeRuntime;
import dev.vxext.admin.AdminOptions;
import dev.vxext.protocol.Protocol;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin HTTP server of a node: the cluster page, the JSON API, {@code /metrics} and {@code /health}
 * (see {@link dev.vxext.admin}). Every handler is non-blocking: answers come from the event bus.
 */
public final class AdminVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(AdminVerticle.class);
  /** Classpath folder of the page's static files. */
  static final String WEBROOT = "vxext-admin";

  private final NodeRuntime runtime;
  private final AdminOptions options;
  private final String self;
  private final long timeout;
  private final MeterRegistry registry;
  private HttpServer server;

  public AdminVerticle(NodeRuntime runtime, AdminOptions options, MeterRegistry registry) {
    this.runtime = runtime;
    this.options = new AdminOptions(options);
    this.self = runtime.name();
    this.timeout = runtime.settings().requestTimeout();
    this.registry = registry;
  }

  /** @return the port the server listens on, or -1 before it does */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  @Override
  public Future<?> start() {
    ClusterQueries queries = new ClusterQueries(runtime);
    Router router = Router.router(vertx);
    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(HealthProcedures.create(runtime)));
    if (options.getToken() != null) {
      byte[] expected = ("Bearer " + options.getToken()).getBytes(StandardCharsets.UTF_8);
      Handler<RoutingContext> auth = ctx -> {
        String given = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (given != null && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
          ctx.next();
        } else {
          ctx.response().putHeader("WWW-Authenticate", "Bearer");
          error(ctx, 401, given == null ? "an Authorization: Bearer <token> header is required" : "wrong token");
        }
      };
      router.route("/api/*").handler(auth);
      router.route("/metrics").handler(auth);
    }
    router.get("/api/nodes").handler(ctx -> json(ctx, queries.nodes()));
    router.get("/api/processes").handler(ctx -> reply(ctx, queries.processes(ctx.queryParams().get("node"))));
    router.get("/api/locate/:name").handler(ctx -> reply(ctx, queries.locate(ctx.pathParam("name"))));
    router.get("/api/daemons").handler(ctx -> reply(ctx, queries.daemons()));
    // a reconciliation now, on the leader (rate-limited there; requests coalesce)
    router.post("/api/daemons/scan").handler(ctx -> reply(ctx, vertx.eventBus().<JsonObject>request(
      Protocol.DAEMON_ADDRESS, new JsonObject(), new DeliveryOptions().setLocalOnly(true)
        .addHeader(Protocol.ACTION_HEADER, "scan")
        .setSendTimeout(runtime.settings().scanTimeout() + runtime.settings().requestTimeout()))
      .map(io.vertx.core.eventbus.Message::body)));
    router.get("/api/cron").handler(ctx -> reply(ctx, queries.cron()));
    if (options.getToken() != null) {
      AdminActs acts = new AdminActs(runtime);
      BodyHandler body = BodyHandler.create(false).setBodyLimit(Protocol.MAX_MESSAGE_BYTES);
      router.post("/api/call/:name").handler(body).handler(acts::call);
      router.post("/api/send/:name").handler(body).handler(acts::send);
    } else {
      Handler<RoutingContext> off = ctx -> error(ctx, 403, "call and send are only served when the admin server has a"
        + " token (admin.token): set one to use them");
      router.post("/api/call/:name").handler(off);
      router.post("/api/send/:name").handler(off);
    }
    PrometheusMeterRegistry prometheus = prometheus(registry);
    if (prometheus != null) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(prometheus));
    } else {
      router.get("/metrics").handler(ctx -> error(ctx, 404, "the meter registry of this node is not a Prometheus registry"));
    }
    router.route("/api/*").handler(ctx -> error(ctx, 404, "no such endpoint: " + ctx.request().method() + " " + ctx.request().path()));
    router.get("/*").handler(StaticHandler.create(WEBROOT).setCachingEnabled(false).setIndexPage("index.html"));
    router.errorHandler(413, ctx -> error(ctx, 413, "the request body is larger than " + Protocol.MAX_MESSAGE_BYTES + " bytes"));
    router.errorHandler(500, ctx -> error(ctx, 500, String.valueOf(ctx.failure() == null ? "internal error" : ctx.failure().getMessage())));
    return vertx.createHttpServer(new HttpServerOptions().setHost(options.getHost()).setPort(options.getPort()))
      .requestHandler(router)
      .listen()
      .onSuccess(s -> {
        server = s;
        log.info("[node={}] admin server on http://{}:{}/ ({})", self, options.getHost(), s.actualPort(),
          options.getToken() == null ? "no token" : "bearer token required");
      })
      .recover(t -> Future.failedFuture(new IllegalStateException("admin server cannot listen on "
        + options.getHost() + ":" + options.getPort() + ": " + t.getMessage(), t)));
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private static PrometheusMeterRegistry prometheus(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry p) {
      return p;
    }
    if (registry instanceof CompositeMeterRegistry c) {
      for (MeterRegistry r : c.getRegistries()) {
        PrometheusMeterRegistry p = prometheus(r);
        if (p != null) return p;
      }
    }
    return null;
  }

  private static void reply(RoutingContext ctx, Future<JsonObject> answer) {
    reply(ctx, answer.map(JsonObject::encode), 200);
  }

  /** Answers {@code status} with the encoded JSON, or the error the failure maps to. */
  static void reply(RoutingContext ctx, Future<String> answer, int status) {
    answer.onComplete(ar -> {
      if (ar.succeeded()) {
        if (!ctx.response().ended()) {
          ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(ar.result());
        }
        return;
      }
      Throwable t = ar.cause();
      int code = 502;
      String message = String.valueOf(t.getMessage());
      if (t instanceof ReplyException r) {
        if (r.failureType() == ReplyFailure.TIMEOUT) {
          code = 504;
        } else if (r.failureType() == ReplyFailure.NO_HANDLERS) {
          code = 503;
        } else {
          code = switch (r.failureCode()) {
            case Protocol.BAD_REQUEST, Protocol.NOT_FOUND, Protocol.TOO_LARGE, Protocol.TIMEOUT, Protocol.NOT_READY -> r.failureCode();
            case Protocol.MISDIRECTED -> Protocol.NOT_READY;
            default -> 502;
          };
          if (code == 502) {
            // a process's own failure: its code is part of the answer
            message = "failed with code " + r.failureCode() + ": " + message;
          }
        }
      }
      error(ctx, code, message);
    });
  }

  private static void json(RoutingContext ctx, JsonObject body) {
    if (!ctx.response().ended()) {
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
    }
  }

  static void error(RoutingContext ctx, int status, String message) {
    if (ctx.response().ended()) return;
    String reason = switch (status) {
      case 400 -> "bad request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not found";
      case 413 -> "too large";
      case 503 -> "not ready";
      case 504 -> "timeout";
      case 500 -> "internal error";
      default -> "bad gateway";
    };
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .end(new JsonObject().put("status", status).put("error", reason).put("message", message).encode());
  }
}
