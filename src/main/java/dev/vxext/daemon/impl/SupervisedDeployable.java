package dev.vxext.daemon.impl;

import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;

import java.util.Objects;

/**
 * Wraps the verticle of a daemon so its node learns how it ended: once its {@code stop()} completed, and
 * before the registry hears that the process is gone, {@link SpawnHost#ended} decides what its end means
 * (nothing, when the node itself stopped it; else the restart policy of a supervised spawn).
 */
final class SupervisedDeployable implements Deployable {

  private final Deployable delegate;
  private final String name;
  private final SpawnHost host;

  SupervisedDeployable(Deployable delegate, String name, SpawnHost host) {
    this.delegate = Objects.requireNonNull(delegate, "the launcher's factory returned null");
    this.name = name;
    this.host = host;
  }

  @Override
  public Future<?> deploy(Context context) throws Exception {
    return delegate.deploy(context).andThen(ar -> {
      if (ar.succeeded()) {
        host.deployed(context.deploymentID(), name);
      }
    });
  }

  @Override
  public Future<?> undeploy(Context context) throws Exception {
    Future<?> stopped;
    try {
      stopped = delegate.undeploy(context);
    } catch (Exception e) {
      stopped = Future.failedFuture(e);
    }
    // the deployment ends either way (Vert.x undeploys a verticle whose stop fails): its outcome is kept
    return stopped.transform(ar -> host.ended(context.deploymentID(), ar.failed(), ar.failed() ? String.valueOf(ar.cause().getMessage()) : null)
      .transform(v -> ar.succeeded() ? Future.succeededFuture() : Future.failedFuture(ar.cause())));
  }
}
