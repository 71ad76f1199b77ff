package dev.vxext.cluster.impl;

import dev.vxext.addressbook.NodeEntry;
import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.addressbook.impl.MembershipView;
import dev.vxext.cluster.MembershipEvent;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.NodeListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tracks which nodes run the extensions, from the cluster manager's node events plus a periodic
 * reconciliation against {@link ClusterManager#getNodes()} (so a lost event cannot leave the view stale).
 * <p>
 * Runs on one Vert.x context: cluster-manager callbacks hop onto it. Each change rebuilds the
 * {@link MembershipView}, stores it in the local map, calls the {@link Listener} and then publishes a
 * {@link MembershipEvent} on {@value WhereIs#MEMBERSHIP_ADDRESS}.
 */
public final class ClusterMembership {

  /** Metadata key of the node name in the cluster manager's node info. */
  public static final String NAME_KEY = "vxext.name";
  /** Metadata key of the launchers a node offers. */
  public static final String LAUNCHERS_KEY = "vxext.launchers";
  /** Metadata key of the cluster-scoped cron jobs a node declares. */
  public static final String CRON_KEY = "vxext.cron";

  private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);
  private static final int INFO_ATTEMPTS = 40;
  private static final long INFO_RETRY_MS = 50;
  /** Reads of a member's entry while it disagrees with the notice that it changed. */
  private static final int RECHECK_ATTEMPTS = 5;
  /** A request unanswered for this long makes the liveness watch probe its node at once, ms. */
  static final long SUSPECT_AFTER_MS = 30;

  /** Reacts to changes, on the membership context, before the event is published. */
  public interface Listener {
    /** A node joined; {@code view} already contains it. */
    void joined(NodeEntry node, MembershipView view);

    /** A node left; {@code view} no longer contains it. @return how many directory entries were dropped */
    int left(NodeEntry node, MembershipView view);

    /** A node (this one included) announced it is leaving; {@code view} has it off the ring. */
    default void leaving(NodeEntry node, MembershipView view) {
    }

    /** A member (this one included) offers other launchers now; {@code view} has its new entry. */
    default void updated(NodeEntry node, MembershipView view) {
    }

    /** This node's own registration was lost and came back (for example after a session expiry). */
    void rejoined();

    /**
     * This node's own registration disappeared (its session expired): the cluster counts the node as gone
     * and may already run its daemons elsewhere. The registration is published again only once the
     * returned future completes (it must complete, success or failure, within a bounded time).
     */
    default Future<Void> lost() {
      return Future.succeededFuture();
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final ClusterManager cm;
  private final String selfName;
  private final String selfId;
  private final BookMaps maps;
  private final Listener listener;
  private final long reconcileInterval;
  /** The launchers this node offers (they change at runtime, see {@link #launchers(List)}). */
  private List<String> launchers;
  private final List<String> cronJobs;
  private final NodeInfoReader infoReader;
  private final NameClaim nameClaim;
  private final OwnEntry ownEntry;
  private final PeerLiveness liveness;
  private final Map<String, NodeEntry> known = new HashMap<>();
  private final Set<String> pending = new HashSet<>();
  private final Set<String> ignored = new HashSet<>();
  /** Members told to read their entry again while a read of it was in flight: read once more after it. */
  private final Map<String, List<String>> recheckAgain = new HashMap<>();
  /** Names of the members that announced a graceful leave (off the ring until they are gone). */
  private final Set<String> leavingNames = new HashSet<>();
  private final NodeListener nodeListener = new NodeListener() {
    @Override
    public void nodeAdded(String nodeId) {
      context.runOnContext(v -> added(nodeId));
    }

    @Override
    public void nodeLeft(String nodeId) {
      context.runOnContext(v -> removed(nodeId));
    }
  };
  private long version;
  private long timer = -1;
  private long suspectTimer = -1;
  private boolean selfLost;
  private boolean selfSeen;
  private boolean republishing;
  private boolean withdrawing;
  private boolean stopped;
  /** A new ZooKeeper session carries this node's registrations again: publish the node under it too. */
  private final Runnable sessionRenewed = this::sessionRenewed;

  /**
   * @param cm the cluster manager, or {@code null} for a node that runs alone
   * @param watchOptions options of the connections that watch each member's event-bus address (with the
   *                     event bus's TLS settings), see {@link PeerLiveness}
   */
  public ClusterMembership(Vertx vertx, Context context, ClusterManager cm, String selfName, BookMaps maps,
                           Listener listener, long reconcileInterval, long sessionTimeout, List<String> launchers,
                           List<String> cronJobs, io.vertx.core.net.NetClientOptions watchOptions) {
    this.vertx = vertx;
    this.context = context;
    this.cm = cm;
    this.selfName = selfName;
    this.selfId = cm == null ? "local" : cm.getNodeId();
    this.maps = maps;
    this.listener = listener;
    this.reconcileInterval = reconcileInterval;
    this.launchers = List.copyOf(new java.util.TreeSet<>(launchers));
    this.cronJobs = List.copyOf(new java.util.TreeSet<>(cronJobs));
    this.infoReader = cm == null ? null : new NodeInfoReader(vertx, cm);
    this.nameClaim = cm == null ? null : new NameClaim(vertx, cm, selfName, selfId, sessionTimeout);
    this.ownEntry = cm == null ? null : new OwnEntry(vertx, cm, selfName, this.launchers, this.cronJobs);
    this.liveness = cm == null ? null : new PeerLiveness(vertx, selfName, watchOptions, this::provenGone, this::provenBack,
      gone -> known.values().stream().anyMatch(e -> e.name().equals(gone.name())
        || (e.port() == gone.port() && java.util.Objects.equals(e.host(), gone.host()))));
  }

  /** @return the cluster manager's id of this node ({@code "local"} when alone) */
  public String selfId() {
    return selfId;
  }

  /**
   * Publishes this node's name, refuses to start when another node already uses it, and builds the first
   * view. Must be called on the membership context.
   *
   * @return a future failed with a message naming the conflicting node when the name is taken
   */
  public Future<Void> start() {
    if (cm == null) {
      known.put(selfId, new NodeEntry(selfName, selfId, null, 0, System.currentTimeMillis(), launchers, cronJobs));
      publish(null, null);
      return Future.succeededFuture();
    }
    return nameClaim.claim().compose(v -> ownEntry.publish()).compose(v -> checkDuplicates()).map(entries -> {
      NodeInfo own = cm.getNodeInfo();
      known.put(selfId, new NodeEntry(selfName, selfId, own.host(), own.port(), System.currentTimeMillis(), launchers, cronJobs));
      for (NodeEntry e : entries) {
        known.putIfAbsent(e.nodeId(), e);
        liveness.watch(e);
      }
      publish(null, null);
      // a member that saw this Vert.x join before its entry named it (embedded mode: the extensions start
      // on a running clustered Vert.x) ignores it until told to read the entry again
      ownEntry.tell(entries.stream().map(NodeEntry::name).toList(), OwnEntry.WITHDRAW_MS);
      if (cm instanceof FanOutClusterManager fanOut) {
        fanOut.addNodeListener(nodeListener);
        fanOut.addSessionRenewedListener(sessionRenewed);
      }
      timer = vertx.setPeriodic(reconcileInterval, id -> reconcile());
      suspectTimer = vertx.setPeriodic(SUSPECT_AFTER_MS / 3, id -> suspectSlowPeers());
      return null;
    });
  }

  /** Stops listening. Safe to call twice. */
  public void stop() {
    if (!stopped && nameClaim != null) {
      nameClaim.release();
    }
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (suspectTimer >= 0) {
      vertx.cancelTimer(suspectTimer);
      suspectTimer = -1;
    }
    if (liveness != null) {
      liveness.close();
    }
    if (cm instanceof FanOutClusterManager fanOut) {
      fanOut.removeNodeListener(nodeListener);
      fanOut.removeSessionRenewedListener(sessionRenewed);
    }
  }

  /**
   * Withdraws this node from the cluster while its Vert.x keeps running (or before it closes): its entry
   * no longer names it, and the members are told so they drop it now. Bounded; never failed. Must be called
   * on the membership context, before {@link #stop()}.
   */
  public Future<Void> withdraw() {
    if (cm == null || stopped) {
      return Future.succeededFuture();
    }
    List<String> peers = known.values().stream().map(NodeEntry::name).filter(n -> !n.equals(selfName)).toList();
    return ownEntry.withdraw(peers);
  }

  /**
   * Member {@code id} says its entry changed ({@code member.changed}): it started or stopped running the
   * extensions on a Vert.x that stays in the cluster, or offers other launchers now. Its entry is read again
   * from the cluster manager (the notice itself is not trusted). Must be called on the membership context.
   *
   * @param claimed the launchers the notice says the member offers now, or null: a hint only; while the
   *                entry read disagrees, it is read again a few times (a ZooKeeper server may lag the write)
   */
  public void recheck(String id, List<String> claimed) {
    if (stopped || cm == null || id == null || id.equals(selfId) || !cm.getNodes().contains(id)) {
      return;
    }
    if (pending.contains(id)) {
      recheckAgain.put(id, claimed);
      return;
    }
    NodeEntry was = known.get(id);
    if (was == null) {
      ignored.remove(id);
      added(id);
      return;
    }
    reread(id, was, claimed == null ? null : List.copyOf(new java.util.TreeSet<>(claimed)), RECHECK_ATTEMPTS);
  }

  private void reread(String id, NodeEntry was, List<String> claimed, int attempts) {
    pending.add(id);
    infoReader.read(id).onComplete(ar -> {
      if (!pending.remove(id) || stopped || known.get(id) != was || ar.failed()) {
        recheckPending(id);
        return;
      }
      NodeInfo info = ar.result();
      if (!was.name().equals(OwnEntry.nameOf(info))) {
        if (liveness != null) liveness.unwatch(id);
        drop(id, "stopped running the extensions; its Vert.x stays in the cluster");
        ignored.add(id);
        recheckAgain.remove(id);
        return;
      }
      List<String> offers = List.copyOf(new java.util.TreeSet<>(strings(info.metadata().getJsonArray(LAUNCHERS_KEY))));
      if (claimed != null && !claimed.equals(offers) && attempts > 1 && !recheckAgain.containsKey(id)) {
        vertx.setTimer(INFO_RETRY_MS, t -> {
          if (!stopped && known.get(id) == was && !pending.contains(id)) reread(id, was, claimed, attempts - 1);
        });
        return;
      }
      List<String> cron = strings(info.metadata().getJsonArray(CRON_KEY));
      if (!offers.equals(was.launchers()) || !new java.util.TreeSet<>(cron).equals(new java.util.TreeSet<>(was.cronJobs()))) {
        NodeEntry now = new NodeEntry(was.name(), id, info.host(), info.port(), was.joinedAt(), offers, cron);
        known.put(id, now);
        log.info("[node={}] node {} now offers launchers {}", selfName, now.name(), now.launchers());
        publish(now, MembershipEvent.Type.UPDATED);
      }
      recheckPending(id);
    });
  }

  private void recheckPending(String id) {
    if (recheckAgain.containsKey(id)) {
      recheck(id, recheckAgain.remove(id));
    }
  }

  /**
   * This node offers {@code names} from now on (a launcher was added or removed at runtime): its own entry
   * in the view changes at once ({@code updated} is published), its member entry in the cluster manager is
   * written again and every member told to read it. Must be called on the membership context.
   *
   * @return completed once the entry is written and the members told (see {@link OwnEntry#launchers})
   */
  public Future<Void> launchers(List<String> names) {
    if (stopped) {
      return Future.failedFuture(Protocol.failure(Protocol.NOT_READY, "node " + selfName + " is leaving the cluster"));
    }
    launchers = List.copyOf(new java.util.TreeSet<>(names));
    NodeEntry self = known.get(selfId);
    if (self != null) {
      NodeEntry now = new NodeEntry(self.name(), self.nodeId(), self.host(), self.port(), self.joinedAt(), launchers, self.cronJobs());
      known.put(selfId, now);
      log.info("[node={}] this node now offers launchers {}", selfName, launchers);
      publish(now, MembershipEvent.Type.UPDATED);
    }
    if (ownEntry == null) {
      return Future.succeededFuture();
    }
    return ownEntry.launchers(launchers, known.values().stream().map(NodeEntry::name).toList());
  }

  private Future<List<NodeEntry>> checkDuplicates() {
    List<Future<NodeEntry>> fetches = new ArrayList<>();
    for (String id : cm.getNodes()) {
      if (!id.equals(selfId)) {
        fetches.add(fetch(id, INFO_ATTEMPTS).otherwiseEmpty());
      }
    }
    return Future.join(fetches).transform(ar -> {
      List<NodeEntry> entries = new ArrayList<>();
      for (Future<NodeEntry> f : fetches) {
        NodeEntry e = f.result();
        if (e == null) continue;
        if (e.name().equals(selfName)) {
          return Future.failedFuture(new VertxException("node name '" + selfName + "' is already used by cluster node "
            + e.nodeId() + " at " + e.host() + ":" + e.port() + "; choose another nodeName", true));
        }
        entries.add(e);
      }
      return Future.succeededFuture(entries);
    });
  }

  /** Fetches a node's info; empty (null) when it carries no node name. */
  private Future<NodeEntry> fetch(String id, int attempts) {
    return infoReader.read(id).transform(ar -> {
      if (ar.succeeded() && ar.result() != null) {
        NodeInfo info = ar.result();
        String name = OwnEntry.nameOf(info);
        if (name != null) {
          return Future.succeededFuture(new NodeEntry(name, id, info.host(), info.port(), System.currentTimeMillis(),
            strings(info.metadata().getJsonArray(LAUNCHERS_KEY)), strings(info.metadata().getJsonArray(CRON_KEY))));
        }
      }
      if (attempts <= 1 || stopped) {
        return ar.succeeded() ? Future.succeededFuture() : Future.failedFuture(ar.cause());
      }
      Promise<NodeEntry> retry = Promise.promise();
      vertx.setTimer(INFO_RETRY_MS, t -> fetch(id, attempts - 1).onComplete(retry));
      return retry.future();
    });
  }

  private static List<String> strings(JsonArray array) {
    List<String> list = new ArrayList<>();
    if (array != null) array.forEach(o -> list.add(String.valueOf(o)));
    return list;
  }

  /**
   * Member {@code name} (this node included) announced a graceful leave: it stays a member until it is
   * gone, but leaves the ring at once (no directory share, nothing new placed on it). Must be called on the
   * membership context.
   *
   * @return true when {@code name} is a member (and is now marked leaving)
   */
  public boolean leaving(String name) {
    NodeEntry e = known.values().stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
    if (e == null || stopped) {
      return false;
    }
    if (leavingNames.add(name)) {
      log.info("[node={}] node leaving: {}", selfName, name);
      publish(e, MembershipEvent.Type.LEAVING);
    }
    return true;
  }

  private void sessionRenewed() {
    context.runOnContext(v -> {
      if (!stopped) {
        log.info("[node={}] new ZooKeeper session: publishing this node again", selfName);
        removed(selfId);
      }
    });
  }

  private void added(String id) {
    if (stopped) return;
    if (id.equals(selfId)) {
      if (selfLost) {
        selfLost = false;
        log.info("[node={}] own cluster registration is back; resending the directory", selfName);
        listener.rejoined();
      }
      return;
    }
    if (known.containsKey(id) || pending.contains(id) || ignored.contains(id)
      || (liveness != null && liveness.proven(id))) {
      return;
    }
    pending.add(id);
    fetch(id, INFO_ATTEMPTS).onComplete(ar -> {
      recheckAgain.remove(id);
      if (!pending.remove(id) || stopped) {
        return;
      }
      NodeEntry e = ar.succeeded() ? ar.result() : null;
      if (ar.failed()) {
        log.debug("[node={}] no node info for {} yet, retried at the next reconciliation", selfName, id);
        return;
      }
      if (e == null) {
        ignored.add(id);
        log.debug("[node={}] cluster node {} does not run the extensions; ignored", selfName, id);
        return;
      }
      for (NodeEntry other : known.values()) {
        if (other.name().equals(e.name())) {
          ignored.add(id);
          log.warn("[node={}] cluster node {} claims the name '{}' of node {}; ignored", selfName, id, e.name(), other.nodeId());
          return;
        }
      }
      known.put(id, e);
      leavingNames.remove(e.name());
      maps.peers().back(e.name());
      if (liveness != null) liveness.watch(e);
      log.info("[node={}] node joined: {}", selfName, e.name());
      publish(e, MembershipEvent.Type.JOINED);
    });
  }

  /** Probes the members with a request unanswered for {@value #SUSPECT_AFTER_MS} ms (see {@link PeerLiveness#suspect}). */
  private void suspectSlowPeers() {
    if (stopped || liveness == null) return;
    for (String name : maps.peers().slow(SUSPECT_AFTER_MS)) {
      for (NodeEntry e : known.values()) {
        if (e.name().equals(name) && !e.nodeId().equals(selfId)) {
          liveness.suspect(e.nodeId());
        }
      }
    }
  }

  /** The cluster manager no longer lists node {@code id} (its session ended). */
  private void removed(String id) {
    if (stopped) return;
    if (liveness != null && !id.equals(selfId)) {
      liveness.unwatch(id);
    }
    drop(id, "left the cluster");
  }

  /** Node {@code id} is proven gone before its session ended: it leaves the view now (see {@link PeerLiveness}). */
  private void provenGone(String id) {
    if (!stopped && known.containsKey(id)) {
      drop(id, "is gone (its event-bus port refuses connections)");
    }
    if (!stopped && cm instanceof FanOutClusterManager fanOut && cm.isActive()) {
      // until its session expires the cluster would still route to it what is sent to its addresses, and
      // its name claim and locks (the leader's lock) would stay held
      fanOut.purgeGoneNode(id)
        .onSuccess(n -> log.info("[node={}] removed {} znode(s) of the gone node {} (subscriptions, member entry, name, locks)",
          selfName, n, id))
        .onFailure(t -> {
          if (!stopped) {
            log.warn("[node={}] could not remove the event-bus subscriptions of the gone node {}: {}", selfName, id,
              t.getMessage());
          }
        });
    }
  }

  /** A node proven gone accepts connections again: it was alive, it comes back into the view. */
  private void provenBack(String id) {
    if (!stopped) {
      added(id);
    }
  }

  private void drop(String id, String why) {
    if (id.equals(selfId)) {
      if (!selfLost) {
        selfLost = true;
        log.warn("[node={}] own cluster registration disappeared (session expired?); publishing it again", selfName);
        // what the cluster re-placed is withdrawn first: nobody sees this node again while it still runs it
        withdrawing = true;
        listener.lost().onComplete(ar -> {
          withdrawing = false;
          republish();
        });
      }
      if (!withdrawing) {
        republish();
      }
      return;
    }
    pending.remove(id);
    ignored.remove(id);
    recheckAgain.remove(id);
    NodeEntry e = known.remove(id);
    if (e != null) {
      // a node ignored for claiming this name (restarted before the old session expired) gets its turn
      ignored.clear();
      leavingNames.remove(e.name());
      log.info("[node={}] node left: {} ({})", selfName, e.name(), why);
      publish(e, MembershipEvent.Type.LEFT);
      int failed = maps.peers().gone(e.name(), why);
      if (failed > 0) {
        log.info("[node={}] {} request(s) in flight to {} failed (503): it left", selfName, failed, e.name());
      }
    }
  }

  /**
   * vertx-zookeeper does not re-create a member's znode after its session expired (LOST clears its
   * "joined" flag, so RECONNECTED skips it): the node would stay invisible for good. Writing the node
   * info again creates the ephemeral znode under the new session.
   */
  private void republish() {
    if (republishing || stopped || !cm.isActive()) {
      return;
    }
    republishing = true;
    nameClaim.claim().onFailure(t -> log.error("[node={}] cannot reclaim the node name after a session loss: {}", selfName, t.getMessage()));
    ownEntry.rewrite().onComplete(ar -> {
      republishing = false;
      if (ar.failed()) {
        log.warn("[node={}] publishing own registration failed ({}); will be retried", selfName, ar.cause().getMessage());
      }
    });
  }

  /**
   * This node's own node address is registered in the cluster manager, or is registered again: another
   * node that wrongly believed this one gone (see {@link PeerLiveness}) may have removed it.
   */
  private void checkOwnRegistration() {
    if (!selfLost && !republishing && !stopped) {
      ownEntry.checkSubscriptions();
    }
  }

  private void reconcile() {
    if (stopped) return;
    checkOwnRegistration();
    ownEntry.retry(known.values().stream().map(NodeEntry::name).toList());
    Set<String> ids = new HashSet<>(cm.getNodes());
    selfSeen |= ids.contains(selfId);
    if (!selfSeen) {
      return;
    }
    if (!ids.contains(selfId)) {
      removed(selfId);
    } else if (ids.contains(selfId) && selfLost) {
      added(selfId);
    }
    for (String id : new ArrayList<>(known.keySet())) {
      if (!id.equals(selfId) && !ids.contains(id)) {
        removed(id);
      }
    }
    ignored.retainAll(ids);
    liveness.retainOnly(ids);
    for (String id : ids) {
      added(id);
    }
  }

  private void publish(NodeEntry changed, MembershipEvent.Type type) {
    MembershipView view = new MembershipView(++version, known.values(), leavingNames);
    maps.view(view);
    if (changed == null) {
      return;
    }
    int dropped = 0;
    try {
      switch (type) {
        case JOINED -> listener.joined(changed, view);
        case LEAVING -> listener.leaving(changed, view);
        case UPDATED -> listener.updated(changed, view);
        case LEFT -> dropped = listener.left(changed, view);
      }
    } catch (RuntimeException e) {
      log.error("[node={}] membership listener failed on {} {}", selfName, type, changed.name(), e);
    }
    MembershipEvent event = new MembershipEvent(type, changed.name(), changed.nodeId(), view.names(), dropped);
    vertx.eventBus().publish(Protocol.MEMBERSHIP_ADDRESS, event.toJson(), new DeliveryOptions().setLocalOnly(true));
  }
}
