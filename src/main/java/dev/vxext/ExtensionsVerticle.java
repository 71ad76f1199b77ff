package dev.vxext;

import dev.vxext.admin.AdminOptions;
import dev.vxext.admin.impl.AdminVerticle;
import dev.vxext.cron.impl.CronVerticle;
import dev.vxext.metrics.impl.NodeMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;
import dev.vxext.daemon.impl.DaemonVerticle;
import dev.vxext.whereis.impl.WhereIsVerticle;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the cluster extensions into a Vert.x instance: the whereis verticle (registry, directory,
 * locate, forwarding), then the daemon verticle (leader election, spawning, recovery), then the cron
 * verticle, then the admin server when {@code admin.port} is set. They are child deployments: undeploying this verticle undeploys them.
 * <p>
 * {@link ClusterNode#start(NodeOptions)} deploys it for you. To add the extensions to a Vert.x app you
 * built yourself, deploy {@code new ExtensionsVerticle(options)}, or deploy this class with the
 * {@link NodeOptions} JSON as its config. On a clustered Vert.x the node name is published in the
 * cluster node's metadata; a name already used in the cluster fails the deployment.
 */
public class ExtensionsVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ExtensionsVerticle.class);

  private NodeOptions options;
  private MeterRegistry registry;
  private Handler<DeliveryContext<Object>> stampFrom;
  private NodeMetrics metrics;
  private volatile AdminVerticle admin;
  private volatile String cronDeployment;
  private volatile WhereIsVerticle whereis;
  private volatile DaemonVerticle daemons;
  private Future<Void> leaving;

  /** Reads the {@link NodeOptions} from the deployment config. */
  public ExtensionsVerticle() {
  }

  /** Uses the given options. */
  public ExtensionsVerticle(NodeOptions options) {
    this(options, null);
  }

  /**
   * Uses the given options and records the {@code vxext.*} meters in {@code registry}; with a null
   * registry, in the Vert.x instance's Micrometer registry when it has one, else in a Prometheus
   * registry of the node's own.
   */
  public ExtensionsVerticle(NodeOptions options, MeterRegistry registry) {
    this.options = new NodeOptions(options);
    this.options.validate();
    this.registry = registry;
  }

  /** @return the port of the admin server, or -1 when it does not run */
  public int adminPort() {
    AdminVerticle a = admin;
    return a == null ? -1 : a.actualPort();
  }

  /**
   * Stops the cron service ahead of the rest (a node that closes first stops firing, delivers the ticks it
   * already claimed, then stops its processes). Safe to call twice.
   *
   * @return a future completed when the cron service is stopped
   */
  public Future<Void> stopCron() {
    String id = cronDeployment;
    cronDeployment = null;
    return id == null ? Future.succeededFuture() : vertx.undeploy(id).otherwiseEmpty();
  }

  /**
   * The graceful leave of this node, before its processes and services stop: the cron service stops (and
   * delivers the ticks it claimed), the node announces to every member that it is leaving (it leaves the
   * ring: it is asked nothing more, nothing new is placed on it), then its daemons stop and the members are
   * told, so the leader places them elsewhere at once. The node still answers meanwhile. Undeploying this
   * verticle leaves this way too. Safe to call several times.
   *
   * @return a future completed once the daemons are handed off (never failed; bounded by the request timeout)
   */
  public synchronized Future<Void> leave() {
    if (leaving == null) {
      WhereIsVerticle w = whereis;
      DaemonVerticle d = daemons;
      leaving = stopCron()
        .eventually(() -> w == null ? Future.succeededFuture() : w.announceLeaving())
        .eventually(() -> d == null ? Future.succeededFuture() : d.handOff())
        .otherwiseEmpty();
    }
    return leaving;
  }

  /** @return the registry the node's meters are recorded in (null before the start) */
  public MeterRegistry meterRegistry() {
    return registry;
  }

  @Override
  public Future<?> start() {
    NodeOptions opts;
    try {
      opts = options != null ? options : new NodeOptions(config());
      opts.validate();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    // every message this node sends to a node address says who sends it (installed before the
    // services start and removed after they all stopped, so hand-off messages carry it too)
    String self = opts.getNodeName();
    stampFrom = ctx -> {
      if (ctx.message().address().startsWith(Protocol.NODE_ADDRESS_PREFIX)) {
        ctx.message().headers().set(Protocol.FROM_HEADER, self);
      }
      ctx.next();
    };
    vertx.eventBus().addOutboundInterceptor(stampFrom);
    if (registry == null) {
      MeterRegistry vertxRegistry = BackendRegistries.getDefaultNow();
      registry = vertxRegistry != null ? vertxRegistry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }
    metrics = NodeMetrics.install(vertx, registry, self);
    AdminOptions adminOptions = opts.getAdmin();
    // the services stop in parallel when this verticle is undeployed: each first waits for the leave
    whereis = new WhereIsVerticle(opts, this::leave);
    daemons = new DaemonVerticle(opts, () -> whereis.announceLeaving());
    return vertx.deployVerticle(whereis)
      .compose(id -> vertx.deployVerticle(daemons))
      .compose(id -> vertx.deployVerticle(new CronVerticle(opts)))
      .compose(id -> {
        cronDeployment = id;
        if (!adminOptions.isEnabled()) {
          return Future.succeededFuture(id);
        }
        AdminVerticle a = new AdminVerticle(adminOptions, self, opts.getRequestTimeout(), registry);
        return vertx.deployVerticle(a).onSuccess(x -> admin = a);
      })
      .onSuccess(id -> log.info("[node={}] cluster extensions started", self))
      .onFailure(t -> {
        vertx.eventBus().removeOutboundInterceptor(stampFrom);
        metrics.close(vertx);
      });
  }

  @Override
  public Future<?> stop() {
    // the child deployments are already undeployed when this runs
    if (stampFrom != null) {
      vertx.eventBus().removeOutboundInterceptor(stampFrom);
    }
    if (metrics != null) {
      metrics.close(vertx);
    }
    admin = null;
    return Future.succeededFuture();
  }
}
