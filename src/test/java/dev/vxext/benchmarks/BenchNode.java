package dev.vxext.benchmarks;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.impl.ZookeeperConfig;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One node JVM of {@link ClusterHarness} (not a test). Usage:
 * <pre>
 * BenchNode node zk|hz nodeName zookeeperConnect rootPath hazelcastPort echo(true|false) dirCount
 * BenchNode ha nodeName zookeeperConnect rootPath sessionTimeoutMs deploy(true|false)
 * </pre>
 * {@code node}: a {@link ClusterNode} on ZooKeeper or Hazelcast (sessionTimeout 4000 ms). With echo it
 * registers the process {@code echo} ({@link Echo}) and a plain clustered consumer {@value #RAW_ADDRESS};
 * with dirCount &gt; 0 it registers {@link Echo} processes {@code dir-0000 ..} and puts each one's process
 * id JSON into the cluster-wide AsyncMap {@value #DIRECTORY_MAP} under its name.
 * <p>
 * {@code ha}: a plain Vert.x on the ZooKeeper cluster manager with HA on (quorum 1, group
 * {@value #HA_GROUP}); with deploy it deploys {@link HaBeat} with {@code setHa(true)}.
 * <p>
 * Prints {@code READY <node>} on stdout once set up; ends itself after {@value #MAX_LIFETIME_MINUTES}
 * minutes (the harness normally kills it).
 */
public final class BenchNode {

  static final String RAW_ADDRESS = "raw.echo";
  static final String DIRECTORY_MAP = "bench.directory";
  static final String HA_GROUP = "bench";
  static final String HA_BEAT_ADDRESS = "bench.ha.beat";
  static final long SESSION_TIMEOUT = 4_000;
  private static final long MAX_LIFETIME_MINUTES = 10;
  private static final long START_TIMEOUT_S = 120;

  /** This JVM's node name, for {@link HaBeat}. */
  static volatile String nodeName = "?";

  private BenchNode() {
  }

  /** Replies with the body it got: the same work as the raw consumer {@value #RAW_ADDRESS}, so call and raw compare the path only. */
  public static final class Echo extends ProcessVerticle {
    @Override
    protected void handle(Message<Object> message) {
      message.reply(message.body());
    }
  }

  /** Vert.x HA verticle: sends {@code {node, at}} to {@value #HA_BEAT_ADDRESS} every 100 ms. */
  public static final class HaBeat extends io.vertx.core.VerticleBase {
    @Override
    public Future<?> start() {
      vertx.setPeriodic(0, 100, id -> vertx.eventBus().send(HA_BEAT_ADDRESS,
        new JsonObject().put("node", nodeName).put("at", System.currentTimeMillis())));
      return Future.succeededFuture();
    }
  }

  static NodeOptions nodeOptions(String cm, String name, String zk, String root, int hazelcastPort) {
    NodeOptions o = new NodeOptions().setNodeName(name).setZookeeperRootPath(root).setSessionTimeout(SESSION_TIMEOUT)
      .setClusterHost("127.0.0.1");
    if (cm.equals("hz")) {
      o.setClusterManager(NodeOptions.HAZELCAST).setHazelcastPort(hazelcastPort);
    } else {
      o.setZookeeperHosts(zk);
    }
    return o;
  }

  /** Entry point; see the class documentation. */
  public static void main(String[] args) throws Exception {
    Thread reaper = new Thread(() -> {
      try {
        Thread.sleep(TimeUnit.MINUTES.toMillis(MAX_LIFETIME_MINUTES));
      } catch (InterruptedException ignored) {
        // exit anyway
      }
      Runtime.getRuntime().halt(3);
    }, "bench-node-lifetime");
    reaper.setDaemon(true);
    reaper.start();
    try {
      if (args[0].equals("ha")) {
        ha(args);
      } else {
        node(args);
      }
    } catch (Throwable t) {
      System.err.println("BenchNode " + String.join(" ", args) + ": failed: " + t);
      t.printStackTrace();
      System.exit(1);
    }
    System.out.println("READY " + nodeName);
    System.out.flush();
  }

  private static void node(String[] args) throws Exception {
    nodeName = args[2];
    ClusterNode node = get(ClusterNode.start(nodeOptions(args[1], args[2], args[3], args[4], Integer.parseInt(args[5]))));
    if (Boolean.parseBoolean(args[6])) {
      get(node.register("echo", Echo::new, new DeploymentOptions()));
      get(node.vertx().eventBus().consumer(RAW_ADDRESS, m -> m.reply(m.body())).completion());
    }
    int dir = Integer.parseInt(args[7]);
    if (dir > 0) {
      AsyncMap<String, JsonObject> map = get(node.vertx().sharedData().getAsyncMap(DIRECTORY_MAP));
      List<Future<?>> puts = new ArrayList<>();
      for (int i = 0; i < dir; i++) {
        ProcessId id = get(node.register(dirName(i), Echo::new, new DeploymentOptions()));
        puts.add(map.put(id.name(), id.toJson()));
      }
      get(Future.all(puts));
    }
  }

  private static void ha(String[] args) throws Exception {
    nodeName = args[1];
    NodeOptions o = new NodeOptions().setNodeName(args[1]).setZookeeperHosts(args[2]).setZookeeperRootPath(args[3])
      .setSessionTimeout(Long.parseLong(args[4]));
    VertxOptions vo = new VertxOptions().setHAEnabled(true).setQuorumSize(1).setHAGroup(HA_GROUP);
    vo.getEventBusOptions().setHost("127.0.0.1");
    VertxBuilder builder = Vertx.builder().with(vo).withClusterManager(new ZookeeperClusterManager(ZookeeperConfig.of(o)));
    Vertx vertx = get(builder.buildClustered());
    if (Boolean.parseBoolean(args[5])) {
      get(vertx.deployVerticle("java:" + HaBeat.class.getName(), new DeploymentOptions().setHa(true)));
    }
  }

  static String dirName(int i) {
    return String.format("dir-%04d", i);
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(START_TIMEOUT_S, TimeUnit.SECONDS);
  }
}
