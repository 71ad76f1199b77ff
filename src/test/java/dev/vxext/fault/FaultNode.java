package dev.vxext.fault;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.cluster.LeaderInfo;
import dev.vxext.cluster.impl.FanOutClusterManager;
import dev.vxext.daemon.DaemonProcess;
import dev.vxext.daemon.DaemonScanners;
import dev.vxext.daemon.Launcher;
import dev.vxext.process.ProcessVerticle;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One cluster node in its own JVM, for fault tests: started by {@code DaemonFailoverTest} with
 * {@code java -cp <test classpath> dev.vxext.fault.FaultNode nodeName zookeeperConnectString rootPath
 * sessionTimeoutMs settleDelayMs daemonCount observerNodeName [failoverDelayMs] [--cluster-port=P]
 * [--public-port=Q] [--admin-port=A] [--rebalance=1]} (the failover delay is the settle delay unless given;
 * {@code --rebalance=1}: {@code rebalance: on-join}, default never). With
 * {@code --cluster-port} the event bus listens on 127.0.0.1:P; with {@code --public-port} it advertises
 * 127.0.0.1:Q ({@code clusterPublicHost/Port}: a proxy in front of P, see {@code TcpProxy}); with
 * {@code --admin-port} the admin server runs on loopback (0: any free port).
 * <p>
 * The node offers the launcher {@value #LAUNCHER}, whose scanner declares the daemons {@code fd-00} to
 * {@code fd-<count-1>}. Each daemon ({@link Worker}) answers a call with {@code {name, node}} and sends a
 * heartbeat {@code {name, node, deploymentId, at}} every {@value #HEARTBEAT_MS} ms to the process
 * {@value #MONITOR} wherever it runs (on the observer node).
 * <p>
 * Protocol on stdout: {@code LEADERSHIP <node> <true|false>} (then again on every change),
 * {@code SESSION <node> <negotiated ZooKeeper session timeout ms>}, {@code NODEID <node> <cluster node id>},
 * {@code ADMIN <node> <admin port>} (with {@code --admin-port}), then {@code READY <node>} once started.
 * Every daemon instance prints {@code UP <daemon> <deploymentId> <epoch ms>} when it starts and
 * {@code DOWN <daemon> <deploymentId> <epoch ms>} when it stops (its own clock: the lifetime of each
 * instance, known even while the node's messages cannot reach anyone).
 * <p>
 * The node is closed cleanly on stdin EOF (exit status 0) or SIGTERM (from a shutdown hook; the JVM then
 * exits with the usual 143). When the node cannot start, the JVM exits 1 after one line of its own on
 * stderr, {@code FaultNode <node>: start failed: <cause>} (the library's own WARN/ERROR log lines may
 * precede it). It also ends itself after {@value #MAX_LIFETIME_MINUTES} minutes, so an orphan never lingers.
 */
public final class FaultNode {

  /** Name of the launcher every fault node offers. */
  public static final String LAUNCHER = "worker";
  /** Name of the process that receives the heartbeats. */
  public static final String MONITOR = "monitor";
  /** Heartbeat period of a daemon. */
  public static final long HEARTBEAT_MS = 100;
  /** The CLUSTER cron job every fault node declares: every second (quartz), its ticks go to {@value #MONITOR}. */
  public static final String CRON_JOB = "fault-tick";
  /** Misfire grace of {@value #CRON_JOB}: a tick its owner missed is fired late by the next owner within it. */
  public static final long CRON_GRACE_MS = 15_000;
  /** The request timeout of every fault node (and of the observer): {@code locate}, {@code call}, {@code send}. */
  public static final long REQUEST_TIMEOUT_MS = 2_000;
  /** Prefix of the plain (non-daemon) process every fault node registers: {@code fp-<node>}, see {@link Probe}. */
  public static final String PROBE_PREFIX = "fp-";

  private static final long MAX_LIFETIME_MINUTES = 10;
  private static final long START_TIMEOUT_S = 60;
  private static final long CLOSE_TIMEOUT_S = 10;
  private static final int MAX_STDIN_READS = 1_000_000;
  private static final List<String> FLAGS = List.of("cluster-port", "public-port", "admin-port", "rebalance");

  /**
   * The node of this JVM (the only one), for the daemons. It exists before the node starts: a daemon can
   * be spawned here before {@code ClusterNode.start} completes, and it then skips heartbeats until the
   * node is known.
   */
  static final CompletableFuture<ClusterNode> NODE = new CompletableFuture<>();
  /** The name of the node of this JVM, set before it starts. */
  static volatile String nodeName;

  private FaultNode() {
  }

  /** @return the daemon names {@code fd-00 .. fd-<count-1>} */
  public static List<String> daemonNames(int count) {
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      names.add(String.format("fd-%02d", i));
    }
    return names;
  }

  /** Entry point; see the class documentation for the arguments. */
  public static void main(String[] all) {
    List<String> positional = new ArrayList<>();
    java.util.Map<String, Integer> flags = new java.util.HashMap<>();
    for (String a : all) {
      if (a.startsWith("--") && a.indexOf('=') > 2) {
        flags.put(a.substring(2, a.indexOf('=')), Integer.parseInt(a.substring(a.indexOf('=') + 1)));
      } else {
        positional.add(a);
      }
    }
    String[] args = positional.toArray(new String[0]);
    if ((args.length != 7 && args.length != 8) || !FLAGS.containsAll(flags.keySet())) {
      System.err.println("usage: FaultNode nodeName zookeeperConnectString rootPath sessionTimeoutMs settleDelayMs"
        + " daemonCount observerNodeName [failoverDelayMs, default settleDelayMs] [--cluster-port=P]"
        + " [--public-port=Q] [--admin-port=A] [--rebalance=1]");
      System.exit(2);
      return;
    }
    String name = args[0];
    nodeName = name;
    ClusterNode node;
    try {
      NodeOptions options = options(args, flags);
      node = ClusterNode.start(options).toCompletionStage().toCompletableFuture().get(START_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      System.err.println("FaultNode " + name + ": start failed: " + String.valueOf(cause.getMessage()).replace('\n', ' '));
      System.err.flush();
      System.exit(1);
      return;
    }
    NODE.complete(node);
    try {
      node.register(PROBE_PREFIX + name, () -> new Probe(node), new io.vertx.core.DeploymentOptions())
        .toCompletionStage().toCompletableFuture().get(START_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("FaultNode " + name + ": probe registration failed: " + e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> close(node), "fault-node-shutdown"));
    reportLeadership(node);
    System.out.println("SESSION " + name + " " + negotiatedSessionTimeout(node));
    System.out.println("NODEID " + name + " " + ((VertxInternal) node.vertx()).clusterManager().getNodeId());
    if (flags.containsKey("admin-port")) {
      System.out.println("ADMIN " + name + " " + node.adminPort());
    }
    System.out.println("READY " + name);
    System.out.flush();

    CountDownLatch eof = new CountDownLatch(1);
    Thread stdin = new Thread(() -> {
      drain(System.in);
      eof.countDown();
    }, "fault-node-stdin");
    stdin.setDaemon(true);
    stdin.start();
    try {
      eof.await(MAX_LIFETIME_MINUTES, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    close(node);
    System.exit(0);
  }

  private static NodeOptions options(String[] args, java.util.Map<String, Integer> flags) {
    int count = Integer.parseInt(args[5]);
    List<DaemonProcess> daemons = new ArrayList<>();
    for (String d : daemonNames(count)) {
      daemons.add(new DaemonProcess(d, new JsonObject().put("observer", args[6])));
    }
    NodeOptions options = new NodeOptions().setClusterHost("127.0.0.1");
    if (flags.containsKey("cluster-port")) {
      options.setClusterPort(flags.get("cluster-port"));
    }
    if (flags.containsKey("public-port")) {
      options.setEventBusOptions(new JsonObject().put("clusterPublicHost", "127.0.0.1")
        .put("clusterPublicPort", flags.get("public-port")));
    }
    if (flags.getOrDefault("rebalance", 0) == 1) {
      options.setRebalance(dev.vxext.daemon.Rebalance.ON_JOIN);
    }
    if (flags.containsKey("admin-port")) {
      options.setAdmin(new dev.vxext.admin.AdminOptions().setHost("127.0.0.1").setPort(flags.get("admin-port")));
    }
    return options
      .setNodeName(args[0])
      .setZookeeperHosts(args[1])
      .setZookeeperRootPath(args[2])
      .setSessionTimeout(Long.parseLong(args[3]))
      .setSettleDelay(Long.parseLong(args[4]))
      .setFailoverDelay(Long.parseLong(args.length > 7 ? args[7] : args[4]))
      .setSyncInterval(500)
      .setReconcileInterval(1_000)
      .setRequestTimeout(REQUEST_TIMEOUT_MS)
      .addLauncher(LAUNCHER, new Launcher(Worker::new, null, DaemonScanners.of(daemons)))
      .addCronJob(new dev.vxext.cron.CronJob().setName(CRON_JOB).setDialect("quartz").setSpec("* * * * * ?")
        .setZone("UTC").setTriggerProcess(MONITOR).setScope(dev.vxext.cron.CronScope.CLUSTER)
        .setMisfireGrace(CRON_GRACE_MS));
  }

  /**
   * Prints {@code LEADERSHIP <node> <true|false>} now and on every change of this node's leadership. The
   * parent learns the leader from here: a node that joins after the election is not reliably told who
   * leads ({@code ClusterNode.leader()} can stay null on it).
   */
  private static void reportLeadership(ClusterNode node) {
    MessageConsumer<JsonObject> changes = node.vertx().eventBus().localConsumer(dev.vxext.protocol.Protocol.LEADERSHIP_ADDRESS,
      m -> printLeadership(node.name(), LeaderInfo.fromJson(m.body()).self()));
    try {
      changes.completion().toCompletionStage().toCompletableFuture().get(START_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      // no change reports; the current state is still printed
    }
    printLeadership(node.name(), node.isLeader());
  }

  private static void printLeadership(String name, boolean leader) {
    System.out.println("LEADERSHIP " + name + " " + leader);
    System.out.flush();
  }

  /** Reads stdin until EOF (or an error), at most {@value #MAX_STDIN_READS} reads. */
  private static void drain(InputStream in) {
    byte[] buffer = new byte[256];
    try {
      for (int i = 0; i < MAX_STDIN_READS; i++) {
        if (in.read(buffer) < 0) {
          return;
        }
      }
    } catch (IOException e) {
      // a broken stdin counts as EOF
    }
  }

  private static void close(ClusterNode node) {
    try {
      node.close().toCompletionStage().toCompletableFuture().get(CLOSE_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      // exiting anyway; the ZooKeeper session expires on its own
    }
  }

  /** @return the session timeout the ZooKeeper server granted, or -1 when it cannot be read */
  private static long negotiatedSessionTimeout(ClusterNode node) {
    try {
      ClusterManager cm = ((VertxInternal) node.vertx()).clusterManager();
      if (cm instanceof FanOutClusterManager) {
        cm = ((FanOutClusterManager) cm).delegate();
      }
      return ((ZookeeperClusterManager) cm).getCuratorFramework().getZookeeperClient().getZooKeeper().getSessionTimeout();
    } catch (Exception | LinkageError e) {
      return -1;
    }
  }

  /**
   * The plain process {@code fp-<node>} of a fault node: a call {@code {locate: [names]}} is answered with
   * {@code {name: node}} for every name this node's address book locates (a lookup each, in parallel; the
   * unlocatable ones are absent); a call {@code {view: true}} with {@code {name, node, members, leader}} (this
 * node's membership view and the leader it knows); any other call with {@code {name, node}}.
   */
  static final class Probe extends ProcessVerticle {
    private static final int MAX_NAMES = 1_000;
    private final ClusterNode node;

    Probe(ClusterNode node) {
      this.node = node;
    }

    @Override
    protected void handle(Message<Object> message) {
      if (message.body() instanceof JsonObject body && body.getBoolean("view", false)) {
        io.vertx.core.json.JsonArray members = new io.vertx.core.json.JsonArray();
        node.addressBook().availableNodes().forEach(e -> members.add(e.name()));
        message.reply(new JsonObject().put("name", name()).put("node", nodeName).put("members", members)
          .put("leader", node.leader()));
        return;
      }
      if (!(message.body() instanceof JsonObject body) || !(body.getValue("locate") instanceof io.vertx.core.json.JsonArray names)) {
        message.reply(new JsonObject().put("name", name()).put("node", nodeName));
        return;
      }
      List<String> list = new ArrayList<>();
      for (int i = 0; i < Math.min(MAX_NAMES, names.size()); i++) {
        list.add(names.getString(i));
      }
      List<Future<dev.vxext.process.ProcessId>> lookups = new ArrayList<>();
      list.forEach(n -> lookups.add(node.lookup(n)));
      Future.join(new ArrayList<>(lookups)).onComplete(ar -> {
        JsonObject found = new JsonObject();
        for (int i = 0; i < list.size(); i++) {
          if (lookups.get(i).succeeded()) {
            found.put(list.get(i), lookups.get(i).result().node());
          }
        }
        message.reply(found);
      });
    }
  }

  /**
   * The daemon: answers calls with {@code {name, node}}; heartbeats to {@value FaultNode#MONITOR} every
   * {@value FaultNode#HEARTBEAT_MS} ms; prints its {@code UP} and {@code DOWN} lines.
   */
  public static final class Worker extends ProcessVerticle {

    private long timer = -1;

    @Override
    protected Future<?> onStart() {
      life("UP");
      beat();
      return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
      life("DOWN");
      return Future.succeededFuture();
    }

    /** Prints {@code UP|DOWN <daemon> <deploymentId> <epoch ms>} (see the class documentation). */
    private void life(String what) {
      System.out.println(what + " " + name() + " " + context.deploymentID() + " " + System.currentTimeMillis());
      System.out.flush();
    }

    /**
     * One heartbeat, then the next one {@value FaultNode#HEARTBEAT_MS} ms later: a one-shot timer each
     * time, not a periodic one, whose missed runs Vert.x fires all at once after a freeze (60 heartbeats
     * of a daemon frozen 6 s, in one burst on waking: noise that hides when fencing happened).
     */
    private void beat() {
      timer = vertx.setTimer(HEARTBEAT_MS, id -> beat());
      ClusterNode node = NODE.getNow(null);
      if (node == null) {
        return;
      }
      JsonObject beat = new JsonObject().put("name", name()).put("node", nodeName)
        .put("deploymentId", context.deploymentID()).put("at", System.currentTimeMillis());
      // failures (monitor not registered yet, observer slow) are expected: the next beat comes soon
      node.send(MONITOR, beat);
    }

    @Override
    protected void handle(Message<Object> message) {
      message.reply(new JsonObject().put("name", name()).put("node", nodeName));
    }
  }
}
