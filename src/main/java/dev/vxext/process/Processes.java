package dev.vxext.process;

import dev.vxext.process.impl.ProcessDeployer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * Helpers for code running inside a registered process.
 * <p>
 * A process registered through {@code ClusterNode.register} finds its name with {@link #nameOf(Context)}.
 * Any verticle deployed on a node that runs the extensions can register itself from its {@code start()}
 * with {@link #registerSelf(Context, String)}: the registration lives as long as the deployment.
 */
public final class Processes {

  /** Key of the process name in the verticle's {@link Context} data. */
  public static final String CONTEXT_NAME_KEY = "vxext.process.name";

  private Processes() {
  }

  /**
   * @param context the context of a registered process
   * @return the name it was registered under, or {@code null} when it was not deployed by {@code register}
   */
  public static String nameOf(Context context) {
    Objects.requireNonNull(context, "context");
    Object name = context.get(CONTEXT_NAME_KEY);
    return name instanceof String ? (String) name : null;
  }

  /**
   * Registers the deployment that owns {@code context} under {@code name} on this node.
   * The process should consume on the local event-bus address {@code name}.
   *
   * @return a future completed with the process id, or failed with a {@code ReplyException}: 400 for an
   *   invalid name or a context that belongs to no deployment, 409 when the name is taken on this node,
   *   503 when the extensions do not run on this Vert.x instance
   */
  public static Future<ProcessId> registerSelf(Context context, String name) {
    Objects.requireNonNull(context, "context");
    String deploymentId = context.deploymentID();
    JsonObject body = new JsonObject().put("name", name).put("deploymentId", deploymentId);
    return request(context.owner(), "register", body).map(ProcessId::fromJson);
  }

  /**
   * Removes the registration of {@code name} on this node (the deployment keeps running).
   *
   * @return a future completed when the name is gone, failed with 404 when it was not registered here
   */
  public static Future<Void> unregister(Vertx vertx, String name) {
    return request(vertx, "unregister", new JsonObject().put("name", name)).mapEmpty();
  }

  static Future<JsonObject> request(Vertx vertx, String action, JsonObject body) {
    return ProcessDeployer.registry(vertx, action, body);
  }
}
