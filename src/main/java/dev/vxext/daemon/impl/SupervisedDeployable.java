package dev.vxext.daemon.impl;

import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import dev.vxext.daemon.DaemonHandOff;

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
  private volatile Context context;

  SupervisedDeployable(Deployable delegate, String name, SpawnHost host) {
    this.delegate = Objects.requireNonNull(delegate, "the launcher's factory returned null");
    this.name = name;
    this.host = host;
  }

  @Override
  public Future<?> deploy(Context context) throws Exception {
    this.context = context;
    return delegate.deploy(context).andThen(ar -> {
      if (ar.succeeded()) {
        host.deployed(context.deploymentID(), name, this);
      }
    });
  }

  /** @return true when the daemon hands state off ({@link DaemonHandOff}) */
  boolean handsOff() {
    return delegate instanceof DaemonHandOff && context != null;
  }

  /** @return the state the daemon hands off, asked on its context (null for none); see {@link DaemonHandOff} */
  Future<JsonObject> handOff() {
    Promise<JsonObject> state = Promise.promise();
    context.runOnContext(v -> {
      try {
        Future<JsonObject> f = ((DaemonHandOff) delegate).handOff();
        if (f == null) {
          state.complete();
        } else {
          f.onComplete(state);
        }
      } catch (RuntimeException e) {
        state.fail(e);
      }
    });
    return state.future();
  }

  @Override
  public Future<?> undeploy(Context context) throws Exception {
    Future<?> stopped = dev.vxext.process.impl.ProcessDeployable.undeployOf(delegate, context);
    // the deployment ends either way (Vert.x undeploys a verticle whose stop fails): its outcome is kept
    return stopped.transform(ar -> host.ended(context.deploymentID(), ar.failed(), ar.failed() ? String.valueOf(ar.cause().getMessage()) : null)
      .transform(v -> ar.succeeded() ? Future.succeededFuture() : Future.failedFuture(ar.cause())));
  }
}
