package dev.vxext.process;

import dev.vxext.protocol.Protocol;

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
 * @param lane the call lane of its node that hands calls to it on its own event loop (a transport hint:
 *             {@code -1} when it has none, e.g. a worker verticle or several instances; see
 *             {@code Protocol.laneAddress})
 */
public record ProcessId(String node, String name, String deploymentId, long startedAt, long seq, int lane) implements Shareable {

  /** No call lane: calls go to the node's address. */
  public static final int NO_LANE = -1;

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
    if (lane < NO_LANE) {
      throw new IllegalArgumentException("lane must be -1 (none) or a lane index, was " + lane);
    }
  }

  /** A process id without a call lane. */
  public ProcessId(String node, String name, String deploymentId, long startedAt, long seq) {
    this(node, name, deploymentId, startedAt, seq, NO_LANE);
  }

  /** @return this process as JSON: {@code node, name, deploymentId, startedAt, seq} and {@code lane} when it has one */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("node", node).put("name", name).put("deploymentId", deploymentId)
      .put("startedAt", startedAt).put("seq", seq);
    return lane == NO_LANE ? json : json.put("lane", lane);
  }

  /**
   * @param json as written by {@link #toJson()}
   * @return the process id
   * @throws IllegalArgumentException when a field is missing or of the wrong type
   */
  public static ProcessId fromJson(JsonObject json) {
    try {
      return new ProcessId(json.getString("node"), json.getString("name"), json.getString("deploymentId"),
        json.getLong("startedAt"), json.getLong("seq"), json.getInteger("lane", NO_LANE));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("malformed process id " + json, e);
    }
  }

  /** @return true when both name the same registration (same node, name and deployment) */
  public boolean sameRegistration(ProcessId other) {
    return other != null && node.equals(other.node) && name.equals(other.name) && deploymentId.equals(other.deploymentId);
  }
}
