package dev.vxext.daemon;

import dev.vxext.process.ProcessId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Starts named processes of one launcher on the node the ring picks among the nodes that offer it, and
 * supervises them: each spawn is recorded cluster-wide (the cluster manager's map {@code vxext.spawns}) and
 * the leader keeps it running like a daemon the launcher's scanner declares (placed again when its node is
 * lost, across leader changes and a restart of the whole cluster on ZooKeeper) until {@link #stop} or the
 * launcher's {@link RestartPolicy} ends it.
 */
public interface Spawner {

  /** @return the launcher this spawner uses */
  String launcher();

  /**
   * Deploys and registers a process of this launcher under {@code name}, on the node
   * {@code pickNode(name)} picks among the nodes offering the launcher (this node included).
   * Idempotent by name: if the name already runs anywhere, its process id comes back and nothing new
   * is deployed.
   * <p>
   * The spawn is recorded first, then started: from then on it is supervised ({@link SupervisedSpawn}).
   * A second call with the same name keeps the first record (its args); when its start fails for good (the
   * verticle's start failed, the name or args were refused) the record made by this call is removed again
   * and nothing is supervised; when the outcome is unknown (timeout, the target left) the record stays and
   * the leader places it.
   *
   * @param args the verticle's {@code config()}; {@code null} means an empty object
   * @return a future completed with the process id; failed with 400 for an invalid process or launcher
   *   name, 404 when no member offers the launcher, 409 when the name is a supervised spawn of another
   *   launcher, 503 when the members that offer it are all leaving (a graceful leave in progress: try again
   *   soon), the node picked takes no daemon now (it is cut off from ZooKeeper) or the spawn cannot be
   *   recorded now (nothing started), 504 when it did not answer in time, or the deployment's failure
   */
  Future<ProcessId> spawnRegister(String name, JsonObject args);

  /**
   * Stops the supervised spawn {@code name} of this launcher: removes its record (the leader no longer
   * supervises it), then the node running it undeploys it ({@code awaitExit} of it completes). Idempotent:
   * stopping a name that is unknown, or already stopped, succeeds. A daemon that this launcher's scanner
   * declares is started again by the next reconciliation: remove it from the scanner instead.
   *
   * @return a future completed once the record is gone and the process undeployed; failed with 400 for an
   *   invalid name, 409 when the name is a spawn or a daemon of another launcher (nothing changed), 503/504
   *   when the record or the node running it cannot be reached now (call it again: it is idempotent)
   */
  Future<Void> stop(String name);

  /**
   * @return a future completed with the supervised spawns of this launcher, by name; failed with 503 when
   *   the records cannot be read now
   */
  Future<List<SupervisedSpawn>> list();
}
