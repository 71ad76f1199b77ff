package dev.vxext.impl;

import dev.vxext.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VertxException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;

import java.util.concurrent.TimeUnit;

/**
 * Checks that ZooKeeper can be reached before a clustered Vert.x is built on it. Without it, an
 * unreachable ZooKeeper cost 20 to 30 s of Curator retries and hundreds of lines of stack traces before
 * the start failed. A short-lived client connects (no authentication, nothing is read or written) and
 * is closed, whatever the outcome; no thread of it is left running.
 */
public final class ZookeeperProbe {

  private static final String THREAD_NAME = "vxext-zookeeper-probe";

  private ZookeeperProbe() {
  }

  /**
   * @return how long a node waits for ZooKeeper at start, ms: its session timeout, within
   *   {@link ZookeeperConfig#CONNECT_TIMEOUT} and {@link ZookeeperConfig#REACH_TIMEOUT}
   */
  public static long timeout(NodeOptions options) {
    return Math.max(ZookeeperConfig.CONNECT_TIMEOUT, Math.min(options.getSessionTimeout(), ZookeeperConfig.REACH_TIMEOUT));
  }

  /**
   * Connects to {@code options}' ZooKeeper hosts and disconnects. Blocks the calling thread for up to
   * {@link #timeout(NodeOptions)}: never call it on an event loop (see {@link #probe(NodeOptions)}).
   *
   * @throws VertxException (no stack trace) {@code cannot reach ZooKeeper at <hosts> (root path <root>)
   *   within <n> s; is it running?} when no connection is made in time
   */
  public static void check(NodeOptions options) {
    SimpleLoggerDefaults.quietZookeeperClientEnvironment();
    long timeout = timeout(options);
    CuratorFramework client = CuratorFrameworkFactory.builder()
      .connectString(options.getZookeeperHosts())
      .sessionTimeoutMs((int) options.getSessionTimeout())
      .connectionTimeoutMs((int) Math.min(timeout, options.getSessionTimeout()))
      .retryPolicy(new RetryOneTime(100))
      .build();
    try {
      client.start();
      if (!client.blockUntilConnected((int) timeout, TimeUnit.MILLISECONDS)) {
        throw new VertxException(unreachable(options, timeout), true);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VertxException(unreachable(options, timeout) + " (interrupted)", true);
    } finally {
      client.close();
    }
  }

  /**
   * {@link #check(NodeOptions)} on a thread of its own: the caller is not blocked.
   *
   * @return a future (bound to no context) completed when ZooKeeper was reached, failed with the
   *   {@link #check(NodeOptions)} message otherwise; its callbacks run on the probe's thread
   */
  public static Future<Void> probe(NodeOptions options) {
    Promise<Void> reached = Promise.promise();
    Thread t = new Thread(() -> {
      try {
        check(options);
        reached.complete();
      } catch (RuntimeException e) {
        reached.fail(e);
      }
    }, THREAD_NAME);
    t.setDaemon(true);
    t.start();
    return reached.future();
  }

  /** @return the one-line message of an unreachable ZooKeeper */
  static String unreachable(NodeOptions options, long timeout) {
    String within = timeout % 1000 == 0 ? timeout / 1000 + " s" : timeout + " ms";
    return "cannot reach ZooKeeper at " + options.getZookeeperHosts() + " (root path " + options.getZookeeperRootPath()
      + ") within " + within + "; is it running?";
  }
}
