package dev.vxext.cluster.impl;

import dev.vxext.protocol.Action;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * This node's entry in the cluster manager: the node metadata that says a cluster member runs the
 * extensions (its node name, the launchers it offers, the cluster cron jobs it declares).
 * <p>
 * A member's metadata can change while its Vert.x keeps running: the extensions start on a Vert.x that
 * joined the cluster earlier, or stop and leave it running ({@code ClusterNode.deploy} then
 * {@code close()}). The cluster manager sends no event for that, so the node tells the other members with
 * {@link Action#MEMBER_CHANGED}; they read the entry again from the cluster manager and trust only what it
 * says (a forged notice costs one read).
 * <p>
 * After a session loss the entry is written again ({@link #rewrite()}), and the node's event-bus
 * subscriptions are registered again when they are missing ({@link #checkSubscriptions()}).
 */
final class OwnEntry {

  private static final Logger log = LoggerFactory.getLogger(OwnEntry.class);

  /** Longest wait for the withdrawal (the metadata write and the notices), ms. */
  static final long WITHDRAW_MS = 1_000;

  private final Vertx vertx;
  private final ClusterManager cm;
  private final String selfName;
  private final JsonArray launchers;
  private final JsonArray cronJobs;

  OwnEntry(Vertx vertx, ClusterManager cm, String selfName, List<String> launchers, List<String> cronJobs) {
    this.vertx = vertx;
    this.cm = cm;
    this.selfName = selfName;
    this.launchers = new JsonArray(new ArrayList<>(launchers));
    this.cronJobs = new JsonArray(new ArrayList<>(cronJobs));
  }

  /** @return the node name in {@code info}'s metadata, or null when that member does not run the extensions */
  static String nameOf(NodeInfo info) {
    return info == null || info.metadata() == null ? null : info.metadata().getString(ClusterMembership.NAME_KEY);
  }

  /** Publishes this node's metadata (nothing is written when it is there already). */
  Future<Void> publish() {
    NodeInfo own = cm.getNodeInfo();
    JsonObject metadata = own.metadata() == null ? new JsonObject() : own.metadata().copy();
    if (selfName.equals(metadata.getString(ClusterMembership.NAME_KEY))
      && launchers.equals(metadata.getJsonArray(ClusterMembership.LAUNCHERS_KEY))
      && cronJobs.equals(metadata.getJsonArray(ClusterMembership.CRON_KEY))) {
      return Future.succeededFuture();
    }
    metadata.put(ClusterMembership.NAME_KEY, selfName).put(ClusterMembership.LAUNCHERS_KEY, launchers.copy())
      .put(ClusterMembership.CRON_KEY, cronJobs.copy());
    return write(new NodeInfo(own.host(), own.port(), metadata));
  }

  /**
   * Removes this node's metadata (its Vert.x stays a cluster member that runs no extensions), then tells
   * {@code peers}. Bounded by {@value #WITHDRAW_MS} ms; never failed.
   */
  Future<Void> withdraw(Collection<String> peers) {
    if (!cm.isActive()) {
      return Future.succeededFuture();
    }
    NodeInfo own = cm.getNodeInfo();
    JsonObject metadata = own.metadata() == null ? new JsonObject() : own.metadata().copy();
    metadata.remove(ClusterMembership.NAME_KEY);
    metadata.remove(ClusterMembership.LAUNCHERS_KEY);
    metadata.remove(ClusterMembership.CRON_KEY);
    Promise<Void> done = Promise.promise();
    long guard = vertx.setTimer(WITHDRAW_MS, t -> done.tryComplete());
    write(new NodeInfo(own.host(), own.port(), metadata))
      .compose(v -> tell(peers, WITHDRAW_MS))
      .onComplete(ar -> {
        vertx.cancelTimer(guard);
        done.tryComplete();
      });
    return done.future();
  }

  /**
   * Tells {@code peers} that this node's entry changed ({@link Action#MEMBER_CHANGED}).
   *
   * @return completed once each answered or did not within {@code timeout} ms; never failed
   */
  Future<Void> tell(Collection<String> peers, long timeout) {
    List<Future<Object>> told = new ArrayList<>();
    DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, Action.MEMBER_CHANGED.wire())
      .addHeader(Protocol.FROM_HEADER, selfName).setSendTimeout(timeout);
    JsonObject body = new JsonObject().put("nodeId", cm.getNodeId());
    for (String peer : peers) {
      if (!peer.equals(selfName)) {
        told.add(vertx.eventBus().request(Protocol.nodeAddress(peer), body, o).map(m -> (Object) m.body()).otherwiseEmpty());
      }
    }
    return Future.join(told).mapEmpty();
  }

  /**
   * Writes this node's entry again as it is: vertx-zookeeper does not re-create a member's znode after its
   * session expired, and writing the node info creates it under the new session.
   *
   * @return completed once written; failed after 5 s without an answer
   */
  Future<Void> rewrite() {
    Promise<Void> promise = Promise.promise();
    cm.setNodeInfo(cm.getNodeInfo(), promise);
    long guard = vertx.setTimer(5_000, t -> promise.tryFail("no answer"));
    return promise.future().andThen(ar -> vertx.cancelTimer(guard));
  }

  /**
   * Registers this node's event-bus subscriptions again when its node address is missing from the cluster
   * manager: another node that wrongly believed this one gone (see {@link PeerLiveness}) may have removed
   * them. Only a wrapped cluster manager ({@link FanOutClusterManager}) records them.
   */
  void checkSubscriptions() {
    if (!(cm instanceof FanOutClusterManager fanOut)) {
      return;
    }
    fanOut.registered(Protocol.nodeAddress(selfName)).onSuccess(present -> {
      if (!present) {
        log.warn("[node={}] this node's event-bus subscriptions are missing from the cluster; registering them again",
          selfName);
        fanOut.replayRegistrations();
      }
    });
  }

  private Future<Void> write(NodeInfo info) {
    Promise<Void> promise = Promise.promise();
    cm.setNodeInfo(info, promise);
    return promise.future();
  }
}
