package dev.vxext.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP forwarder that a fault test puts in front of a node's event-bus port (advertised with
 * {@code clusterPublicPort}) or a node's ZooKeeper connection, to cut and heal that link:
 * <ul>
 *   <li>{@link #blackhole()}: a network partition. Bytes stop flowing both ways, on the open connections
 *   and on new ones (accepted, never connected onwards); nothing is lost or reordered: on {@link #heal()}
 *   what was held is delivered, as TCP retransmits after a partition heals. Peers see timeouts.</li>
 *   <li>{@link #refuse()}: the process behind looks crashed. Every connection is closed and new ones are
 *   refused (the listening socket is closed) until {@link #heal()} listens again on the same port.</li>
 *   <li>{@link #blackholeFrom(String)} (event-bus proxies only): a one-way partition. The connections whose
 *   sender is that cluster node id are held; the others flow. A Vert.x event-bus connection carries one
 *   direction (the connecting node's messages, replies included), and its first frame names its sender:
 *   the proxy reads that frame before it forwards anything.</li>
 * </ul>
 * Only loopback: it listens on 127.0.0.1 and forwards to the given loopback target. Two threads per
 * connection; {@link #close()} ends everything.
 */
public final class TcpProxy implements AutoCloseable {

  private static final int CHUNK = 64 * 1024;
  private static final int MAX_FIRST_FRAME = 16 * 1024 * 1024;
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final String name;
  private final String targetHost;
  private final int targetPort;
  private final boolean eventBus;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Set<String> heldSenders = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  private volatile int port;
  private volatile boolean held;
  private volatile boolean closed;
  private volatile ServerSocket server;

  private TcpProxy(String name, String targetHost, int targetPort, boolean eventBus) {
    this.name = name;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.eventBus = eventBus;
  }

  /** @return a proxy to {@code 127.0.0.1:targetPort}, listening on a free loopback port */
  public static TcpProxy start(String name, int targetPort) throws IOException {
    TcpProxy p = new TcpProxy(name, "127.0.0.1", targetPort, false);
    p.listen(0);
    return p;
  }

  /**
   * @return a proxy in front of a Vert.x event-bus port: like {@link #start}, and it knows the sender of
   *   each connection (for {@link #blackholeFrom(String)})
   */
  public static TcpProxy startEventBus(String name, int targetPort) throws IOException {
    TcpProxy p = new TcpProxy(name, "127.0.0.1", targetPort, true);
    p.listen(0);
    return p;
  }

  /** @return the loopback port this proxy listens on (the same after {@link #refuse()} and {@link #heal()}) */
  public int port() {
    return port;
  }

  /** @return {@code 127.0.0.1:<port>} */
  public String address() {
    return "127.0.0.1:" + port;
  }

  /** Holds every byte, both ways, on every connection, old and new (a partition). */
  public void blackhole() {
    synchronized (gate) {
      held = true;
    }
  }

  /** Holds the connections whose first frame names {@code senderNodeId} (event-bus proxies only). */
  public void blackholeFrom(String senderNodeId) {
    if (!eventBus) {
      throw new IllegalStateException("proxy " + name + " does not read event-bus frames");
    }
    synchronized (gate) {
      heldSenders.add(senderNodeId);
    }
  }

  /** Closes every connection and refuses new ones (the process behind looks crashed). */
  public synchronized void refuse() {
    closeServer();
    links.forEach(Link::close);
  }

  /** Lets everything flow again (and listens again after {@link #refuse()}). */
  public synchronized void heal() throws IOException {
    synchronized (gate) {
      held = false;
      heldSenders.clear();
      gate.notifyAll();
    }
    if (server == null && !closed) {
      listen(port);
    }
  }

  /** @return how many connections are open through this proxy */
  public int connections() {
    return links.size();
  }

  /** @return how many of the open connections are held now (by {@link #blackhole()} or {@link #blackholeFrom}) */
  public int heldConnections() {
    return (int) links.stream().filter(this::holds).count();
  }

  @Override
  public synchronized void close() {
    closed = true;
    closeServer();
    links.forEach(Link::close);
    synchronized (gate) {
      gate.notifyAll();
    }
  }

  @Override
  public String toString() {
    return "TcpProxy{" + name + " " + port + " -> " + targetPort + (held ? " held" : "")
      + (heldSenders.isEmpty() ? "" : " held from " + heldSenders) + (server == null ? " refusing" : "") + "}";
  }

  private synchronized void listen(int onPort) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort));
    server = s;
    port = s.getLocalPort();
    thread("accept", () -> {
      while (!s.isClosed()) {
        try {
          Socket client = s.accept();
          client.setTcpNoDelay(true);
          Link link = new Link(client);
          links.add(link);
          if (server != s) {
            // refused or closed while this connection was being accepted: it must not survive
            link.close();
            continue;
          }
          thread("link", link::run);
        } catch (IOException e) {
          return;
        }
      }
    });
  }

  private synchronized void closeServer() {
    if (server != null) {
      quietly(server);
      server = null;
    }
  }

  private boolean holds(Link link) {
    return held || (link.sender != null && heldSenders.contains(link.sender));
  }

  /** Waits while {@code link} is held; @return false when the proxy or the link closed meanwhile */
  private boolean awaitFlow(Link link) {
    synchronized (gate) {
      while (holds(link) && !closed && !link.closed) {
        try {
          gate.wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return !closed && !link.closed;
  }

  private static void thread(String what, Runnable r) {
    Thread t = new Thread(r, "tcp-proxy-" + what + "-" + THREADS.incrementAndGet());
    t.setDaemon(true);
    t.start();
  }

  private static void quietly(AutoCloseable c) {
    try {
      if (c != null) c.close();
    } catch (Exception ignored) {
      // closing anyway
    }
  }

  /** One client connection and its upstream connection. */
  private final class Link {
    final Socket client;
    volatile Socket upstream;
    volatile String sender;
    volatile boolean closed;

    Link(Socket client) {
      this.client = client;
    }

    void run() {
      try {
        InputStream in = client.getInputStream();
        byte[] first = eventBus ? firstFrame(in) : null;
        if (!awaitFlow(this)) {
          close();
          return;
        }
        Socket up = new Socket();
        up.setTcpNoDelay(true);
        up.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
        upstream = up;
        if (this.closed) {
          close();
          return;
        }
        thread("down", () -> pump(up, client, null));
        pump(client, up, first);
      } catch (IOException e) {
        close();
      }
    }

    /** Reads the first event-bus frame whole and learns its sender (the frame is forwarded later). */
    private byte[] firstFrame(InputStream in) throws IOException {
      DataInputStream data = new DataInputStream(in);
      int length = data.readInt();
      if (length < 0 || length > MAX_FIRST_FRAME) {
        throw new IOException("not an event-bus frame");
      }
      byte[] frame = new byte[4 + length];
      frame[0] = (byte) (length >>> 24);
      frame[1] = (byte) (length >>> 16);
      frame[2] = (byte) (length >>> 8);
      frame[3] = (byte) length;
      data.readFully(frame, 4, length);
      sender = senderOf(frame);
      return frame;
    }

    void pump(Socket from, Socket to, byte[] first) {
      byte[] buf = new byte[CHUNK];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        if (first != null) {
          if (!awaitFlow(this)) return;
          out.write(first);
          out.flush();
        }
        while (true) {
          int n = in.read(buf);
          if (n < 0) break;
          if (!awaitFlow(this)) break;
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (SocketException e) {
        // closed
      } catch (IOException e) {
        // peer gone
      } finally {
        close();
      }
    }

    void close() {
      closed = true;
      quietly(client);
      quietly(upstream);
      links.remove(this);
    }
  }

  /**
   * The sender node id of a Vert.x 5 clustered event-bus frame: int length, byte protocol version, byte
   * codec id (-1: then the codec name), byte send/publish, address, reply address (length 0 when none),
   * sender; strings as int length + UTF-8 bytes.
   */
  static String senderOf(byte[] frame) {
    int[] pos = {4};
    try {
      pos[0]++; // protocol version
      byte codec = frame[pos[0]++];
      if (codec == -1) {
        skipString(frame, pos);
      }
      pos[0]++; // send or publish
      skipString(frame, pos); // address
      skipString(frame, pos); // reply address
      int len = readInt(frame, pos[0]);
      return new String(frame, pos[0] + 4, len, StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static void skipString(byte[] frame, int[] pos) {
    int len = readInt(frame, pos[0]);
    pos[0] += 4 + len;
  }

  private static int readInt(byte[] b, int at) {
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
  }
}
