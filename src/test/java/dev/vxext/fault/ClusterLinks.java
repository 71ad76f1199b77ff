package dev.vxext.fault;

import dev.vxext.testing.TcpProxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The proxies of a fault cluster whose nodes run behind {@link TcpProxy}s: per node (incarnation) one in
 * front of its event-bus port (peers connect to the proxy: the node advertises its port as
 * {@code clusterPublicPort}) and one in front of the ZooKeeper server (the node's connect string). Cuts
 * and heals the links. Thread-safe.
 */
final class ClusterLinks {

  /**
   * The two proxies of one node incarnation: {@code eventBus} in front of its event-bus port
   * {@code clusterPort}, {@code zookeeper} in front of the ZooKeeper server.
   */
  record NodeLinks(String node, int clusterPort, TcpProxy eventBus, TcpProxy zookeeper) {
    void close() {
      eventBus.close();
      zookeeper.close();
    }
  }

  private final int zookeeperPort;
  private final Map<String, NodeLinks> current = new LinkedHashMap<>();
  private final List<NodeLinks> every = new ArrayList<>();

  /** @param zookeeper the ZooKeeper connect string {@code host:port} (loopback) */
  ClusterLinks(String zookeeper) {
    this.zookeeperPort = Integer.parseInt(zookeeper.substring(zookeeper.lastIndexOf(':') + 1));
  }

  /**
   * New proxies for a node (incarnation): a free loopback port for its event bus, an event-bus proxy in
   * front of it and a ZooKeeper proxy; the node's previous ones are closed.
   */
  synchronized NodeLinks create(String node) throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    TcpProxy eventBus = TcpProxy.startEventBus(node, port);
    TcpProxy zk;
    try {
      zk = TcpProxy.start(node + "-zk", zookeeperPort);
    } catch (IOException | RuntimeException e) {
      eventBus.close();
      throw e;
    }
    NodeLinks l = new NodeLinks(node, port, eventBus, zk);
    NodeLinks old = current.put(node, l);
    if (old != null) {
      old.close();
    }
    every.add(l);
    return l;
  }

  /** @return the current proxies of {@code node} */
  synchronized NodeLinks of(String node) {
    NodeLinks l = current.get(node);
    if (l == null) {
      throw new IllegalStateException("node " + node + " has no proxies");
    }
    return l;
  }

  /** Cuts {@code node} from ZooKeeper only: its ZooKeeper proxy holds every byte. */
  void cutFromZookeeper(String node) {
    of(node).zookeeper().blackhole();
  }

  /**
   * Cuts {@code node} (cluster node id {@code nodeId}) from every other node both ways: its event-bus proxy
   * holds every byte, every other event-bus proxy holds the connections whose sender is {@code nodeId}.
   */
  void cutFromPeers(String node, String nodeId) {
    for (NodeLinks l : currentLinks()) {
      if (l.node().equals(node)) {
        l.eventBus().blackhole();
      } else {
        l.eventBus().blackholeFrom(nodeId);
      }
    }
  }

  /** One-way cut: the node with id {@code fromId} cannot reach {@code to}; {@code to} still reaches it. */
  void cutOneWay(String fromId, String to) {
    of(to).eventBus().blackholeFrom(fromId);
  }

  /** Heals every current proxy. @return the time, epoch ms */
  long healAll() {
    for (NodeLinks l : currentLinks()) {
      for (TcpProxy p : List.of(l.eventBus(), l.zookeeper())) {
        try {
          p.heal();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot heal " + p, e);
        }
      }
    }
    return System.currentTimeMillis();
  }

  /** @return per node, its proxies' connections held / open: {@code node: event bus h/o, zookeeper h/o} */
  String states() {
    List<String> states = new ArrayList<>();
    currentLinks().forEach(l -> states.add(l.node() + ": event bus " + l.eventBus().heldConnections() + "/"
      + l.eventBus().connections() + ", zookeeper " + l.zookeeper().heldConnections() + "/" + l.zookeeper().connections()));
    return String.join("; ", states);
  }

  /** Closes every proxy ever created here. */
  void closeAll() {
    List<NodeLinks> all;
    synchronized (this) {
      all = List.copyOf(every);
    }
    all.forEach(NodeLinks::close);
  }

  private synchronized List<NodeLinks> currentLinks() {
    return List.copyOf(current.values());
  }
}
