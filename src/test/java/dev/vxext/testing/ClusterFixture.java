package dev.vxext.testing;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.cluster.impl.FanOutClusterManager;
import io.vertx.core.Future;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.ZooKeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded ZooKeeper server per test JVM, and per fixture a fresh root path with N named nodes.
 * Close it in {@code @AfterEach}/{@code @AfterAll}; every node it started is closed.
 */
public final class ClusterFixture implements AutoCloseable {

  /** Timings used by the tests: short, so failover and anti-entropy happen within a test. */
  public static final long SYNC_INTERVAL = 500;
  public static final long SESSION_TIMEOUT = 4_000;
  public static final long REQUEST_TIMEOUT = 3_000;

  private static final AtomicInteger ROOTS = new AtomicInteger();
  private static TestingServer server;

  private final boolean clustered;
  private final TestingServer own;
  private final String rootPath;
  private final Map<String, ClusterNode> nodes = new LinkedHashMap<>();

  private ClusterFixture(boolean clustered, TestingServer own) {
    this.clustered = clustered;
    this.own = own;
    this.rootPath = "vxext-test-" + ProcessHandle.current().pid() + "-" + ROOTS.incrementAndGet();
  }

  /** @return a fixture whose nodes form a cluster on the shared embedded ZooKeeper */
  public static ClusterFixture clustered() {
    zookeeper();
    return new ClusterFixture(true, null);
  }

  /**
   * @return a fixture whose nodes form a cluster on {@code server}, a ZooKeeper of the test's own (one it
   *   may stop and restart without disturbing the other tests)
   */
  public static ClusterFixture clustered(TestingServer server) {
    return new ClusterFixture(true, server);
  }

  /** @return a fixture whose nodes each run alone (no cluster manager) */
  public static ClusterFixture single() {
    return new ClusterFixture(false, null);
  }

  /** @return the shared embedded ZooKeeper server, started on first use */
  public static synchronized TestingServer zookeeper() {
    if (server == null) {
      try {
        server = new TestingServer(true);
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the embedded ZooKeeper", e);
      }
      TestingServer s = server;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          s.close();
        } catch (Exception ignored) {
          // exiting anyway
        }
      }));
    }
    return server;
  }

  /** @return options for a node of this fixture */
  public NodeOptions options(String name) {
    NodeOptions o = new NodeOptions().setNodeName(name).setSyncInterval(SYNC_INTERVAL)
      .setSessionTimeout(SESSION_TIMEOUT).setRequestTimeout(REQUEST_TIMEOUT);
    if (clustered) {
      o.setZookeeperHosts(zookeeperConnectString()).setZookeeperRootPath(rootPath);
    }
    return o;
  }

  /** @return the connect string of this fixture's ZooKeeper */
  public String zookeeperConnectString() {
    return (own != null ? own : zookeeper()).getConnectString();
  }

  /** Starts a node with {@link #options(String)}. */
  public ClusterNode start(String name) {
    return start(options(name));
  }

  /** Starts a node with the given options. */
  public ClusterNode start(NodeOptions options) {
    ClusterNode node = await(ClusterNode.start(options));
    nodes.put(options.getNodeName(), node);
    return node;
  }

  /** Starts {@code names} one after the other and waits until each sees all of them. */
  public List<ClusterNode> startAll(String... names) {
    List<ClusterNode> list = new ArrayList<>();
    for (String n : names) {
      list.add(start(n));
    }
    if (clustered) {
      Awaits.until(Duration.ofSeconds(15), () -> list.stream().allMatch(n -> n.addressBook().availableNodes().size() == nodes.size()));
    }
    return list;
  }

  /** @return the started node named {@code name} */
  public ClusterNode node(String name) {
    return nodes.get(name);
  }

  /** @return every node still running, in start order */
  public List<ClusterNode> nodes() {
    return new ArrayList<>(nodes.values());
  }

  /** Closes one node. */
  public void close(String name) {
    ClusterNode n = nodes.remove(name);
    if (n != null) {
      await(n.close());
    }
  }

  /**
   * Expires the ZooKeeper session of a node on the server side (its ephemeral znodes vanish at once, as
   * after a real session timeout); the node's client then reconnects with a new session.
   */
  public void expireSession(String name) throws Exception {
    ZookeeperClusterManager zk = (ZookeeperClusterManager) ((FanOutClusterManager)
      ((VertxInternal) node(name).vertx()).clusterManager()).delegate();
    ZooKeeper client = zk.getCuratorFramework().getZookeeperClient().getZooKeeper();
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper twin = new ZooKeeper(zookeeperConnectString(), (int) SESSION_TIMEOUT, e -> {
      if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) connected.countDown();
    }, client.getSessionId(), client.getSessionPasswd());
    try {
      if (!connected.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("could not attach to the session of " + name);
      }
    } finally {
      twin.close();
    }
  }

  @Override
  public void close() {
    List<Future<Void>> closing = new ArrayList<>();
    nodes.values().forEach(n -> closing.add(n.close()));
    nodes.clear();
    await(Future.join(closing));
  }

  /** @return the node {@code from} locates {@code name} on, or empty on a 404 */
  public static java.util.Optional<String> locate(ClusterNode from, String name) {
    try {
      return java.util.Optional.of(await(from.locate(name)));
    } catch (io.vertx.core.eventbus.ReplyException e) {
      if (e.failureCode() == dev.vxext.whereis.WhereIs.NOT_FOUND) return java.util.Optional.empty();
      throw e;
    }
  }

  /** Polls until every running node of this fixture locates {@code name} on {@code node}. */
  public void awaitLocatedEverywhere(String name, String node, Duration atMost) {
    Awaits.until(atMost, () -> nodes().stream().allMatch(n -> locate(n, name).equals(java.util.Optional.of(node))));
  }

  /** Blocks the test thread for a future, at most 30 s. */
  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) throw (RuntimeException) cause;
      throw new IllegalStateException(cause);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Blocks for a future expected to fail, and returns its failure. */
  public static Throwable awaitFailure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    throw new AssertionError("expected a failure, got success");
  }
}
