package dev.vxext;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.vxext.cron.CronJob;
import dev.vxext.cron.CronJobInfo;
import dev.vxext.cron.CronScope;
import dev.vxext.daemon.Launcher;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.EchoProcess;
import dev.vxext.testing.HazelcastSetup;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Embedded mode: an application builds its own clustered Vert.x (its cluster manager, vertx-zookeeper or
 * Hazelcast, not wrapped) and runs a node on it with {@link ClusterNode#deploy}. The whole Java API works
 * across two such nodes; the extensions run once per Vert.x; closing a node leaves the application's
 * Vert.x in the cluster, and the other node drops it at once.
 */
class EmbeddedModeTest {

  static {
    HazelcastSetup.quietAndQuick();
  }

  private static final Duration CONVERGE = Duration.ofSeconds(20);

  private final List<Vertx> vertxes = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (Vertx v : vertxes) {
      try {
        await(v.close());
      } catch (RuntimeException e) {
        // closed by the test
      }
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"zookeeper", "hazelcast"})
  void theWholeApiWorksOnVertxInstancesTheApplicationBuilt(String manager) throws Exception {
    String cluster = "vxext-embedded-" + manager + "-" + ProcessHandle.current().pid();
    Supplier<ClusterManager> managers = manager.equals("zookeeper") ? zookeeper(cluster) : hazelcast(cluster);
    Vertx va = clusteredVertx(managers.get());
    Vertx vb = clusteredVertx(managers.get());

    // the second Vert.x joined before the extensions run on it: the first node learns of it when they start
    ClusterNode a = await(ClusterNode.deploy(va, options("emb-a")));
    ClusterNode b = await(ClusterNode.deploy(vb, options("emb-b")));
    Awaits.until(CONVERGE, () -> a.addressBook().availableNodes().size() == 2 && b.addressBook().availableNodes().size() == 2);
    assertThat(ClusterNode.of(va)).contains(a);
    assertThat(ClusterNode.of(vb)).contains(b);

    // register, locate, call, send
    ProcessId echo = await(b.register("emb-echo", EchoProcess::new, new DeploymentOptions()));
    assertThat(echo.node()).isEqualTo("emb-b");
    Awaits.until(CONVERGE, () -> "emb-b".equals(ClusterFixture.locate(a, "emb-echo").orElse(null)));
    Message<JsonObject> reply = await(a.call("emb-echo", "hello"));
    assertThat(reply.body().getString("echo")).isEqualTo("hello");
    await(a.send("emb-echo", "sent-" + manager));
    Awaits.until(Duration.ofSeconds(5), () -> EchoProcess.RECEIVED.contains("emb-echo:sent-" + manager));

    // spawn on the node the placement picks among the two, found from both; awaitExit once it is undeployed
    ProcessId spawned = await(a.spawner("worker").spawnRegister("emb-spawned", new JsonObject().put("k", 1)));
    assertThat(spawned.node()).isIn("emb-a", "emb-b");
    Awaits.until(CONVERGE, () -> spawned.node().equals(ClusterFixture.locate(b, "emb-spawned").orElse(null)));
    assertThat(await(b.<JsonObject>call("emb-spawned", "ping")).body().getString("from")).isEqualTo("emb-spawned");
    var exit = b.awaitExit(spawned);
    assertThat(exit.isComplete()).isFalse();
    Vertx host = spawned.node().equals("emb-a") ? va : vb;
    await(host.undeploy(spawned.deploymentId()));
    await(exit);

    // cron: the cluster job has one owner, the same seen from both nodes
    Awaits.until(CONVERGE, () -> {
      CronJobInfo fromA = job(await(a.cronJobs()));
      CronJobInfo fromB = job(await(b.cronJobs()));
      return fromA != null && fromB != null && fromA.owner() != null && fromA.owner().equals(fromB.owner());
    });
    assertThat(job(await(a.cronJobs())).owner()).isIn("emb-a", "emb-b");
    assertThat(a.isLeader() ^ b.isLeader()).as("exactly one leader").isTrue();

    // the extensions run once per Vert.x: a second deployment is refused and the first is untouched
    Throwable twice = awaitFailure(ClusterNode.deploy(va, options("emb-a2")));
    assertThat(twice).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) twice).failureCode()).isEqualTo(409);
    assertThat(twice.getMessage()).contains("already run");
    Throwable verticle = awaitFailure(va.deployVerticle(new ExtensionsVerticle(options("emb-a3"))));
    assertThat(((ReplyException) verticle).failureCode()).isEqualTo(409);
    assertThat(ClusterNode.of(va)).contains(a);
    assertThat(await(a.locate("emb-echo"))).isEqualTo("emb-b");

    // close leaves the application's Vert.x running (and in the cluster); the other node drops it at once
    await(a.close());
    assertThat(ClusterNode.of(va)).isEmpty();
    assertThat(await(va.deployVerticle(new AbstractVerticle() { }))).isNotNull();
    Awaits.until(CONVERGE, () -> b.addressBook().availableNodes().size() == 1);
    Awaits.until(CONVERGE, b::isLeader);

    // and the extensions can run on it again
    ClusterNode again = await(ClusterNode.deploy(va, options("emb-a")));
    Awaits.until(CONVERGE, () -> b.addressBook().availableNodes().size() == 2 && again.addressBook().availableNodes().size() == 2);
    Awaits.until(CONVERGE, () -> "emb-b".equals(ClusterFixture.locate(again, "emb-echo").orElse(null)));
  }

  private static CronJobInfo job(List<CronJobInfo> jobs) {
    return jobs.stream().filter(j -> j.name().equals("emb-tick")).findFirst().orElse(null);
  }

  private static NodeOptions options(String name) {
    return new NodeOptions().setNodeName(name).setSyncInterval(500).setSettleDelay(300)
      .setRequestTimeout(ClusterFixture.REQUEST_TIMEOUT)
      .addLauncher("worker", Launcher.of(EchoProcess::new))
      .addCronJob(new CronJob("emb-tick", "0 0 1 1 *", "emb-ticks").setScope(CronScope.CLUSTER));
  }

  private Vertx clusteredVertx(ClusterManager cm) {
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1");
    Vertx vertx = await(Vertx.builder().with(options).withClusterManager(cm).buildClustered());
    vertxes.add(vertx);
    return vertx;
  }

  private static Supplier<ClusterManager> zookeeper(String rootPath) {
    JsonObject config = new JsonObject().put("zookeeperHosts", ClusterFixture.zookeeper().getConnectString())
      .put("rootPath", rootPath).put("sessionTimeout", (int) ClusterFixture.SESSION_TIMEOUT);
    return () -> new ZookeeperClusterManager(config);
  }

  /** Hazelcast configured the way its documentation shows: the default config, a TCP-IP join on loopback. */
  private static Supplier<ClusterManager> hazelcast(String clusterName) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    int base = port;
    return () -> {
      Config config = ConfigUtil.loadConfig();
      config.setClusterName(clusterName);
      config.setProperty("hazelcast.phone.home.enabled", "false");
      config.getNetworkConfig().setPort(base).setPortAutoIncrement(true).getInterfaces().setEnabled(true).addInterface("127.0.0.1");
      JoinConfig join = config.getNetworkConfig().getJoin();
      join.getMulticastConfig().setEnabled(false);
      join.getAutoDetectionConfig().setEnabled(false);
      join.getTcpIpConfig().setEnabled(true).setMembers(List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1), "127.0.0.1:" + (base + 2)));
      return new HazelcastClusterManager(config);
    };
  }
}
