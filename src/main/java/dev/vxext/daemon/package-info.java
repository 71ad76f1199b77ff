/**
 * Daemons: named processes that the elected leader keeps running exactly once in the cluster.
 * <p>
 * Each node declares launchers ({@link dev.vxext.daemon.Launcher}); a launcher's recovery scanner
 * declares which daemons must run. The leader (holder of the cluster lock {@code vxext.leader}, fenced
 * by an epoch) scans after a settle delay when it becomes leader, when a node leaves, and periodically;
 * each daemon not running anywhere is spawned on the node the ring picks among the nodes offering its
 * launcher, and the spawn is answered with the process id or a failure (retried, then re-picked).
 * A node cut off from ZooKeeper for half the session timeout stops its daemons itself; a daemon found
 * on two nodes loses its younger instance.
 * <p>
 * Supervised spawns: {@link dev.vxext.daemon.Spawner#spawnRegister} records the spawn in the cluster
 * manager ({@link dev.vxext.daemon.SupervisedSpawn}, map {@code vxext.spawns}) and the leader reconciles
 * those records as daemons of their launcher, until {@link dev.vxext.daemon.Spawner#stop} or the launcher's
 * {@link dev.vxext.daemon.RestartPolicy} ends the spawn. A daemon implementing
 * {@link dev.vxext.daemon.DaemonHandOff} hands a JSON state to its successor when its node leaves gracefully.
 */
package dev.vxext.daemon;
