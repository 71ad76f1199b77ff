package dev.vxext.process.impl;

import dev.vxext.process.Processes;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * Wraps a user's verticle so it knows its process name ({@link Processes#nameOf(Context)}) and so the
 * registry hears at once when the deployment is undeployed, by any means.
 */
public final class ProcessDeployable implements Deployable {

  private final String name;
  private final Deployable delegate;

  public ProcessDeployable(String name, Deployable delegate) {
    this.name = name;
    this.delegate = Objects.requireNonNull(delegate, "the verticle supplier returned null");
  }

  @Override
  public Future<?> deploy(Context context) throws Exception {
    context.put(Processes.CONTEXT_NAME_KEY, name);
    return delegate.deploy(context);
  }

  /** @return {@code delegate}'s undeploy as a future: failed, not thrown, when it throws */
  public static Future<?> undeployOf(io.vertx.core.Deployable delegate, Context context) {
    try {
      return delegate.undeploy(context);
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<?> undeploy(Context context) throws Exception {
    return undeployOf(delegate, context).andThen(ar -> {
      // idempotent: the registry ignores a deployment it no longer holds (or is gone, when the extensions stopped first)
      DeliveryOptions options = new DeliveryOptions().setLocalOnly(true).addHeader(Protocol.ACTION_HEADER, "undeployed");
      context.owner().eventBus().send(Protocol.REGISTRY_ADDRESS, new JsonObject().put("deploymentId", context.deploymentID()), options);
    });
  }
}
