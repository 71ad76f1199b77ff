package dev.vxext.cluster.impl;

import io.vertx.core.Context;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionStateListener;

import java.util.function.Consumer;

/**
 * Reports this node's ZooKeeper connection state on a Vert.x context.
 * <p>
 * vertx-zookeeper releases every lock of a node silently when its connection is SUSPENDED, so the
 * leader must watch the connection itself. Only {@code SUSPENDED}, {@code LOST} and {@code RECONNECTED}
 * are reported. Without ZooKeeper nothing is ever reported.
 */
public final class ConnectionMonitor {

  /** The states that matter. */
  public enum State { SUSPENDED, LOST, RECONNECTED }

  private final CuratorFramework curator;
  private final ConnectionStateListener listener;

  public ConnectionMonitor(Context context, ClusterManager cm, Consumer<State> handler) {
    ClusterManager inner = cm instanceof FanOutClusterManager ? ((FanOutClusterManager) cm).delegate() : cm;
    this.curator = inner instanceof ZookeeperClusterManager ? ((ZookeeperClusterManager) inner).getCuratorFramework() : null;
    this.listener = (client, state) -> {
      State s = switch (state) {
        case SUSPENDED -> State.SUSPENDED;
        case LOST -> State.LOST;
        case RECONNECTED -> State.RECONNECTED;
        default -> null;
      };
      if (s != null) {
        context.runOnContext(v -> handler.accept(s));
      }
    };
    if (curator != null) {
      curator.getConnectionStateListenable().addListener(listener);
    }
  }

  /** Stops reporting. */
  public void close() {
    if (curator != null) {
      curator.getConnectionStateListenable().removeListener(listener);
    }
  }
}
