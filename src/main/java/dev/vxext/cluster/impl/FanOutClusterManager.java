package dev.vxext.cluster.impl;

import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Counter;
import io.vertx.core.shareddata.Lock;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A cluster manager that delegates everything and fans node events out to several listeners.
 * <p>
 * {@link ClusterManager#nodeListener(NodeListener)} is a single setter: the listener Vert.x installs
 * (only when HA is on) would replace ours, or ours would replace it. This wrapper gives the delegate one
 * listener that calls Vert.x's listener first and then every listener added with
 * {@link #addNodeListener(NodeListener)}. Listeners are called on the cluster manager's thread.
 * <p>
 * It also records every clustered event-bus registration it passes on, so that on ZooKeeper, once the
 * node has a new session after a long outage, the previous session is ended and every registration is
 * added again under the new one ({@link ZookeeperSessions}; vertx-zookeeper alone leaves them owned by the
 * old session, which deletes them when it expires).
 */
public class FanOutClusterManager implements ClusterManager {

  /** The znode of vertx-zookeeper's event-bus subscriptions (under the cluster's root path). */
  private static final String SUBS_PATH = "/__vertx.subs";
  /** The znode of vertx-zookeeper's member entries. */
  private static final String MEMBERS_PATH = "/cluster/nodes";
  /** Most znodes {@link #purgeGoneNode} visits. */
  static final int PURGE_MAX_ZNODES = 50_000;

  /** How long {@link #leave} waits for lock releases still running, ms. */
  static final long LEAVE_RELEASE_TIMEOUT_MS = 2_000;

  private final ClusterManager delegate;
  private final List<NodeListener> listeners = new CopyOnWriteArrayList<>();
  private volatile NodeListener vertxListener;
  /** This node's clustered registrations, as passed on (address to registrations). */
  private final Map<String, Set<RegistrationInfo>> registrations = new ConcurrentHashMap<>();
  private final List<Runnable> renewedListeners = new CopyOnWriteArrayList<>();
  private volatile Vertx vertx;
  private volatile ZookeeperSessions sessions;
  /** Lock acquisitions and releases still running: the client must not close under them. */
  private final java.util.Set<Future<?>> releasing = ConcurrentHashMap.newKeySet();
  private volatile boolean leaving;

  public FanOutClusterManager(ClusterManager delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    delegate.nodeListener(new NodeListener() {
      @Override
      public void nodeAdded(String nodeId) {
        NodeListener v = vertxListener;
        if (v != null) v.nodeAdded(nodeId);
        listeners.forEach(l -> l.nodeAdded(nodeId));
      }

      @Override
      public void nodeLeft(String nodeId) {
        NodeListener v = vertxListener;
        if (v != null) v.nodeLeft(nodeId);
        listeners.forEach(l -> l.nodeLeft(nodeId));
      }
    });
  }

  /** @return the wrapped cluster manager */
  public ClusterManager delegate() {
    return delegate;
  }

  /** @return the ZooKeeper client of {@code cm} (wrapped or not), or null when it is not ZooKeeper's */
  public static org.apache.curator.framework.CuratorFramework curator(ClusterManager cm) {
    ClusterManager inner = cm instanceof FanOutClusterManager f ? f.delegate() : cm;
    return inner instanceof ZookeeperClusterManager zk ? zk.getCuratorFramework() : null;
  }

  /** Adds a listener; it does not replace Vert.x's own. */
  public void addNodeListener(NodeListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener added with {@link #addNodeListener(NodeListener)}. */
  public void removeNodeListener(NodeListener listener) {
    listeners.remove(listener);
  }

  /**
   * Adds a listener called once a new ZooKeeper session carries this node's registrations again (after
   * the previous session was lost); never called on other cluster managers.
   */
  public void addSessionRenewedListener(Runnable listener) {
    renewedListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener added with {@link #addSessionRenewedListener(Runnable)}. */
  public void removeSessionRenewedListener(Runnable listener) {
    renewedListeners.remove(listener);
  }

  /**
   * Adds every recorded registration of this node again (creating what the cluster manager lost).
   *
   * @return a future completed with how many were re-added, failed when one could not be
   */
  public Future<Integer> replayRegistrations() {
    List<Future<Void>> done = new ArrayList<>();
    registrations.forEach((address, infos) -> {
      for (RegistrationInfo info : List.copyOf(infos)) {
        Promise<Void> p = Promise.promise();
        delegate.addRegistration(address, info, p);
        done.add(p.future().compose(v -> {
          // removed while it was being added again: remove it once more
          Set<RegistrationInfo> now = registrations.get(address);
          if (now != null && now.contains(info)) {
            return Future.succeededFuture();
          }
          Promise<Void> undo = Promise.promise();
          delegate.removeRegistration(address, info, undo);
          return undo.future();
        }));
      }
    });
    return Future.all(done).map(done.size());
  }

  /**
   * Ends what node {@code nodeId}, proven gone (its process no longer listens), still holds in ZooKeeper:
   * every ephemeral znode of its session (its event-bus subscriptions, its member entry, its name claim, its
   * lock leases, the leader lock included). Until its session expires, the cluster would route messages
   * for its addresses to it, where they are lost (a restarted node of the same name shares its node address
   * with its dead predecessor meanwhile), a restarted node could not claim its name, and a lock it held
   * would stay held. ZooKeeper only: any client may delete another session's ephemeral znodes. Runs on a
   * worker thread; visits at most {@value #PURGE_MAX_ZNODES} znodes.
   *
   * @return a future completed with how many znodes were deleted (0 on other cluster managers)
   */
  public Future<Integer> purgeGoneNode(String nodeId) {
    Vertx v = vertx;
    if (!(delegate instanceof ZookeeperClusterManager zk) || v == null || nodeId == null || nodeId.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return v.executeBlocking(() -> {
      org.apache.curator.framework.CuratorFramework curator = zk.getCuratorFramework();
      org.apache.zookeeper.data.Stat member = curator.checkExists().forPath(MEMBERS_PATH + "/" + nodeId);
      long session = member == null ? 0 : member.getEphemeralOwner();
      int deleted = 0;
      int visited = 0;
      java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(List.of("/"));
      while (!todo.isEmpty() && visited++ < PURGE_MAX_ZNODES) {
        String path = todo.poll();
        List<String> children;
        try {
          children = curator.getChildren().forPath(path);
        } catch (org.apache.zookeeper.KeeperException.NoNodeException e) {
          continue;
        }
        for (String child : children) {
          String full = (path.equals("/") ? "" : path) + "/" + child;
          org.apache.zookeeper.data.Stat stat = curator.checkExists().forPath(full);
          if (stat == null) continue;
          boolean theirs = session != 0 ? stat.getEphemeralOwner() == session
            // its member entry is gone already: its subscriptions are named after its node id
            : stat.getEphemeralOwner() != 0 && path.startsWith(SUBS_PATH + "/") && child.startsWith(nodeId + "-");
          if (theirs) {
            try {
              curator.delete().forPath(full);
              deleted++;
            } catch (org.apache.zookeeper.KeeperException.NoNodeException e) {
              // another node deleted it first
            }
          } else if (stat.getNumChildren() > 0) {
            todo.add(full);
          }
        }
      }
      return deleted;
    }, false);
  }

  /**
   * @return a future completed with true when this node's own registration of {@code address} is known to
   *   the cluster manager (false: it was lost; true also when it cannot tell)
   */
  public Future<Boolean> registered(String address) {
    String self = delegate.getNodeId();
    Set<RegistrationInfo> mine = registrations.get(address);
    if (mine == null || mine.isEmpty() || self == null) {
      return Future.succeededFuture(true);
    }
    Promise<List<RegistrationInfo>> p = Promise.promise();
    delegate.getRegistrations(address, p);
    return p.future().map(list -> list.stream().anyMatch(r -> self.equals(r.nodeId()))).otherwise(true);
  }

  @Override
  public void nodeListener(NodeListener listener) {
    vertxListener = listener;
  }

  @Override
  public void init(Vertx vertx) {
    this.vertx = vertx;
    delegate.init(vertx);
  }

  @Override
  public <K, V> void getAsyncMap(String name, Completable<AsyncMap<K, V>> promise) {
    delegate.getAsyncMap(name, promise);
  }

  @Override
  public <K, V> Map<K, V> getSyncMap(String name) {
    return delegate.getSyncMap(name);
  }

  @Override
  public void getLockWithTimeout(String name, long timeout, Completable<Lock> promise) {
    Promise<Void> attempt = Promise.promise();
    releasing.add(attempt.future());
    delegate.getLockWithTimeout(name, timeout, (lock, failure) -> {
      if (lock != null && leaving) {
        // taken while this node leaves: released at once (the release is tracked before the attempt ends)
        tracked(lock).release();
        releasing.remove(attempt.future());
        attempt.complete();
        promise.complete(null, new io.vertx.core.VertxException("the node is leaving the cluster", true));
        return;
      }
      releasing.remove(attempt.future());
      attempt.complete();
      promise.complete(lock == null ? null : tracked(lock), failure);
    });
  }

  /**
   * vertx-zookeeper releases a lock on a thread of its own, after {@code release()} returned: a node that
   * closes right after releasing its leader lock would close the ZooKeeper client under the release (Curator
   * then logs "Expected state [STARTED] was [STOPPED]" and the lease lingers until the session ends). This
   * lock releases on a worker thread and {@link #leave} waits for it.
   */
  private Lock tracked(Lock lock) {
    Vertx v = vertx;
    if (!(lock instanceof io.vertx.spi.cluster.zookeeper.impl.ZKLock zk) || v == null) {
      return lock;
    }
    return () -> {
      Future<Void> released = v.executeBlocking(() -> {
        try {
          zk.getLock().release();
        } catch (IllegalStateException notHeld) {
          // released already (vertx-zookeeper releases every lock when the connection is suspended)
        }
        return null;
      }, false);
      releasing.add(released);
      released.onComplete(ar -> releasing.remove(released));
    };
  }

  @Override
  public void getCounter(String name, Completable<Counter> promise) {
    delegate.getCounter(name, promise);
  }

  @Override
  public void setNodeInfo(NodeInfo nodeInfo, Completable<Void> promise) {
    delegate.setNodeInfo(nodeInfo, promise);
  }

  @Override
  public void join(Completable<Void> promise) {
    delegate.join((v, failure) -> {
      if (failure == null && delegate instanceof ZookeeperClusterManager zk && vertx != null) {
        ZookeeperSessions s = new ZookeeperSessions(vertx, zk.getCuratorFramework(), zk.getNodeId(), this::replayRegistrations);
        s.onRenewed(() -> renewedListeners.forEach(Runnable::run));
        s.start();
        sessions = s;
      }
      promise.complete(v, failure);
    });
  }

  @Override
  public void leave(Completable<Void> promise) {
    leaving = true;
    ZookeeperSessions s = sessions;
    sessions = null;
    if (s != null) {
      s.close();
    }
    Vertx v = vertx;
    if (releasing.isEmpty() || v == null) {
      delegate.leave(promise);
      return;
    }
    // until no acquisition or release runs (one that ends may start a release), bounded: one that hangs
    // does not keep the node from leaving
    long deadline = System.currentTimeMillis() + LEAVE_RELEASE_TIMEOUT_MS;
    v.setPeriodic(10, id -> {
      if (releasing.isEmpty() || System.currentTimeMillis() >= deadline) {
        v.cancelTimer(id);
        delegate.leave(promise);
      }
    });
  }

  @Override
  public boolean isActive() {
    return delegate.isActive();
  }

  @Override
  public void registrationListener(RegistrationListener registrationListener) {
    delegate.registrationListener(registrationListener);
  }

  @Override
  public void addRegistration(String address, RegistrationInfo registrationInfo, Completable<Void> promise) {
    if (!registrationInfo.localOnly()) {
      registrations.computeIfAbsent(address, a -> ConcurrentHashMap.newKeySet()).add(registrationInfo);
    }
    delegate.addRegistration(address, registrationInfo, promise);
  }

  @Override
  public void removeRegistration(String address, RegistrationInfo registrationInfo, Completable<Void> promise) {
    registrations.computeIfPresent(address, (a, set) -> {
      set.remove(registrationInfo);
      return set.isEmpty() ? null : set;
    });
    delegate.removeRegistration(address, registrationInfo, promise);
  }

  @Override
  public String clusterHost() {
    return delegate.clusterHost();
  }

  @Override
  public String clusterPublicHost() {
    return delegate.clusterPublicHost();
  }

  @Override
  public String getNodeId() {
    return delegate.getNodeId();
  }

  @Override
  public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
    delegate.getRegistrations(address, promise);
  }

  @Override
  public NodeInfo getNodeInfo() {
    return delegate.getNodeInfo();
  }

  @Override
  public void getNodeInfo(String nodeId, Completable<NodeInfo> promise) {
    delegate.getNodeInfo(nodeId, promise);
  }

  @Override
  public List<String> getNodes() {
    return delegate.getNodes();
  }
}
