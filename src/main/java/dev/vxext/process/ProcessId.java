package dev.vxext.process;

import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;

import java.util.Comparator;
import java.util.Objects;

/**
 * The identity of one registered process: the node it runs on, its name, the Vert.x deployment that
 * backs it, when it was registered (epoch ms, the node's clock) and the node-local registration counter.
 * <p>
 * Immutable and {@link Shareable}: it is stored in Vert.x local maps without copies.
 *
 * @param node the node name
 * @param name the process name
 * @param deploymentId the Vert.x deployment id
 * @param startedAt registration time, epoch milliseconds
 * @param seq the node-local registration counter (tie breaker)
 */
public record ProcessId(String node, String name, String deploymentId, long startedAt, long seq) implements Shareable {

  /**
   * The order in which duplicates are resolved: the oldest wins (smallest {@code startedAt}), then the
   * smallest node name, then the smallest {@code seq}. Every node computes the same winner.
   */
  public static final Comparator<ProcessId> OLDEST_FIRST = Comparator.comparingLong(ProcessId::startedAt)
    .thenComparing(ProcessId::node)
    .thenComparingLong(ProcessId::seq);

  public ProcessId {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(deploymentId, "deploymentId");
  }

  /** @return this process as JSON: {@code node, name, deploymentId, startedAt, seq} */
  public JsonObject toJson() {
    return new JsonObject().put("node", node).put("name", name).put("deploymentId", deploymentId)
      .put("startedAt", startedAt).put("seq", seq);
  }

  /**
   * @param json as written by {@link #toJson()}
   * @return the process id
   * @throws IllegalArgumentException when a field is missing or of the wrong type
   */
  public static ProcessId fromJson(JsonObject json) {
    try {
      return new ProcessId(json.getString("node"), json.getString("name"), json.getString("deploymentId"),
        json.getLong("startedAt"), json.getLong("seq"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("malformed process id " + json, e);
    }
  }

  /** @return true when both name the same registration (same node, name and deployment) */
  public boolean sameRegistration(ProcessId other) {
    return other != null && node.equals(other.node) && name.equals(other.name) && deploymentId.equals(other.deploymentId);
  }
}
