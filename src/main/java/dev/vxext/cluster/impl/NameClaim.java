package dev.vxext.cluster.impl;

import dev.vxext.protocol.Action;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

import java.nio.charset.StandardCharsets;

/**
 * Makes a node name unique in the cluster with an ephemeral ZooKeeper znode {@code /vxext/names/<name>}
 * holding the node id: creating it is atomic, so two nodes starting with one name cannot both win, and
 * it vanishes with the holder's session.
 * <p>
 * When the name is held by another node id, the holder is pinged on its node address: if it answers,
 * the claim fails at once naming it; if not (a crashed node whose session has not expired yet), the
 * claim is retried until the session timeout has passed. Without ZooKeeper the claim always succeeds
 * (the membership scan still refuses a duplicate it can see).
 */
public final class NameClaim {

  private static final String NAMES_PATH = "/vxext/names/";

  /** @return the znode (relative to the cluster manager's root) that holds {@code name}'s node id while it runs */
  public static String path(String name) {
    return NAMES_PATH + name;
  }
  private static final long RETRY_MS = 250;

  private final Vertx vertx;
  private final CuratorFramework curator;
  private final String name;
  private final String nodeId;
  private final long patience;

  NameClaim(Vertx vertx, ClusterManager cm, String name, String nodeId, long sessionTimeout) {
    this.vertx = vertx;
    this.curator = FanOutClusterManager.curator(cm);
    this.name = name;
    this.nodeId = nodeId;
    this.patience = sessionTimeout + 2_000;
  }

  /** @return a future completed once this node holds the name, failed naming the holder otherwise */
  Future<Void> claim() {
    if (curator == null) {
      return Future.succeededFuture();
    }
    return attempt(System.currentTimeMillis() + patience);
  }

  /** Deletes the claim (best effort; it also vanishes with the session). */
  void release() {
    if (curator == null) return;
    try {
      curator.delete().inBackground().forPath(NAMES_PATH + name);
    } catch (Exception ignored) {
      // the znode is ephemeral: it goes with the session anyway
    }
  }

  private Future<Void> attempt(long deadline) {
    return create().recover(t -> {
      if (!(t instanceof KeeperException.NodeExistsException)) {
        return Future.failedFuture(t);
      }
      return holder().compose(holder -> {
        if (holder == null || holder.equals(nodeId)) {
          return holder == null ? attempt(deadline) : Future.succeededFuture();
        }
        return holderAlive().compose(alive -> {
          if (alive || System.currentTimeMillis() > deadline) {
            return Future.failedFuture(new VertxException("node name '" + name + "' is already used by cluster node "
              + holder + (alive ? "" : " (not answering, but its ZooKeeper session is still open)")
              + "; choose another nodeName", true));
          }
          Promise<Void> later = Promise.promise();
          vertx.setTimer(RETRY_MS, id -> attempt(deadline).onComplete(later));
          return later.future();
        });
      });
    });
  }

  private Future<Void> create() {
    return vertx.executeBlocking(() -> {
      curator.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
        .forPath(NAMES_PATH + name, nodeId.getBytes(StandardCharsets.UTF_8));
      return null;
    }, false);
  }

  private Future<String> holder() {
    return vertx.executeBlocking(() -> {
      try {
        return new String(curator.getData().forPath(NAMES_PATH + name), StandardCharsets.UTF_8);
      } catch (KeeperException.NoNodeException e) {
        return null;
      }
    }, false);
  }

  private Future<Boolean> holderAlive() {
    DeliveryOptions ping = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, Action.PING.wire()).setSendTimeout(1_000);
    return vertx.eventBus().request(Protocol.nodeAddress(name), null, ping).map(true)
      .otherwise(t -> t instanceof io.vertx.core.eventbus.ReplyException r
        && r.failureType() == io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE);
  }
}
