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
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * This node's entry in the cluster manager: the node metadata that says a cluster member runs the
 * extensions (its node name, the launchers it offers, the cluster cron jobs it declares). The launchers
 * change at runtime ({@link #launchers}): the entry is written again and the members told. Confined to
 * the membership context.
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
  /** Longest wait for the cluster manager to store a changed entry, ms. */
  static final long WRITE_MS = 5_000;

  private final Vertx vertx;
  private final ClusterManager cm;
  private final String selfName;
  /** The launchers this node offers now (they change at runtime); confined to the membership context. */
  private JsonArray launchers;
  private final JsonArray cronJobs;
  /** The entry changed and is not written yet (the last write failed or is in flight). */
  private boolean dirty;
  private boolean writing;
  /** The members not told yet of the last change of the launchers. */
  private final Set<String> untold = new HashSet<>();
  private boolean telling;

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
   * This node now offers {@code names} (a launcher was added or removed at runtime): the entry is written
   * again, then {@code peers} are told to read it ({@link Action#MEMBER_CHANGED}, with the launchers as a
   * hint the receiver checks against the entry). What fails is done again by {@link #retry}.
   *
   * @return completed once the entry is written and the members told (or not answering within
   *   {@value #WITHDRAW_MS} ms); failed when the cluster manager did not take the entry within
   *   {@value #WRITE_MS} ms (written again at the next reconciliation)
   */
  Future<Void> launchers(List<String> names, Collection<String> peers) {
    launchers = new JsonArray(new ArrayList<>(names));
    untold.clear();
    untold.addAll(peers);
    untold.remove(selfName);
    dirty = true;
    return writeAndTell();
  }

  /**
   * At each reconciliation: writes the entry again when its last change is not written yet, and tells the
   * {@code members} that have not answered the notice of that change yet.
   */
  void retry(Collection<String> members) {
    untold.retainAll(members);
    if (dirty) {
      if (!writing) {
        writeAndTell().onFailure(t -> log.debug("[node={}] own member entry not written yet: {}", selfName, t.getMessage()));
      }
    } else if (!untold.isEmpty() && !telling) {
      tellUntold();
    }
  }

  private Future<Void> writeAndTell() {
    writing = true;
    Promise<Void> written = Promise.promise();
    long guard = vertx.setTimer(WRITE_MS, t -> written.tryFail(Protocol.failure(Protocol.NOT_READY,
      "the cluster manager did not store this node's entry within " + WRITE_MS + " ms; it is written again at the"
        + " next reconciliation")));
    publish().onComplete(ar -> {
      vertx.cancelTimer(guard);
      if (ar.succeeded()) written.tryComplete();
      else written.tryFail(Protocol.failure(Protocol.NOT_READY, "this node's entry could not be stored ("
        + ar.cause().getMessage() + "); it is written again at the next reconciliation"));
    });
    return written.future().andThen(ar -> {
      writing = false;
      dirty &= ar.failed();
    }).compose(v -> tellUntold());
  }

  /** Tells the members not told yet; those that answer are told. Never failed. */
  private Future<Void> tellUntold() {
    if (untold.isEmpty()) {
      return Future.succeededFuture();
    }
    telling = true;
    List<Future<Object>> told = new ArrayList<>();
    DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, Action.MEMBER_CHANGED.wire())
      .addHeader(Protocol.FROM_HEADER, selfName).setSendTimeout(WITHDRAW_MS);
    JsonObject body = new JsonObject().put("nodeId", cm.getNodeId()).put("launchers", launchers.copy());
    for (String peer : List.copyOf(untold)) {
      told.add(vertx.eventBus().request(Protocol.nodeAddress(peer), body, o).map(m -> {
        untold.remove(peer);
        return (Object) m.body();
      }).otherwiseEmpty());
    }
    return Future.join(told).<Void>mapEmpty().andThen(ar -> telling = false);
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
