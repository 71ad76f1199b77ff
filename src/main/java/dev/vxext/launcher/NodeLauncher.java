package dev.vxext.launcher;

import dev.vxext.ExtensionsVerticle;
import dev.vxext.NodeOptions;
import dev.vxext.impl.ClusterVertx;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The Vert.x launcher of one node, with checked {@link NodeOptions}: it builds the node's Vert.x (clustered
 * on its cluster manager, Vert.x's own meters in the node's registry when {@code vertxMetrics} is on),
 * deploys the {@link ExtensionsVerticle}, and leaves gracefully on SIGTERM. Loaded only once the logging is
 * configured ({@link VertxApplication} creates a logger when its class is initialised).
 */
final class NodeLauncher extends VertxApplication implements VertxApplicationHooks {

  private final NodeOptions options;
  private final PrometheusMeterRegistry registry;
  private volatile ExtensionsVerticle extensions;

  NodeLauncher(String[] args, NodeOptions options) {
    super(args);
    this.options = options;
    this.registry = ClusterVertx.meterRegistry(options);
  }

  @Override
  public VertxBuilder createVertxBuilder(VertxOptions vertxOptions) {
    return ClusterVertx.vertxMetrics(ClusterVertx.builder(options, vertxOptions), vertxOptions, options, registry);
  }

  /** The Vert.x options are final here: {@code -options} may have replaced the metrics options meanwhile. */
  @Override
  public void beforeStartingVertx(HookContext context) {
    if (options.isVertxMetrics()) {
      ClusterVertx.enableVertxMetrics(context.vertxOptions());
    }
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return () -> {
      ExtensionsVerticle e = new ExtensionsVerticle(options, registry);
      extensions = e;
      return e;
    };
  }

  /**
   * SIGTERM: the graceful leave ({@link ExtensionsVerticle#leave()}: the cron service stops first and
   * delivers the ticks it already claimed, the node announces it leaves, its daemons are handed off), then
   * Vert.x closes. Runs on the shutdown thread, not an event loop.
   */
  @Override
  public void beforeStoppingVertx(HookContext context) {
    ExtensionsVerticle e = extensions;
    if (e == null) return;
    try {
      e.leave().toCompletionStage().toCompletableFuture()
        .get(2 * options.getRequestTimeout() + 1_000, TimeUnit.MILLISECONDS);
    } catch (Exception ex) {
      System.err.println("vxext: the node did not leave cleanly: " + ex);
    }
  }

  @Override
  public void afterVerticleDeployed(HookContext context) {
    ExtensionsVerticle e = extensions;
    int adminPort = e == null ? -1 : e.adminPort();
    System.out.println("vxext: node " + options.getNodeName() + " started"
      + (!options.isClustered() ? " (alone)" : options.isHazelcast() ? " (Hazelcast cluster " + options.getHazelcastMembers() + ")"
        : " (cluster " + options.getZookeeperHosts() + ")")
      + (adminPort > 0 ? "; admin on http://" + options.getAdmin().getHost() + ":" + adminPort + "/" : ""));
  }
}
