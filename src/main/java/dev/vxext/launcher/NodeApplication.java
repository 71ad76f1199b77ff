package dev.vxext.launcher;

import dev.vxext.ExtensionsVerticle;
import dev.vxext.NodeOptions;
import dev.vxext.impl.ClusterVertx;
import dev.vxext.impl.ZookeeperProbe;
import io.vertx.core.Deployable;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxException;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The Vert.x launcher for a node: {@code java -jar vertx-cluster-extensions-<v>-fat.jar -conf node.json}.
 * <p>
 * The {@code -conf} JSON is the {@link NodeOptions} JSON (node name, ZooKeeper hosts, launchers by
 * verticle class, cron jobs). It is read and checked before Vert.x starts: a missing or invalid
 * configuration prints one line to stderr and exits with code 2, and so does a ZooKeeper that cannot be
 * reached within {@link dev.vxext.impl.ZookeeperConfig#REACH_TIMEOUT} ms (or the session timeout, when shorter; checked
 * before Vert.x starts). A configuration with ZooKeeper hosts
 * starts a clustered node ({@code -cluster} is implied; {@code -cluster-host}/{@code -cluster-port} work
 * the Vert.x way). Environment overrides: {@code VXEXT_NODE_NAME}, {@code VXEXT_CLUSTER_MANAGER}, {@code VXEXT_ZOOKEEPER_HOSTS},
 * {@code VXEXT_CLUSTER_HOST}, {@code VXEXT_CLUSTER_PORT}, {@code VXEXT_ADMIN_PORT}, {@code VXEXT_ADMIN_TOKEN}
 * (keep the token out of the configuration file). SIGTERM closes the node gracefully: its
 * processes stop, its daemons are handed to the other nodes at once, and it leaves the cluster.
 */
public class NodeApplication extends VertxApplication implements VertxApplicationHooks {

  private volatile ExtensionsVerticle extensions;

  private final NodeOptions options;

  NodeApplication(String[] args, NodeOptions options) {
    super(args);
    this.options = options;
  }

  /**
   * Runs a node; exits with 0 on a clean stop, 2 for a bad configuration or an unreachable ZooKeeper (one
   * line on stderr starting with {@code vxext:}), the Vert.x launcher's codes otherwise.
   */
  public static void main(String[] args) {
    quietLogging();
    NodeOptions options;
    try {
      options = options(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("vxext: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (options.isClustered() && !options.isHazelcast()) {
      // before Vert.x and its cluster manager start: an unreachable ZooKeeper is one line, not 20 s of retries
      try {
        ZookeeperProbe.check(options);
      } catch (VertxException e) {
        System.err.println("vxext: " + e.getMessage());
        System.exit(2);
        return;
      }
    }
    List<String> effective = new ArrayList<>(Arrays.asList(args));
    if (options.isClustered() && !effective.contains("-cluster") && !effective.contains("--cluster") && !effective.contains("-c")) {
      effective.add(0, "-cluster");
    }
    int code = new NodeApplication(effective.toArray(new String[0]), options).launch();
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Reads the node options from the {@code -conf} argument (a file or inline JSON) and the environment.
   *
   * @throws IllegalArgumentException with a one-line explanation
   */
  static NodeOptions options(String[] args, java.util.Map<String, String> env) {
    String conf = null;
    boolean clusterFlag = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-conf") || a.equals("--conf")) {
        if (i + 1 >= args.length) throw new IllegalArgumentException("-conf needs a file name or a JSON object");
        conf = args[++i];
      } else if (a.startsWith("-conf=") || a.startsWith("--conf=")) {
        conf = a.substring(a.indexOf('=') + 1);
      } else if (a.equals("-cluster") || a.equals("--cluster") || a.equals("-c")) {
        clusterFlag = true;
      } else if (a.equals("-instances") || a.equals("--instances") || a.startsWith("-instances=") || a.startsWith("--instances=")) {
        String value = a.contains("=") ? a.substring(a.indexOf('=') + 1) : i + 1 < args.length ? args[++i] : "";
        if (!value.trim().equals("1")) {
          throw new IllegalArgumentException("-instances " + value + ": a node runs once per process (one name, one"
            + " leader election, one admin server); start one process per node, or deploy your own verticles with"
            + " more instances");
        }
      }
    }
    if (conf == null) {
      throw new IllegalArgumentException("no configuration: pass -conf <file.json> (see conf/ for examples)");
    }
    JsonObject json = ConfReader.read(conf);
    if (env.get("VXEXT_NODE_NAME") != null) json.put("nodeName", env.get("VXEXT_NODE_NAME"));
    if (env.get("VXEXT_CLUSTER_MANAGER") != null) json.put("clusterManager", env.get("VXEXT_CLUSTER_MANAGER"));
    if (env.get("VXEXT_ZOOKEEPER_HOSTS") != null) json.put("zookeeperHosts", env.get("VXEXT_ZOOKEEPER_HOSTS"));
    if (env.get("VXEXT_CLUSTER_HOST") != null) json.put("clusterHost", env.get("VXEXT_CLUSTER_HOST"));
    if (env.get("VXEXT_CLUSTER_PORT") != null) {
      try {
        json.put("clusterPort", Long.parseLong(env.get("VXEXT_CLUSTER_PORT").trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("VXEXT_CLUSTER_PORT is not a number: " + env.get("VXEXT_CLUSTER_PORT"));
      }
    }
    if (env.get("VXEXT_ADMIN_PORT") != null || env.get("VXEXT_ADMIN_TOKEN") != null) {
      JsonObject admin = json.getValue("admin") instanceof JsonObject a ? a.copy() : new JsonObject();
      if (env.get("VXEXT_ADMIN_PORT") != null) {
        try {
          admin.put("port", Long.parseLong(env.get("VXEXT_ADMIN_PORT").trim()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("VXEXT_ADMIN_PORT is not a number: " + env.get("VXEXT_ADMIN_PORT"));
        }
      }
      if (env.get("VXEXT_ADMIN_TOKEN") != null) admin.put("token", env.get("VXEXT_ADMIN_TOKEN"));
      json.put("admin", admin);
    }
    NodeOptions options = new NodeOptions(json);
    options.validate();
    if (clusterFlag && !options.isClustered()) {
      throw new IllegalArgumentException("-cluster needs \"zookeeperHosts\" (or VXEXT_ZOOKEEPER_HOSTS), or \"clusterManager\": \"hazelcast\", in the configuration");
    }
    return options;
  }

  private static void quietLogging() {
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", "info");
    setDefault("org.slf4j.simpleLogger.log.org.apache.zookeeper", "error");
    setDefault("org.slf4j.simpleLogger.log.org.apache.curator", "error");
    setDefault("org.slf4j.simpleLogger.log.io.vertx.spi.cluster.zookeeper", "warn");
    setDefault("org.slf4j.simpleLogger.log.io.netty", "warn");
    // a lost peer: Vert.x logs a stack trace per failed connection attempt; the node's own one line
    // ("node X refuses connections ...: its process is gone") says it once
    setDefault("org.slf4j.simpleLogger.log.io.vertx.core.eventbus.impl.clustered.ClusteredEventBus", "error");
    setDefault("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    setDefault("hazelcast.logging.type", "slf4j");
    setDefault("org.slf4j.simpleLogger.showDateTime", "true");
    setDefault("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) System.setProperty(key, value);
  }

  @Override
  public VertxBuilder createVertxBuilder(VertxOptions vertxOptions) {
    return ClusterVertx.builder(options, vertxOptions);
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return () -> {
      ExtensionsVerticle e = new ExtensionsVerticle(options);
      extensions = e;
      return e;
    };
  }

  /**
   * SIGTERM: the graceful leave ({@link ExtensionsVerticle#leave()}: the cron service stops first and
   * delivers the ticks it already claimed, the node announces it leaves, its daemons are handed off), then
   * Vert.x closes. Runs on the shutdown thread, not an event loop.
   */
  @Override
  public void beforeStoppingVertx(HookContext context) {
    ExtensionsVerticle e = extensions;
    if (e == null) return;
    try {
      e.leave().toCompletionStage().toCompletableFuture()
        .get(2 * options.getRequestTimeout() + 1_000, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (Exception ex) {
      System.err.println("vxext: the node did not leave cleanly: " + ex);
    }
  }

  @Override
  public void afterVerticleDeployed(HookContext context) {
    System.out.println("vxext: node " + options.getNodeName() + " started"
      + (!options.isClustered() ? " (alone)" : options.isHazelcast() ? " (Hazelcast cluster " + options.getHazelcastMembers() + ")"
        : " (cluster " + options.getZookeeperHosts() + ")"));
  }
}
