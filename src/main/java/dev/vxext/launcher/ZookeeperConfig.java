package dev.vxext.launcher;

import dev.vxext.NodeOptions;
import io.vertx.core.json.JsonObject;

/** The vertx-zookeeper configuration derived from {@link NodeOptions}. */
public final class ZookeeperConfig {

  /** Connect timeout of the ZooKeeper client, ms. */
  public static final int CONNECT_TIMEOUT = 3000;

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
