package dev.vxext.cluster.impl;

import dev.vxext.NodeOptions;
import dev.vxext.cron.CronJob;
import dev.vxext.cron.CronScope;
import dev.vxext.launcher.ZookeeperConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;

import java.util.ArrayList;
import java.util.TreeSet;

/**
 * Builds the Vert.x instance of a node: alone, or clustered on ZooKeeper with the node's name, launchers
 * and cluster cron jobs in its cluster metadata, and a cluster manager that fans node events out.
 */
public final class ClusterVertx {

  private ClusterVertx() {
  }

  /** @return a builder for {@code options}; call {@code buildClustered()} when the options are clustered */
  public static VertxBuilder builder(NodeOptions options, VertxOptions vertxOptions) {
    if (!options.isClustered()) {
      return Vertx.builder().with(vertxOptions);
    }
    vertxOptions.getEventBusOptions().setHost(options.getClusterHost()).setPort(options.getClusterPort())
      .setClusterNodeMetadata(metadata(options));
    ZookeeperClusterManager zk = new ZookeeperClusterManager(ZookeeperConfig.of(options));
    return Vertx.builder().with(vertxOptions).withClusterManager(new FanOutClusterManager(zk));
  }

  /** @return the cluster metadata that identifies a node running the extensions */
  public static JsonObject metadata(NodeOptions options) {
    return new JsonObject().put(ClusterMembership.NAME_KEY, options.getNodeName())
      .put(ClusterMembership.LAUNCHERS_KEY, new JsonArray(new ArrayList<>(new TreeSet<>(options.getLaunchers().keySet()))))
      .put(ClusterMembership.CRON_KEY, new JsonArray(options.getCronJobs().stream()
        .filter(j -> j.getScope() == CronScope.CLUSTER).map(CronJob::getName).sorted().toList()));
  }
}
