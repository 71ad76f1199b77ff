package dev.vxext;

import dev.vxext.cron.impl.CronVerticle;
import dev.vxext.daemon.impl.DaemonVerticle;
import dev.vxext.whereis.impl.WhereIsVerticle;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the cluster extensions into a Vert.x instance: the whereis verticle (registry, directory,
 * locate, forwarding), then the daemon verticle (leader election, spawning, recovery), then the cron
 * verticle. They are child deployments: undeploying this verticle undeploys them.
 * <p>
 * {@link ClusterNode#start(NodeOptions)} deploys it for you. To add the extensions to a Vert.x app you
 * built yourself, deploy {@code new ExtensionsVerticle(options)}, or deploy this class with the
 * {@link NodeOptions} JSON as its config. On a clustered Vert.x the node name is published in the
 * cluster node's metadata; a name already used in the cluster fails the deployment.
 */
public class ExtensionsVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ExtensionsVerticle.class);

  private NodeOptions options;
  private Handler<DeliveryContext<Object>> stampFrom;

  /** Reads the {@link NodeOptions} from the deployment config. */
  public ExtensionsVerticle() {
  }

  /** Uses the given options. */
  public ExtensionsVerticle(NodeOptions options) {
    this.options = new NodeOptions(options);
    this.options.validate();
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
      if (ctx.message().address().startsWith(WhereIs.NODE_ADDRESS_PREFIX)) {
        ctx.message().headers().set(WhereIs.FROM_HEADER, self);
      }
      ctx.next();
    };
    vertx.eventBus().addOutboundInterceptor(stampFrom);
    return vertx.deployVerticle(new WhereIsVerticle(opts))
      .compose(id -> vertx.deployVerticle(new DaemonVerticle(opts)))
      .compose(id -> vertx.deployVerticle(new CronVerticle(opts)))
      .onSuccess(id -> log.info("[node={}] cluster extensions started", self))
      .onFailure(t -> vertx.eventBus().removeOutboundInterceptor(stampFrom));
  }

  @Override
  public Future<?> stop() {
    // the child deployments are already undeployed when this runs
    if (stampFrom != null) {
      vertx.eventBus().removeOutboundInterceptor(stampFrom);
    }
    return Future.succeededFuture();
  }
}
