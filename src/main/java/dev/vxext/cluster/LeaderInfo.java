package dev.vxext.cluster;

import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;

/**
 * The leader as this node knows it.
 *
 * @param node the leader's node name, or {@code null} when unknown
 * @param epoch the leader's fencing epoch (0 when unknown); a new leader always has a higher one
 * @param self true when this node is the leader
 */
public record LeaderInfo(String node, long epoch, boolean self) implements Shareable {

  /** No leader known. */
  public static final LeaderInfo UNKNOWN = new LeaderInfo(null, 0, false);

  /** @return as JSON, published on {@code vxext.leadership} on every change */
  public JsonObject toJson() {
    return new JsonObject().put("node", node).put("epoch", epoch).put("self", self);
  }

  /** @return read from {@link #toJson()} */
  public static LeaderInfo fromJson(JsonObject json) {
    return new LeaderInfo(json.getString("node"), json.getLong("epoch", 0L), json.getBoolean("self", false));
  }
}
