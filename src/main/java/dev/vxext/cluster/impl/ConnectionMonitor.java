package dev.vxext.cluster.impl;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.ClusterManager;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;

import java.util.function.Consumer;

/**
 * Reports this node's ZooKeeper connection state on a Vert.x context.
 * <p>
 * vertx-zookeeper releases every lock of a node silently when its connection is SUSPENDED, so the
 * leader must watch the connection itself. Only {@code SUSPENDED}, {@code LOST} and {@code RECONNECTED}
 * are reported. Without ZooKeeper nothing is ever reported.
 * <p>
 * It also knows when this node last heard from ZooKeeper ({@link #lastContact()}): a cheap read is sent
 * every {@value #PROBE_MAX_MS} ms at most (a tenth of the session timeout when shorter), and the time a
 * read was <em>sent</em> is recorded once it is answered. The server heard from this node at that time
 * or later, so it cannot expire the session before {@code lastContact() + sessionTimeout}: a node cut off
 * from ZooKeeper can fence itself in time, whenever the client notices the cut (a read timeout notices it
 * only two thirds of a session after the last contact; a closed connection at once).
 */
public final class ConnectionMonitor {

  /** The states that matter. */
  public enum State { SUSPENDED, LOST, RECONNECTED }

  /** Longest interval between two probes of ZooKeeper, ms. */
  static final long PROBE_MAX_MS = 1_000;

  private final CuratorFramework curator;
  private final ConnectionStateListener listener;
  private final Vertx vertx;
  private volatile long lastContact = System.currentTimeMillis();
  private long probeTimer = -1;

  public ConnectionMonitor(Context context, ClusterManager cm, Consumer<State> handler) {
    this(context, cm, 10 * PROBE_MAX_MS, handler);
  }

  /** @param sessionTimeout the node's session timeout (probes run ten times per session, at least once a second) */
  public ConnectionMonitor(Context context, ClusterManager cm, long sessionTimeout, Consumer<State> handler) {
    this.vertx = context.owner();
    this.curator = FanOutClusterManager.curator(cm);
    this.listener = (client, state) -> {
      State s = switch (state) {
        case SUSPENDED -> State.SUSPENDED;
        case LOST -> State.LOST;
        case RECONNECTED -> State.RECONNECTED;
        default -> null;
      };
      if (s == State.RECONNECTED) {
        lastContact = System.currentTimeMillis();
      }
      if (s != null) {
        context.runOnContext(v -> handler.accept(s));
      }
    };
    if (curator != null) {
      curator.getConnectionStateListenable().addListener(listener);
      long period = Math.max(50, Math.min(PROBE_MAX_MS, sessionTimeout / 10));
      context.runOnContext(v -> probeTimer = vertx.setPeriodic(period, t -> probe()));
    }
  }

  /** @return when this node last heard from ZooKeeper (a lower bound: a read sent then was answered), epoch ms */
  public long lastContact() {
    return lastContact;
  }

  /**
   * @return true when this node heard from ZooKeeper less than {@code ms} ago, or runs without ZooKeeper: a
   *   process that was frozen (SIGSTOP, a long pause) or cut off answers false until a probe gets through
   */
  public boolean heardWithin(long ms) {
    return curator == null || System.currentTimeMillis() - lastContact < ms;
  }

  /** One asynchronous read of the root znode; its send time becomes the last contact when it is answered. */
  private void probe() {
    ZooKeeper zk;
    try {
      zk = curator.getZookeeperClient().getZooKeeper();
    } catch (Exception e) {
      return;
    }
    if (zk == null || !zk.getState().isConnected()) {
      return;
    }
    long sent = System.currentTimeMillis();
    zk.exists("/", false, (rc, path, ctx, stat) -> {
      if (rc == KeeperException.Code.OK.intValue() && sent > lastContact) {
        lastContact = sent;
      }
    }, null);
  }

  /** Stops reporting. */
  public void close() {
    if (curator != null) {
      curator.getConnectionStateListenable().removeListener(listener);
      if (probeTimer >= 0) {
        vertx.cancelTimer(probeTimer);
        probeTimer = -1;
      }
    }
  }
}
