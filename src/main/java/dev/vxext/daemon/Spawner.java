package dev.vxext.daemon;

import dev.vxext.process.ProcessId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Starts named processes of one launcher on the node the ring picks among the nodes that offer it.
 */
public interface Spawner {

  /** @return the launcher this spawner uses */
  String launcher();

  /**
   * Deploys and registers a process of this launcher under {@code name}, on the node
   * {@code pickNode(name)} picks among the nodes offering the launcher (this node included).
   * Idempotent by name: if the name already runs anywhere, its process id comes back and nothing new
   * is deployed.
   *
   * @param args the verticle's {@code config()}; {@code null} means an empty object
   * @return a future completed with the process id; failed with 400 for an invalid process or launcher
   *   name, 404 when no member offers the launcher, 503 when the members that offer it are all leaving
   *   (a graceful leave in progress: try again soon) or the node picked takes no daemon now (it is cut
   *   off from ZooKeeper), 504 when it did not answer in time, or the deployment's failure
   */
  Future<ProcessId> spawnRegister(String name, JsonObject args);
}
