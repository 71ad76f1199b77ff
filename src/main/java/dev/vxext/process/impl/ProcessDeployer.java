package dev.vxext.process.impl;

import dev.vxext.process.ProcessId;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/**
 * Deploys a verticle as a named process of this node: reserve the name in the registry, deploy the
 * wrapped verticle, commit the registration (or release the name / undeploy on failure). A taken name
 * is refused before anything is deployed.
 */
public final class ProcessDeployer {

  private ProcessDeployer() {
  }

  /**
   * @return a future completed with the process id, or failed with the registry's code (400, 409) or
   *   the deployment's failure
   */
  public static Future<ProcessId> deploy(Vertx vertx, String name, Supplier<? extends Deployable> verticle,
                                         DeploymentOptions options) {
    DeploymentOptions opts = options == null ? new DeploymentOptions() : options;
    if (opts.getInstances() < 1) {
      return Future.failedFuture(Protocol.failure(Protocol.BAD_REQUEST, "cannot register '" + name
        + "': deployment options ask for " + opts.getInstances() + " instances, at least 1 is needed"));
    }
    JsonObject body = new JsonObject().put("name", name);
    return registry(vertx, "reserve", body)
      .compose(r -> deployNow(vertx, name, verticle, opts)
        .recover(t -> registry(vertx, "release", body).transform(ar -> Future.failedFuture(t)))
        .compose(id -> registry(vertx, "commit", body.copy().put("deploymentId", id))
          .recover(t -> vertx.undeploy(id).transform(ar -> Future.failedFuture(t)))))
      .map(ProcessId::fromJson);
  }

  /** Deploys; a deployment that throws at once (bad options, a failing supplier) is a failed future. */
  private static Future<String> deployNow(Vertx vertx, String name, Supplier<? extends Deployable> verticle,
                                          DeploymentOptions opts) {
    try {
      return vertx.deployVerticle(() -> new ProcessDeployable(name, verticle.get()), opts);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** @return the reply of the node's registry to {@code action}, or its failure (503 when not running) */
  public static Future<JsonObject> registry(Vertx vertx, String action, JsonObject body) {
    DeliveryOptions opts = new DeliveryOptions().setLocalOnly(true).addHeader(Protocol.ACTION_HEADER, action);
    return vertx.eventBus().<JsonObject>request(Protocol.REGISTRY_ADDRESS, body, opts)
      .recover(Protocol::notRunningIfNoHandlers).map(Message::body);
  }
}
