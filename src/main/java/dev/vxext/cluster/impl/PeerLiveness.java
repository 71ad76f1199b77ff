package dev.vxext.cluster.impl;

import dev.vxext.addressbook.NodeEntry;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Proves a member's process gone as soon as it is: one idle TCP connection to the event-bus address each
 * member advertises. When a process dies, its host's kernel closes every connection to it at once; the
 * watch then connects again, and a <em>refused</em> connection proves that nothing listens there any more
 * (the process crashed or exited), long before ZooKeeper expires its session. An accepted connection (the
 * process is alive: the old connection was closed for another reason) becomes the new watch; no answer at
 * all (a host or link gone silent) proves nothing, and the watch tries again.
 * <p>
 * A member proven gone is watched on while the cluster manager still lists it: if its port accepts
 * connections again on two probes a second apart (it was not gone after all, say a firewall rejected the
 * probes for a while), it is reported back, unless another member now uses that name or that address (a
 * restarted process on the same port is another node). Confined to one Vert.x context (the membership's); {@link #close()} is safe twice.
 * <p>
 * The proof rests on one assumption, stated in the README: no firewall between nodes <em>rejects</em>
 * connections to a live node's event-bus port (a DROP rule is fine: silence proves nothing).
 */
public final class PeerLiveness {

  private static final Logger log = LoggerFactory.getLogger(PeerLiveness.class);
  private static final int CONNECT_TIMEOUT_MS = 1_000;
  private static final long RETRY_MS = 1_000;
  static final long SUSPECT_INTERVAL_MS = 50;

  private final Vertx vertx;
  private final String self;
  private final NetClientOptions clientOptions;
  private final Consumer<String> gone;
  private final Consumer<String> back;
  private final java.util.function.Predicate<NodeEntry> replaced;
  private final Map<String, Watch> watches = new HashMap<>();
  private NetClient client;
  private boolean closed;

  /** One watched member. */
  private final class Watch {
    final NodeEntry node;
    NetSocket socket;
    boolean proven;
    boolean acceptedOnce;
    long suspectedAt;
    long retry = -1;

    Watch(NodeEntry node) {
      this.node = node;
    }
  }

  /**
   * @param clientOptions options of the watch connections (the event bus's TLS settings, so a TLS event
   *                      bus sees a complete handshake)
   * @param gone          called with the node id of a member proven gone
   * @param back          called with the node id of a member proven gone whose port accepts connections again
   * @param replaced      true when another member now has the name or the address of a node proven gone
   */
  PeerLiveness(Vertx vertx, String self, NetClientOptions clientOptions, Consumer<String> gone, Consumer<String> back,
               java.util.function.Predicate<NodeEntry> replaced) {
    this.replaced = replaced;
    this.vertx = vertx;
    this.self = self;
    this.clientOptions = new NetClientOptions(clientOptions).setConnectTimeout(CONNECT_TIMEOUT_MS)
      .setReconnectAttempts(0).setHostnameVerificationAlgorithm("");
    this.gone = gone;
    this.back = back;
  }

  /** Starts watching member {@code node} (no-op without an event-bus address, or when already watched). */
  void watch(NodeEntry node) {
    if (closed || node.host() == null || node.port() <= 0 || watches.containsKey(node.nodeId())) {
      return;
    }
    Watch w = new Watch(node);
    watches.put(node.nodeId(), w);
    connect(w);
  }

  /** Stops watching {@code nodeId} (it left the cluster manager's view). */
  void unwatch(String nodeId) {
    Watch w = watches.remove(nodeId);
    if (w != null) {
      stop(w);
    }
  }

  /**
   * A request to {@code nodeId} goes unanswered: probe it now rather than wait for its connections to close
   * (a dying process's kernel may close them a little after it stopped listening). At most one probe per
   * {@value #SUSPECT_INTERVAL_MS} ms per node; no-op for a node proven gone or not watched.
   */
  void suspect(String nodeId) {
    Watch w = watches.get(nodeId);
    long now = System.currentTimeMillis();
    if (closed || w == null || w.proven || now - w.suspectedAt < SUSPECT_INTERVAL_MS) {
      return;
    }
    w.suspectedAt = now;
    if (client == null) {
      client = vertx.createNetClient(clientOptions);
    }
    client.connect(w.node.port(), w.node.host()).onComplete(ar -> {
      if (ar.succeeded()) {
        ar.result().close();
      } else if (refused(ar.cause()) && !closed && watches.get(nodeId) == w && !w.proven) {
        w.proven = true;
        log.warn("[node={}] node {} refuses connections on its event-bus address {}:{} (probed: a request to it went"
          + " unanswered): its process is gone", self, w.node.name(), w.node.host(), w.node.port());
        gone.accept(nodeId);
        later(w);
      }
    });
  }

  /** Stops watching every node the cluster manager no longer lists. */
  void retainOnly(java.util.Set<String> listed) {
    for (String id : new java.util.ArrayList<>(watches.keySet())) {
      if (!listed.contains(id)) unwatch(id);
    }
  }

  /** @return true when {@code nodeId} was proven gone and is still watched */
  boolean proven(String nodeId) {
    Watch w = watches.get(nodeId);
    return w != null && w.proven;
  }

  void close() {
    closed = true;
    watches.values().forEach(this::stop);
    watches.clear();
    if (client != null) {
      client.close();
      client = null;
    }
  }

  private void stop(Watch w) {
    if (w.retry >= 0) {
      vertx.cancelTimer(w.retry);
      w.retry = -1;
    }
    if (w.socket != null) {
      NetSocket s = w.socket;
      w.socket = null;
      s.close();
    }
  }

  private void connect(Watch w) {
    if (client == null) {
      client = vertx.createNetClient(clientOptions);
    }
    long started = System.currentTimeMillis();
    client.connect(w.node.port(), w.node.host()).onComplete(ar -> {
      if (closed || watches.get(w.node.nodeId()) != w) {
        if (ar.succeeded()) ar.result().close();
        return;
      }
      if (ar.succeeded() && w.proven) {
        ar.result().close();
        if (replaced.test(w.node)) {
          // it stays gone (and unprobed) until the cluster manager forgets it
          log.info("[node={}] the address {}:{} of node {} (gone) is used by another member now", self,
            w.node.host(), w.node.port(), w.node.name());
          stop(w);
        } else if (!w.acceptedOnce) {
          w.acceptedOnce = true;
          later(w);
        } else {
          w.proven = false;
          w.acceptedOnce = false;
          log.warn("[node={}] node {} accepts connections again on {}:{}: it was not gone", self, w.node.name(),
            w.node.host(), w.node.port());
          back.accept(w.node.nodeId());
          connect(w);
        }
      } else if (ar.succeeded()) {
        NetSocket s = ar.result();
        w.socket = s;
        s.handler(data -> { });
        s.exceptionHandler(t -> { });
        s.closeHandler(v -> {
          if (w.socket == s) {
            w.socket = null;
            if (!closed && watches.get(w.node.nodeId()) == w) {
              connect(w);
            }
          }
        });
      } else if (refused(ar.cause())) {
        w.acceptedOnce = false;
        if (!w.proven) {
          w.proven = true;
          log.warn("[node={}] node {} refuses connections on its event-bus address {}:{} (probed in {} ms): its "
            + "process is gone", self, w.node.name(), w.node.host(), w.node.port(), System.currentTimeMillis() - started);
          gone.accept(w.node.nodeId());
        }
        later(w);
      } else {
        // silence proves nothing: a host or a link is down, or slow
        log.debug("[node={}] watch of {} at {}:{}: {}", self, w.node.name(), w.node.host(), w.node.port(),
          ar.cause().getMessage());
        later(w);
      }
    });
  }

  private void later(Watch w) {
    w.retry = vertx.setTimer(RETRY_MS, t -> {
      w.retry = -1;
      if (!closed && watches.get(w.node.nodeId()) == w) {
        connect(w);
      }
    });
  }

  /** @return true only for a refused connection (a timeout or an unreachable host says nothing) */
  public static boolean refused(Throwable t) {
    return t instanceof ConnectException && !(t instanceof ConnectTimeoutException)
      && t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains("refused");
  }
}
