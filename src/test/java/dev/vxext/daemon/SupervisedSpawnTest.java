package dev.vxext.daemon;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.addressbook.impl.HashRing;
import dev.vxext.admin.AdminOptions;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Supervised spawns survive what scanned daemons survive, with no scanner declaring them: the loss of
 * their node (here its ZooKeeper session expires under it: it fences itself and the leader places the spawn
 * again, without a hand-off; {@code fault.SpawnFailoverTest} does it with {@code kill -9} of a node JVM), a
 * leader change, and a restart of the whole cluster (the record stays in ZooKeeper while no node runs).
 * Real clustered nodes on the embedded ZooKeeper.
 */
class SupervisedSpawnTest {

  private static final Duration CONVERGE = Duration.ofSeconds(30);
  private static final List<String> NODES = List.of("ss-a", "ss-b", "ss-c");

  private ClusterFixture cluster;

  @BeforeEach
  void reset() {
    DaemonWorker.reset();
    cluster = ClusterFixture.clustered();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private NodeOptions options(String name) {
    // the expired node is alive: the failover delay lets it notice and fence itself before the leader re-places
    return cluster.options(name).setSettleDelay(1_000).setFailoverDelay(3_000).setReconcileInterval(1_000)
      .addLauncher("worker", Launcher.of(DaemonWorker::new));
  }

  private List<ClusterNode> startAll(List<String> names) {
    List<ClusterNode> nodes = names.stream().map(n -> cluster.start(options(n))).toList();
    Awaits.until(CONVERGE, () -> nodes.stream().allMatch(n -> n.addressBook().availableNodes().size() == names.size()));
    return nodes;
  }

  private ClusterNode leader() {
    Awaits.until(CONVERGE, () -> cluster.nodes().stream().filter(ClusterNode::isLeader).count() == 1
      && cluster.nodes().stream().allMatch(n -> n.leader() != null && cluster.node(n.leader()) != null && cluster.node(n.leader()).isLeader()));
    return cluster.nodes().stream().filter(ClusterNode::isLeader).findFirst().orElseThrow();
  }

  private Optional<ProcessId> lookup(ClusterNode from, String name) {
    try {
      return Optional.of(await(from.lookup(name)));
    } catch (ReplyException e) {
      return Optional.empty();
    }
  }

  /** @return a name the ring puts on {@code node} among {@code members} */
  private static String nameOn(String node, List<String> members) {
    HashRing ring = HashRing.of(members);
    for (int i = 0; ; i++) {
      if (ring.locate("spawn-" + i).equals(node)) return "spawn-" + i;
    }
  }

  /** Waits until {@code name} runs as another instance than {@code old}, on a running node, exactly once. */
  private ProcessId awaitReplaced(ClusterNode from, ProcessId old) {
    ProcessId[] now = new ProcessId[1];
    Awaits.until(CONVERGE, () -> {
      now[0] = lookup(from, old.name()).orElse(null);
      return now[0] != null && !now[0].deploymentId().equals(old.deploymentId()) && cluster.node(now[0].node()) != null
        && DaemonWorker.LIVE.get(old.name()).get() == 1;
    });
    return now[0];
  }

  @Test
  void aSpawnSurvivesALeaderChangeAndTheLossOfItsNode() throws Exception {
    startAll(NODES);
    ClusterNode first = leader();
    // spawned from the leader onto a follower: the next leader knows it only from its record
    List<String> followers = NODES.stream().filter(n -> !n.equals(first.name())).toList();
    String name = nameOn(followers.get(0), NODES);
    ProcessId pid = await(first.spawner("worker").spawnRegister(name, new JsonObject().put("x", 1)));
    assertThat(pid.node()).isEqualTo(followers.get(0));
    cluster.close(first.name());
    ClusterNode next = leader();
    assertThat(next.name()).isNotEqualTo(first.name());
    assertThat(lookup(next, name)).contains(pid);
    // its node is lost without a hand-off: the new leader places it again
    cluster.expireSession(pid.node());
    ProcessId again = awaitReplaced(next, pid);
    JsonObject reply = await(next.<JsonObject>call(name, "hi")).body();
    assertThat(reply.getJsonObject("config").getInteger("x")).isEqualTo(1);
    assertThat(again.name()).isEqualTo(name);
    assertThat(DaemonWorker.maxConcurrent()).as("the spawn ran twice at some moment").isEqualTo(1);
    assertThat(await(next.spawner("worker").list()).stream().map(SupervisedSpawn::name)).containsExactly(name);
  }

  @Test
  void closingTheVertxOfItsNodeIsNoExitEvenUnderNever() {
    ClusterNode a = cluster.start(options("ss-a").addLauncher("never", Launcher.of(DaemonWorker::new).withRestart(RestartPolicy.NEVER)));
    Awaits.until(CONVERGE, a::isLeader);
    // a node of its own (not the fixture's): its Vert.x is closed directly, as the launcher does on SIGTERM
    ClusterNode b = await(ClusterNode.start(options("ss-b").addLauncher("never", Launcher.of(DaemonWorker::new)
      .withRestart(RestartPolicy.NEVER))));
    boolean closed = false;
    try {
      Awaits.until(CONVERGE, () -> a.addressBook().availableNodes().size() == 2 && b.addressBook().availableNodes().size() == 2);
      String name = nameOn("ss-b", List.of("ss-a", "ss-b"));
      ProcessId pid = await(a.spawner("never").spawnRegister(name, null));
      assertThat(pid.node()).isEqualTo("ss-b");
      closed = true;
      await(b.vertx().close());
      ProcessId again = awaitReplaced(a, pid);
      assertThat(again.node()).isEqualTo("ss-a");
      assertThat(await(a.spawner("never").list()).stream().map(SupervisedSpawn::name)).containsExactly(name);
    } finally {
      if (!closed) await(b.close());
    }
  }

  @Test
  void aSpawnRunsAgainAfterTheWholeClusterRestarts() throws Exception {
    List<ClusterNode> nodes = startAll(NODES.subList(0, 2));
    ProcessId pid = await(nodes.get(0).spawner("worker").spawnRegister("restart-me", new JsonObject().put("y", 2)));
    cluster.close(nodes.get(1).name());
    cluster.close(nodes.get(0).name());
    assertThat(DaemonWorker.LIVE.get("restart-me")).hasValue(0);
    // new nodes (other names, one with the admin server) on the same ZooKeeper root path
    ClusterNode c = cluster.start(options("ss-c").setAdmin(new AdminOptions().setHost("127.0.0.1").setPort(0)));
    ClusterNode d = cluster.start(options("ss-d"));
    Awaits.until(CONVERGE, () -> lookup(d, "restart-me").isPresent());
    ProcessId now = await(c.lookup("restart-me"));
    assertThat(now.deploymentId()).isNotEqualTo(pid.deploymentId());
    assertThat(await(c.<JsonObject>call("restart-me", "hi")).body().getJsonObject("config").getInteger("y")).isEqualTo(2);
    // /api/daemons shows it as a supervised spawn
    HttpClient http = HttpClient.newHttpClient();
    Awaits.until(CONVERGE, () -> {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.adminPort() + "/api/daemons")).build(),
        HttpResponse.BodyHandlers.ofString());
      JsonArray daemons = new JsonObject(r.body()).getJsonArray("daemons");
      return daemons.stream().map(JsonObject.class::cast).anyMatch(j -> j.getString("name").equals("restart-me")
        && j.getBoolean("supervised", false) && "spawn".equals(j.getString("source")) && "running".equals(j.getString("state")));
    });
    // stopped, it is gone cluster-wide, and a restart does not bring it back
    var exited = d.awaitExit(now);
    await(d.spawner("worker").stop("restart-me"));
    await(exited);
    assertThat(await(c.spawner("worker").list())).isEmpty();
    cluster.close();
    cluster.start(options("ss-e"));
    ClusterNode f = cluster.start(options("ss-f"));
    Awaits.until(CONVERGE, () -> f.isLeader() || "ss-e".equals(f.leader()));
    org.awaitility.Awaitility.await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(10))
      .pollInterval(Duration.ofMillis(250)).until(() -> lookup(f, "restart-me").isEmpty());
    assertThat(DaemonWorker.maxConcurrent()).isEqualTo(1);
  }
}
