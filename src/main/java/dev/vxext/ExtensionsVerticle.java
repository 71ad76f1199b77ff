package dev.vxext;

import dev.vxext.admin.AdminOptions;
import dev.vxext.admin.impl.AdminVerticle;
import dev.vxext.cron.impl.CronVerticle;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;
import dev.vxext.cron.CronJob;
import dev.vxext.cron.CronScope;
import dev.vxext.daemon.impl.DaemonVerticle;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessOptions;
import dev.vxext.process.impl.ProcessDeployer;
import dev.vxext.runtime.NodeRuntime;
import dev.vxext.runtime.NodeSettings;
import dev.vxext.whereis.impl.WhereIsService;
import dev.vxext.protocol.Protocol;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster extensions in a Vert.x instance, and the place where a node is wired: it builds the node
 * runtime (settings, address book, membership, the node endpoint, routing), runs the directory service on
 * its own context (the runtime's), then deploys the daemon service, registers the processes declared in
 * the options ({@code processes}), deploys the cron service and, when {@code admin.port} is set, the admin
 * server, each handed the runtime. Undeploying it leaves gracefully
 * ({@link #leave()}), stops the services, then the directory and the runtime, which therefore answer
 * until the daemons are handed off.
 * <p>
 * {@link ClusterNode#start(NodeOptions)} and {@link ClusterNode#deploy} deploy it for you; it may also be
 * deployed as {@code new ExtensionsVerticle(options)}, or by class name with the {@link NodeOptions} JSON
 * as its config. Once per Vert.x instance: a second deployment fails (409). On a clustered Vert.x the node
 * name is published in the cluster node's metadata; a name already used in the cluster fails the
 * deployment.
 */
public class ExtensionsVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ExtensionsVerticle.class);

  private NodeOptions options;
  private MeterRegistry registry;
  private Handler<DeliveryContext<Object>> stampFrom;
  private volatile NodeRuntime runtime;
  private volatile WhereIsService whereis;
  private volatile AdminVerticle admin;
  private volatile String cronDeployment;
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
      NodeRuntime r = runtime;
      DaemonVerticle d = daemons;
      leaving = stopCron()
        .eventually(() -> r == null ? Future.succeededFuture() : r.announceLeaving())
        .eventually(() -> d == null ? Future.succeededFuture() : d.handOff())
        .otherwiseEmpty();
    }
    return leaving;
  }

  /** @return the registry the node's meters are recorded in (null before the start) */
  public MeterRegistry meterRegistry() {
    return registry;
  }

  /** @return the settings every service of the node shares, from the options */
  static NodeSettings settings(NodeOptions o, boolean clustered) {
    return new NodeSettings(o.getNodeName(), clustered, o.getSessionTimeout(), o.getSyncInterval(),
      o.getDirectoryReplicas(), o.getRequestTimeout(), o.getSettleDelay(), o.getFailoverDelay(),
      o.getReconcileInterval(), new ArrayList<>(o.getLaunchers().keySet()),
      o.getCronJobs().stream().filter(j -> j.getScope() == CronScope.CLUSTER).map(CronJob::getName).toList(),
      o.getEventBusOptions(), o.getPlacement(), o.getRebalance() == dev.vxext.daemon.Rebalance.ON_JOIN);
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
    options = opts;
    String self = opts.getNodeName();
    if (registry == null) {
      MeterRegistry vertxRegistry = BackendRegistries.getDefaultNow();
      registry = vertxRegistry != null ? vertxRegistry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }
    NodeSettings settings = settings(opts, ((VertxInternal) vertx).clusterManager() != null);
    NodeRuntime r;
    try {
      r = new NodeRuntime(vertx, context, settings, registry);
    } catch (ReplyException e) {
      // the extensions already run on this Vert.x instance: nothing of this deployment was started
      return Future.failedFuture(e);
    }
    // every message this node sends to a node address says who sends it (installed before the
    // services start and removed after they all stopped, so hand-off messages carry it too)
    stampFrom = ctx -> {
      if (ctx.message().address().startsWith(Protocol.NODE_ADDRESS_PREFIX)) {
        ctx.message().headers().set(Protocol.FROM_HEADER, self);
      }
      ctx.next();
    };
    vertx.eventBus().addOutboundInterceptor(stampFrom);
    runtime = r;
    r.owner(context.deploymentID(), this::leave, this::adminPort);
    whereis = new WhereIsService(r);
    daemons = new DaemonVerticle(r, opts.getLaunchers());
    AdminOptions adminOptions = opts.getAdmin();
    return r.start()
      .compose(v -> whereis.start())
      .compose(v -> r.open())
      .compose(v -> vertx.deployVerticle(daemons))
      .compose(id -> registerProcesses(opts.getProcesses()))
      .compose(v -> vertx.deployVerticle(new CronVerticle(r, opts.getCronJobs())))
      .compose(id -> {
        cronDeployment = id;
        if (!adminOptions.isEnabled()) {
          return Future.succeededFuture(id);
        }
        AdminVerticle a = new AdminVerticle(r, adminOptions, registry);
        return vertx.deployVerticle(a).onSuccess(x -> admin = a);
      })
      .onSuccess(id -> log.info("[node={}] cluster extensions started", self))
      .onFailure(t -> shutdown());
  }

  /**
   * Registers the processes declared in the options, one after the other, as children of this deployment
   * (undeployed with it). The first that cannot be registered fails the start, naming it.
   */
  private Future<Void> registerProcesses(List<ProcessOptions> processes) {
    Future<Void> chain = Future.succeededFuture();
    for (ProcessOptions p : processes) {
      chain = chain.compose(v -> {
        Future<ProcessId> registered;
        try {
          registered = ProcessDeployer.deploy(vertx, p.getName(), p.factory(), p.deployment());
        } catch (RuntimeException e) {
          registered = Future.failedFuture(e);
        }
        return registered.<Void>mapEmpty().recover(t -> Future.failedFuture(new IllegalStateException(
          "process '" + p.getName() + "' (" + p.getVerticle() + ") could not be registered: " + t.getMessage(), t)));
      });
    }
    return chain;
  }

  @Override
  public Future<?> stop() {
    // the services (child deployments) are already undeployed when this runs: the directory and the
    // runtime answered until the daemons were handed off. When Vert.x is closing, the node's other processes
    // are being undeployed at this very moment: the registry they notify stops after them
    WhereIsService w = whereis;
    boolean closing = ((VertxInternal) vertx).closeFuture().isClosed();
    Future<Void> processesGone = w != null && closing ? w.awaitProcessesGone() : Future.succeededFuture();
    return processesGone.eventually(this::shutdown);
  }

  private Future<Void> shutdown() {
    WhereIsService w = whereis;
    NodeRuntime r = runtime;
    whereis = null;
    runtime = null;
    admin = null;
    Future<Void> stopped = w == null ? Future.succeededFuture() : w.stop();
    return stopped.eventually(() -> r == null ? Future.succeededFuture() : r.close()).andThen(ar -> {
      if (stampFrom != null) {
        vertx.eventBus().removeOutboundInterceptor(stampFrom);
        stampFrom = null;
      }
    });
  }
}
