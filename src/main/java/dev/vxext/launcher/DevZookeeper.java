package dev.vxext.launcher;

import dev.vxext.config.JsonFields;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A ZooKeeper for development, from the jar alone: {@code java -jar ...-fat.jar zookeeper [--port 2181]
 * [--dir <dataDir>]}. One standalone server of ZooKeeper's own classes (the version vertx-zookeeper uses),
 * listening on 127.0.0.1 only. It says loudly that it is for development: a single server has no
 * replication and no failover, and by default its data lives in a new temporary directory deleted at exit.
 * Production needs a ZooKeeper ensemble.
 * <p>
 * Prints {@code vxext: development ZooKeeper listening on 127.0.0.1:<port>} when it serves, and stops on
 * SIGTERM or Ctrl-C. A bad argument or a busy port is one line on stderr and exit code 2.
 */
final class DevZookeeper {

  /** The first argument that selects it. */
  static final String COMMAND = "zookeeper";
  static final int DEFAULT_PORT = 2181;
  private static final int TICK_TIME = 2_000;
  private static final int MAX_CLIENT_CONNECTIONS = 1_000;
  /** Classes ZooKeeper's server needs that its pom declares "provided" (vertx-zookeeper does not bring them). */
  private static final List<Map.Entry<String, String>> SERVER_DEPENDENCIES = List.of(
    Map.entry("com.codahale.metrics.Reservoir", "io.dropwizard.metrics:metrics-core"),
    Map.entry("org.xerial.snappy.SnappyInputStream", "org.xerial.snappy:snappy-java"));
  private static final List<String> OPTIONS = List.of("--port", "--dir", "--help");

  private static final Logger log = LoggerFactory.getLogger(DevZookeeper.class);

  private DevZookeeper() {
  }

  /** The arguments: the port (0 for any free one) and the data directory (null for a temporary one). */
  record Args(int port, Path dir) {

    /** @throws IllegalArgumentException with a one-line explanation */
    static Args parse(String[] args) {
      int port = DEFAULT_PORT;
      Path dir = null;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        String option = "--" + a.replaceFirst("^--?", "").replaceFirst("=.*$", "");
        String value = null;
        if (OPTIONS.contains(option) && !option.equals("--help")) {
          if (a.contains("=")) {
            value = a.substring(a.indexOf('=') + 1);
          } else if (i + 1 < args.length) {
            value = args[++i];
          } else {
            throw new IllegalArgumentException(COMMAND + " " + option + " needs a value");
          }
        }
        switch (option) {
          case "--port" -> port = port(value);
          case "--dir" -> dir = Path.of(value);
          default -> {
            String near = JsonFields.nearest(a, OPTIONS);
            throw new IllegalArgumentException(COMMAND + ": unknown " + (a.startsWith("-") ? "option" : "argument") + " '" + a + "'"
              + (near != null ? " — did you mean '" + near + "'?" : " (" + COMMAND + " --help lists the options)"));
          }
        }
      }
      return new Args(port, dir);
    }

    private static int port(String value) {
      try {
        int p = Integer.parseInt(value.trim());
        if (p >= 0 && p <= 65_535) return p;
      } catch (NumberFormatException e) {
        // below
      }
      throw new IllegalArgumentException(COMMAND + " --port: '" + value + "' is not a port (0 to 65535; 0 picks a free one)");
    }
  }

  /**
   * Runs the server until the JVM stops (SIGTERM, Ctrl-C).
   *
   * @return 0 once stopped or after the help; 2 for a bad argument or a busy port, 1 when the server cannot
   *   run (one line on stderr starting with {@code vxext:})
   */
  static int run(String[] arguments) {
    if (Stream.of(arguments).anyMatch(a -> a.equals("-h") || a.equals("-help") || a.equals("--help"))) {
      LauncherHelp.printZookeeperHelp(System.out);
      return 0;
    }
    Args args;
    try {
      args = Args.parse(arguments);
    } catch (IllegalArgumentException e) {
      System.err.println("vxext: " + e.getMessage());
      return 2;
    }
    List<String> missing = missingDependencies();
    if (!missing.isEmpty()) {
      System.err.println("vxext: the development ZooKeeper needs " + String.join(" and ", missing) + " on the class path"
        + " (ZooKeeper's server declares " + (missing.size() == 1 ? "it" : "them") + " 'provided'); this jar was built without "
        + (missing.size() == 1 ? "it" : "them"));
      return 1;
    }
    InetAddress loopback = InetAddress.getLoopbackAddress();
    ServerCnxnFactory factory;
    try {
      factory = ServerCnxnFactory.createFactory(new InetSocketAddress(loopback, args.port()), MAX_CLIENT_CONNECTIONS);
    } catch (BindException e) {
      System.err.println("vxext: port " + args.port() + " on " + loopback.getHostAddress() + " is in use (another"
        + " ZooKeeper?); choose another with --port");
      return 2;
    } catch (IOException e) {
      System.err.println("vxext: the development ZooKeeper cannot listen on " + loopback.getHostAddress() + ":" + args.port() + ": " + e);
      return 2;
    }
    boolean temporary = args.dir() == null;
    Path dir;
    try {
      dir = temporary ? Files.createTempDirectory("vxext-zookeeper-") : Files.createDirectories(args.dir());
    } catch (IOException e) {
      factory.shutdown();
      System.err.println("vxext: " + COMMAND + " --dir: cannot create " + args.dir() + ": " + e.getMessage());
      return 2;
    }
    return serve(factory, dir, temporary);
  }

  private static int serve(ServerCnxnFactory factory, Path dir, boolean temporary) {
    String address = "127.0.0.1:" + factory.getLocalPort();
    log.warn("==== a ZooKeeper for development only, on {} ====", address);
    log.warn("a single server: no replication, no failover; its data in {} is {}", dir,
      temporary ? "deleted at exit" : "kept (--dir)");
    log.warn("production needs a ZooKeeper ensemble (3 or 5 servers on separate machines):"
      + " https://zookeeper.apache.org/doc/r3.7.2/zookeeperAdmin.html");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      factory.shutdown(); // and its server
      if (temporary) delete(dir);
      System.out.println("vxext: development ZooKeeper on " + address + " stopped");
      stopped.countDown();
    }, "vxext-zookeeper-stop"));
    try {
      factory.startup(new ZooKeeperServer(dir.toFile(), dir.toFile(), TICK_TIME));
      System.out.println("vxext: development ZooKeeper listening on " + address);
      factory.join();
      // stopped by the shutdown hook (SIGTERM, Ctrl-C), or else by itself: then the exit runs the hook
      return stopped.await(30, TimeUnit.SECONDS) ? 0 : 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (IOException | RuntimeException e) {
      System.err.println("vxext: the development ZooKeeper could not start: " + e);
      return 1;
    }
  }

  /** @return the missing server dependencies, as Maven coordinates */
  private static List<String> missingDependencies() {
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, String> dependency : SERVER_DEPENDENCIES) {
      try {
        Class.forName(dependency.getKey(), false, DevZookeeper.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        missing.add(dependency.getValue());
      }
    }
    return missing;
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      System.err.println("vxext: could not delete " + dir + ": " + e.getMessage());
    }
  }
}
