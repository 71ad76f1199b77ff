package dev.vxext.impl;

import dev.vxext.NodeOptions;
import io.vertx.core.json.JsonObject;

/** The vertx-zookeeper configuration derived from {@link NodeOptions}. */
public final class ZookeeperConfig {

  /** Connect timeout of the ZooKeeper client, ms. */
  public static final int CONNECT_TIMEOUT = 3000;
  /**
   * Longest wait for ZooKeeper when a node starts, ms: a node whose ZooKeeper cannot be reached within
   * its session timeout, at least {@value #CONNECT_TIMEOUT} ms and at most this, does not start (the
   * launcher exits with code 2, {@code ClusterNode.start} fails).
   */
  public static final int REACH_TIMEOUT = 10_000;

  private ZookeeperConfig() {
  }

  /** @return the {@code ZookeeperClusterManager} JSON for these options */
  public static JsonObject of(NodeOptions opts) {
    return new JsonObject()
      .put("zookeeperHosts", opts.getZookeeperHosts())
      .put("rootPath", opts.getZookeeperRootPath())
      .put("sessionTimeout", opts.getSessionTimeout())
      .put("connectTimeout", CONNECT_TIMEOUT)
      .put("retry", new JsonObject().put("policy", "exponential_backoff").put("initialSleepTime", 100)
        .put("intervalTimes", 10000).put("maxTimes", 5));
  }
}
