package dev.vxext.daemon.impl;

import dev.vxext.addressbook.NodeEntry;
import dev.vxext.cluster.impl.PeerLiveness;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * When the leader may place daemons again after nodes were lost without handing their daemons off.
 * <p>
 * A lost node closes the gate for {@code failoverDelay}: the cluster counts a node gone when its ZooKeeper
 * session expires, and a node whose session expired while it was still connected learns it only on its
 * next reconnect (the ZooKeeper client waits up to 1 s before reconnecting), then stops its daemons. A node
 * cut off from ZooKeeper has stopped them long before (at half the session timeout). So the leader probes
 * the lost node's event-bus port: when the connection is <em>refused</em>, no Vert.x listens there any more
 * (the process crashed or exited) and nothing of it can still run: the gate opens for it at once. An
 * accepted connection (alive: it must fence first) or no answer (host down or cut off) keeps it closed for
 * the delay. Confined to the daemon verticle's context.
 */
final class FailoverGate {

  private static final Logger log = LoggerFactory.getLogger(FailoverGate.class);
  private static final int PROBE_TIMEOUT_MS = 500;

  private final Vertx vertx;
  private final String self;
  private final long delay;
  private final Runnable opened;
  private final Map<String, Long> closedUntil = new HashMap<>();
  private NetClient probes;

  /**
   * @param delay  how long a lost node keeps the gate closed, ms ({@code failoverDelay})
   * @param opened called when a probe opened the gate early (on the caller's context)
   */
  FailoverGate(Vertx vertx, String self, long delay, Runnable opened) {
    this.vertx = vertx;
    this.self = self;
    this.delay = delay;
    this.opened = opened;
  }

  /** A node left without a hand-off; {@code last} is how it was last seen (its event-bus address), or null. */
  void lost(String node, NodeEntry last) {
    if (delay <= 0) {
      return;
    }
    closedUntil.put(node, System.currentTimeMillis() + delay);
    if (last == null || last.host() == null || last.port() <= 0) {
      return;
    }
    if (probes == null) {
      probes = vertx.createNetClient(new NetClientOptions().setConnectTimeout(PROBE_TIMEOUT_MS));
    }
    long started = System.currentTimeMillis();
    probes.connect(last.port(), last.host()).onComplete(ar -> {
      if (ar.succeeded()) {
        ar.result().close();
        log.info("[node={}] lost node {} still accepts connections on {}:{}: waiting {} ms for it to fence its daemons",
          self, node, last.host(), last.port(), delay);
      } else if (refused(ar.cause()) && closedUntil.remove(node) != null) {
        log.info("[node={}] lost node {} refuses connections on {}:{} (its process is gone, probed in {} ms): its daemons are placed now",
          self, node, last.host(), last.port(), System.currentTimeMillis() - started);
        opened.run();
      }
    });
  }

  /** A node is back (joined again) or handed off: it no longer holds the gate. */
  void clear(String node) {
    closedUntil.remove(node);
  }

  /** @return until when no daemon may be placed, epoch ms (in the past when the gate is open) */
  long closedUntil() {
    long now = System.currentTimeMillis();
    long until = 0;
    for (Iterator<Long> it = closedUntil.values().iterator(); it.hasNext(); ) {
      long u = it.next();
      if (u <= now) {
        it.remove();
      } else {
        until = Math.max(until, u);
      }
    }
    return until;
  }

  void close() {
    if (probes != null) {
      probes.close();
      probes = null;
    }
    closedUntil.clear();
  }

  /** @return true only for a refused connection (a timeout says nothing) */
  static boolean refused(Throwable t) {
    return PeerLiveness.refused(t);
  }
}
