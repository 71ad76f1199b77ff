package dev.vxext.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A node joined, changed what it offers, announced it is leaving, or left, as published (JSON) on the local
 * address {@code vxext.membership} after this node's address book has applied it.
 *
 * @param type {@code joined}, {@code updated} (a member, this node included, now offers other launchers:
 *             one was added or removed at runtime), {@code leaving} (a graceful leave began: the node is
 *             still a member, but it takes nothing new and owns no directory share) or {@code left}
 * @param node the node name
 * @param nodeId the cluster manager's node id
 * @param nodes the available node names after the change, sorted
 * @param droppedEntries for {@code left}: how many directory entries of that node this node dropped
 */
public record MembershipEvent(Type type, String node, String nodeId, List<String> nodes, int droppedEntries) {

  /** The kind of change. */
  public enum Type { JOINED, UPDATED, LEAVING, LEFT }

  /** @return the event as JSON */
  public JsonObject toJson() {
    return new JsonObject().put("type", type.name().toLowerCase()).put("node", node).put("nodeId", nodeId)
      .put("nodes", new JsonArray(List.copyOf(nodes))).put("droppedEntries", droppedEntries);
  }

  /** @return the event read from JSON written by {@link #toJson()} */
  public static MembershipEvent fromJson(JsonObject json) {
    Type type = Type.valueOf(json.getString("type").toUpperCase());
    @SuppressWarnings("unchecked")
    List<String> nodes = json.getJsonArray("nodes").getList();
    return new MembershipEvent(type, json.getString("node"), json.getString("nodeId"), List.copyOf(nodes),
      json.getInteger("droppedEntries", 0));
  }
}
