package dev.vxext.daemon.impl;

import dev.vxext.cluster.impl.ConnectionMonitor;
import dev.vxext.cluster.impl.LeaderElection;
import io.vertx.core.Vertx;

/**
 * Stops this node's daemons before the cluster can run them elsewhere, and keeps it from leading while it
 * may be cut off:
 * <ul>
 *   <li>ZooKeeper connection SUSPENDED: no leading (vertx-zookeeper silently drops the lock), and the
 *   daemons stop half a session timeout after the node <em>last heard</em> from ZooKeeper (not after it
 *   noticed the cut: a read timeout notices it two thirds of a session late), so at least half a session
 *   before the server can expire the session and the cluster count the node gone; and from SUSPENDED
 *   until RECONNECTED the node takes no new daemon (503), so the leader, which still sees it as a member,
 *   cannot place one there after it fenced;</li>
 *   <li>session LOST: the daemons stop at once;</li>
 *   <li>RECONNECTED in time: the pending stop is cancelled, leading may resume;</li>
 *   <li>a process frozen (SIGSTOP, a long GC pause) for 2/3 of the session timeout may have lost its session
 *   and been replaced: its daemons stop on waking, before ZooKeeper tells it.</li>
 * </ul>
 * Confined to the daemon verticle's context; {@link #stop()} is safe twice.
 */
final class SelfFencing {

  private static final long WATCH_PERIOD_MS = 100;

  private final Vertx vertx;
  private final long sessionTimeout;
  private final DaemonHost host;
  private final LeaderElection election;
  private final java.util.function.LongSupplier lastContact;
  private long fenceTimer = -1;
  private long watch = -1;
  private long lastTick;

  /** @param lastContact when this node last heard from ZooKeeper, epoch ms ({@link ConnectionMonitor#lastContact()}) */
  SelfFencing(Vertx vertx, long sessionTimeout, DaemonHost host, LeaderElection election,
              java.util.function.LongSupplier lastContact) {
    this.lastContact = lastContact;
    this.vertx = vertx;
    this.sessionTimeout = sessionTimeout;
    this.host = host;
    this.election = election;
  }

  /** Starts the frozen-process watchdog (only for a clustered node: alone, nothing can replace it). */
  void startWatchdog() {
    long frozen = sessionTimeout * 2 / 3;
    lastTick = System.currentTimeMillis();
    watch = vertx.setPeriodic(WATCH_PERIOD_MS, t -> {
      long now = System.currentTimeMillis();
      if (now - lastTick > frozen) {
        host.fence("this process was frozen for " + (now - lastTick) + " ms");
      }
      lastTick = now;
    });
  }

  /** Reacts to a change of the ZooKeeper connection (see the class documentation). */
  void connection(ConnectionMonitor.State state) {
    switch (state) {
      case SUSPENDED -> {
        election.pause();
        host.refuse("its ZooKeeper connection is suspended");
        if (fenceTimer < 0) {
          long delay = lastContact.getAsLong() + sessionTimeout / 2 - System.currentTimeMillis();
          fenceTimer = vertx.setTimer(Math.max(1, delay), t -> {
            fenceTimer = -1;
            host.fence("cut off from ZooKeeper: half a session timeout since it last heard from it");
          });
        }
      }
      case LOST -> {
        election.pause();
        host.refuse("its ZooKeeper session is lost");
        cancelFence();
        host.fence("ZooKeeper session lost");
      }
      case RECONNECTED -> {
        cancelFence();
        host.refuse(null);
        election.resume();
      }
    }
  }

  void stop() {
    cancelFence();
    if (watch >= 0) {
      vertx.cancelTimer(watch);
      watch = -1;
    }
  }

  private void cancelFence() {
    if (fenceTimer >= 0) {
      vertx.cancelTimer(fenceTimer);
      fenceTimer = -1;
    }
  }
}
