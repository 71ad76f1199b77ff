package dev.vxext.addressbook;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;

import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One available node as seen by this node.
 *
 * @param name the unique node name
 * @param nodeId the cluster manager's node id ({@code "local"} for a node that runs alone)
 * @param host the event-bus host, or {@code null} when unknown
 * @param port the event-bus port, or 0 when unknown
 * @param joinedAt when this node learnt of it, epoch ms
 * @param launchers the daemon launchers the node offers, sorted
 * @param cronJobs the cluster-scoped cron jobs the node declares, sorted
 */
public record NodeEntry(String name, String nodeId, String host, int port, long joinedAt, List<String> launchers,
                        List<String> cronJobs) implements Shareable {

  public NodeEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(nodeId, "nodeId");
    launchers = launchers == null ? List.of() : List.copyOf(new TreeSet<>(launchers));
    cronJobs = cronJobs == null ? List.of() : List.copyOf(new TreeSet<>(cronJobs));
  }

  /** @return true when the node declares the cluster-scoped cron job {@code job} */
  public boolean declares(String job) {
    return cronJobs.contains(job);
  }

  /** @return true when the node offers the launcher {@code launcher} */
  public boolean offers(String launcher) {
    return launchers.contains(launcher);
  }

  /** @return this entry as JSON */
  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("nodeId", nodeId).put("host", host).put("port", port)
      .put("joinedAt", joinedAt).put("launchers", new JsonArray(launchers))
      .put("cronJobs", new JsonArray(cronJobs));
  }
}
