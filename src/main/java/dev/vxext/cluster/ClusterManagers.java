package dev.vxext.cluster;

import dev.vxext.cluster.impl.FanOutClusterManager;
import io.vertx.core.spi.cluster.ClusterManager;

import java.util.Objects;

/**
 * For applications that build their own clustered Vert.x and run a node on it
 * ({@code ClusterNode.deploy}): wrap the cluster manager so that the node gets membership events as they
 * happen (without replacing Vert.x's own listener) and, on ZooKeeper, recovers what a lost session owned
 * (event-bus subscriptions, its member entry) as soon as it has a new one. A node on an unwrapped cluster
 * manager still works (it polls the member list every 200 ms), but after a ZooKeeper outage longer than the
 * session it loses its event-bus subscriptions for good (vertx-zookeeper issue #69).
 */
public final class ClusterManagers {

  private ClusterManagers() {
  }

  /** @return {@code clusterManager}, wrapped (a wrapped one as it is) */
  public static ClusterManager wrap(ClusterManager clusterManager) {
    Objects.requireNonNull(clusterManager, "clusterManager");
    return clusterManager instanceof FanOutClusterManager ? clusterManager : new FanOutClusterManager(clusterManager);
  }
}
