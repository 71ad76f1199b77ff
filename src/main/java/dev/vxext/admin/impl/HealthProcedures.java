package dev.vxext.admin.impl;

import dev.vxext.runtime.NodeRuntime;
import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.cluster.LeaderInfo;
import dev.vxext.cluster.impl.FanOutClusterManager;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;

/**
 * The node's health checks: {@code cluster-manager}, {@code membership}, {@code leader}, {@code whereis}
 * (see {@link dev.vxext.admin} for what each means). Each completes within the request timeout.
 */
final class HealthProcedures {

  private HealthProcedures() {
  }

  static HealthChecks create(NodeRuntime runtime) {
    Vertx vertx = runtime.vertx();
    String self = runtime.name();
    long timeout = runtime.settings().requestTimeout();
    BookMaps maps = runtime.maps();
    HealthChecks checks = HealthChecks.create(vertx);
    checks.register("cluster-manager", timeout, promise -> promise.complete(clusterManager(vertx)));
    checks.register("membership", timeout, promise -> {
      boolean member = maps.view().contains(self);
      promise.complete(member ? Status.OK(new JsonObject().put("nodes", maps.view().names().size()))
        : Status.KO(new JsonObject().put("reason", "node " + self + " is not in its own membership view")));
    });
    checks.register("leader", timeout, promise -> {
      LeaderInfo leader = runtime.leader();
      promise.complete(leader.node() != null
        ? Status.OK(new JsonObject().put("leader", leader.node()).put("epoch", leader.epoch()))
        : Status.KO(new JsonObject().put("reason", "no leader is known")));
    });
    checks.register("whereis", timeout, promise -> {
      DeliveryOptions o = new DeliveryOptions().setLocalOnly(true).addHeader(Protocol.ACTION_HEADER, "status")
        .setSendTimeout(Math.max(1, timeout - 100));
      vertx.eventBus().<JsonObject>request(Protocol.WHEREIS_ADDRESS, null, o).onComplete(ar -> {
        if (ar.failed()) {
          promise.complete(Status.KO(new JsonObject().put("reason", "the whereis service does not answer: " + ar.cause().getMessage())));
          return;
        }
        JsonObject status = ar.result().body();
        boolean inSync = status.getLong("oldestUnackedMs", 0L) <= timeout;
        status.remove("node");
        promise.complete(inSync ? Status.OK(status)
          : Status.KO(status.put("reason", "a directory owner has not acknowledged a change for "
            + status.getLong("oldestUnackedMs") + " ms")));
      });
    });
    return checks;
  }

  private static Status clusterManager(Vertx vertx) {
    ClusterManager cm = ((VertxInternal) vertx).clusterManager();
    if (cm == null) {
      return Status.OK(new JsonObject().put("mode", "standalone"));
    }
    ClusterManager inner = cm instanceof FanOutClusterManager f ? f.delegate() : cm;
    if (inner instanceof ZookeeperClusterManager zk) {
      boolean connected = zk.getCuratorFramework().getZookeeperClient().isConnected();
      JsonObject data = new JsonObject().put("mode", "zookeeper").put("connected", connected);
      return connected ? Status.OK(data) : Status.KO(data.put("reason", "not connected to ZooKeeper"));
    }
    boolean active = inner.isActive();
    JsonObject data = new JsonObject().put("mode", inner.getClass().getSimpleName()).put("active", active);
    return active ? Status.OK(data) : Status.KO(data.put("reason", "the cluster manager is not active"));
  }
}
