package dev.vxext.cluster.impl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps a node's ephemeral ZooKeeper state bound to its current session.
 * <p>
 * After ZooKeeper was unreachable for longer than the session timeout, Curator opens a new session, but the
 * server still holds the old one (it restores sessions when it restarts and expires them a session timeout
 * later). vertx-zookeeper re-puts its znodes on reconnect with {@code create().orSetData()}: the old
 * session's znodes still exist, so their data is set and they stay owned by the old session, and they are
 * deleted for good when it expires (event-bus subscriptions, vertx-zookeeper issue #69). So when the
 * session id changes, this class ends the previous session at once (it attaches to it with its id and
 * password and closes it: the server deletes its ephemeral znodes now, not a session timeout later), then
 * has the cluster manager re-add every event-bus registration of this node under the new session, then
 * tells the listeners (the membership publishes the node again and re-claims its name; the leader lock is
 * competed for again on RECONNECTED).
 * <p>
 * Curator calls {@link #stateChanged} on its event thread; the blocking work runs in {@code executeBlocking}.
 */
final class ZookeeperSessions implements ConnectionStateListener {

  private static final Logger log = LoggerFactory.getLogger(ZookeeperSessions.class);
  private static final long ATTACH_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final CuratorFramework curator;
  private final String nodeId;
  private final Supplier<Future<Integer>> replay;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private long sessionId;
  private byte[] password;
  private volatile boolean closed;

  /**
   * @param replay re-adds this node's event-bus registrations; its future completes with how many
   */
  ZookeeperSessions(Vertx vertx, CuratorFramework curator, String nodeId, Supplier<Future<Integer>> replay) {
    this.vertx = vertx;
    this.curator = curator;
    this.nodeId = nodeId;
    this.replay = replay;
  }

  /** Records the current session and starts watching for a new one. */
  void start() {
    synchronized (this) {
      record(current());
    }
    curator.getConnectionStateListenable().addListener(this);
  }

  /** Stops watching. Safe to call twice. */
  void close() {
    closed = true;
    curator.getConnectionStateListenable().removeListener(this);
  }

  /** Adds a listener called (on no particular thread) once a new session carries this node's state again. */
  void onRenewed(Runnable listener) {
    listeners.add(listener);
  }

  void removeOnRenewed(Runnable listener) {
    listeners.remove(listener);
  }

  @Override
  public void stateChanged(CuratorFramework client, ConnectionState state) {
    if (closed || (state != ConnectionState.CONNECTED && state != ConnectionState.RECONNECTED)) {
      return;
    }
    ZooKeeper zk = current();
    long previous;
    byte[] previousPassword;
    synchronized (this) {
      previous = sessionId;
      previousPassword = password;
      record(zk);
    }
    if (zk == null || previous == 0 || previous == zk.getSessionId()) {
      return;
    }
    long now = zk.getSessionId();
    log.warn("[node={}] new ZooKeeper session 0x{} (the previous one, 0x{}, is lost): ending the previous one and "
      + "re-registering this node's state", nodeId, Long.toHexString(now), Long.toHexString(previous));
    vertx.executeBlocking(() -> endSession(previous, previousPassword), false)
      .onFailure(t -> log.warn("[node={}] could not end the previous ZooKeeper session 0x{} ({}); its znodes go when it "
        + "expires", nodeId, Long.toHexString(previous), t.getMessage()))
      .eventually(() -> replay.get()
        .onSuccess(n -> log.info("[node={}] re-registered {} event-bus subscription(s) under session 0x{}", nodeId, n,
          Long.toHexString(now)))
        .onFailure(t -> log.error("[node={}] re-registering the event-bus subscriptions failed: {}", nodeId, t.getMessage())))
      .onComplete(ar -> {
        if (!closed) {
          listeners.forEach(Runnable::run);
        }
      });
  }

  private void record(ZooKeeper zk) {
    if (zk != null && zk.getState().isConnected()) {
      sessionId = zk.getSessionId();
      password = zk.getSessionPasswd();
    }
  }

  private ZooKeeper current() {
    try {
      return curator.getZookeeperClient().getZooKeeper();
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * Attaches to session {@code id} and closes it: the server deletes its ephemeral znodes. A session that
   * has already expired answers "expired" and there is nothing to end.
   *
   * @return true when the session was attached and closed
   */
  private boolean endSession(long id, byte[] sessionPassword) throws Exception {
    CountDownLatch answered = new CountDownLatch(1);
    boolean[] attached = {false};
    String hosts = curator.getZookeeperClient().getCurrentConnectionString();
    ZooKeeper twin = new ZooKeeper(hosts, (int) ATTACH_TIMEOUT_MS, event -> {
      if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
        attached[0] = true;
        answered.countDown();
      } else if (event.getState() == Watcher.Event.KeeperState.Expired) {
        answered.countDown();
      }
    }, id, sessionPassword);
    try {
      answered.await(ATTACH_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } finally {
      twin.close();
    }
    return attached[0];
  }
}
