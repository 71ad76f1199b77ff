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
 */
package dev.vxext.daemon;
