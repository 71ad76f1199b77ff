package dev.vxext.daemon.impl;

import dev.vxext.cluster.impl.ConnectionMonitor;
import dev.vxext.cluster.impl.LeaderElection;
import io.vertx.core.Vertx;

/**
 * Stops this node's daemons before the cluster can run them elsewhere, and keeps it from leading while it
 * may be cut off:
 * <ul>
 *   <li>ZooKeeper connection SUSPENDED: no leading (vertx-zookeeper silently drops the lock), and the
 *   daemons stop after half the session timeout, well before the session can expire and the cluster count
 *   the node gone;</li>
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
  private long fenceTimer = -1;
  private long watch = -1;
  private long lastTick;

  SelfFencing(Vertx vertx, long sessionTimeout, DaemonHost host, LeaderElection election) {
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
        if (fenceTimer < 0) {
          fenceTimer = vertx.setTimer(Math.max(1, sessionTimeout / 2), t -> {
            fenceTimer = -1;
            host.fence("suspended from ZooKeeper for half the session timeout");
          });
        }
      }
      case LOST -> {
        election.pause();
        cancelFence();
        host.fence("ZooKeeper session lost");
      }
      case RECONNECTED -> {
        cancelFence();
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
