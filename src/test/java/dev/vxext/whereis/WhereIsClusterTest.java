package dev.vxext.whereis;

import dev.vxext.ClusterNode;
import dev.vxext.cluster.MembershipEvent;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.EchoProcess;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * whereis on 3 real clustered nodes and an embedded ZooKeeper.
 */
class WhereIsClusterTest {

  private static final Duration CONVERGE = Duration.ofSeconds(5);

  private ClusterFixture cluster;
  private ClusterNode a;
  private ClusterNode b;
  private ClusterNode c;

  @BeforeEach
  void start() {
    cluster = ClusterFixture.clustered();
    List<ClusterNode> nodes = cluster.startAll("node-a", "node-b", "node-c");
    a = nodes.get(0);
    b = nodes.get(1);
    c = nodes.get(2);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private ProcessId register(ClusterNode node, String name) {
    return await(node.register(name, EchoProcess::new, new DeploymentOptions()));
  }

  private Optional<String> locate(ClusterNode from, String name) {
    return ClusterFixture.locate(from, name);
  }

  private void awaitLocatedEverywhere(String name, String node) {
    cluster.awaitLocatedEverywhere(name, node, CONVERGE);
  }

  private void awaitGoneEverywhere(String name) {
    Awaits.until(CONVERGE, () -> cluster.nodes().stream().allMatch(n -> locate(n, name).isEmpty()));
  }

  @Test
  void everyNodeLocatesEveryName() {
    Map<String, String> expected = new ConcurrentHashMap<>();
    for (ClusterNode n : List.of(a, b, c)) {
      for (int i = 0; i < 5; i++) {
        String name = "p-" + n.name() + "-" + i;
        ProcessId pid = register(n, name);
        assertThat(pid.node()).isEqualTo(n.name());
        assertThat(pid.name()).isEqualTo(name);
        expected.put(name, n.name());
      }
    }
    expected.forEach(this::awaitLocatedEverywhere);
    ProcessId looked = await(a.lookup("p-node-b-3"));
    assertThat(looked.node()).isEqualTo("node-b");
    assertThat(looked.deploymentId()).isNotBlank();
  }

  @Test
  void callAndSendReachTheProcessOnAnotherNode() {
    register(b, "echo");
    awaitLocatedEverywhere("echo", "node-b");
    Message<JsonObject> reply = await(a.call("echo", new JsonObject().put("x", 1)));
    assertThat(reply.body().getString("from")).isEqualTo("echo");
    assertThat(reply.body().getJsonObject("echo").getInteger("x")).isEqualTo(1);
    Message<JsonObject> local = await(b.call("echo", "hello"));
    assertThat(local.body().getString("echo")).isEqualTo("hello");

    Throwable failed = awaitFailure(c.call("echo", new JsonObject().put("fail", 418)));
    assertThat(failed).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) failed).failureCode()).isEqualTo(418);

    EchoProcess.RECEIVED.clear();
    await(c.send("echo", "fire-and-forget"));
    Awaits.until(CONVERGE, () -> EchoProcess.RECEIVED.contains("echo:fire-and-forget"));

    Throwable missing = awaitFailure(a.call("nobody", "x"));
    assertThat(((ReplyException) missing).failureCode()).isEqualTo(WhereIs.NOT_FOUND);
    Throwable missingSend = awaitFailure(a.send("nobody", "x"));
    assertThat(((ReplyException) missingSend).failureCode()).isEqualTo(WhereIs.NOT_FOUND);
  }

  @Test
  void callFollowsAProcessThatMoved() {
    ProcessId first = register(b, "mover");
    awaitLocatedEverywhere("mover", "node-b");
    assertThat(await(a.<JsonObject>call("mover", "1")).body().getString("from")).isEqualTo("mover");
    await(b.vertx().undeploy(first.deploymentId()));
    register(c, "mover");
    awaitLocatedEverywhere("mover", "node-c");
    // a's route cache still says node-b: node-b answers "not here" and a locates again
    assertThat(await(a.<JsonObject>call("mover", "2")).body().getString("echo")).isEqualTo("2");
  }

  @Test
  void closedNodeNamesVanishAndItsRingSlotsMove() {
    List<String> onC = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      onC.add(register(c, "c-proc-" + i).name());
    }
    register(a, "a-proc");
    onC.forEach(n -> awaitLocatedEverywhere(n, "node-c"));
    cluster.close("node-c");
    Awaits.until(CONVERGE, () -> a.addressBook().availableNodes().size() == 2 && b.addressBook().availableNodes().size() == 2);
    onC.forEach(this::awaitGoneEverywhere);
    for (int i = 0; i < 200; i++) {
      assertThat(a.addressBook().pickNode("key-" + i)).isIn("node-a", "node-b");
      assertThat(b.addressBook().pickNode("key-" + i)).isEqualTo(a.addressBook().pickNode("key-" + i));
    }
    awaitLocatedEverywhere("a-proc", "node-a");
  }

  @Test
  void expiredSessionDropsTheNodeEverywhereUntilItComesBack() throws Exception {
    List<String> onC = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      onC.add(register(c, "c-proc-" + i).name());
    }
    onC.forEach(n -> awaitLocatedEverywhere(n, "node-c"));
    List<MembershipEvent> seen = new CopyOnWriteArrayList<>();
    for (ClusterNode n : List.of(a, b)) {
      n.vertx().eventBus().<JsonObject>localConsumer(WhereIs.MEMBERSHIP_ADDRESS, m -> seen.add(MembershipEvent.fromJson(m.body())));
    }
    cluster.expireSession("node-c");
    Awaits.until(Duration.ofSeconds(10), () -> seen.stream().filter(e -> e.type() == MembershipEvent.Type.LEFT).count() == 2);
    int dropped = 0;
    for (MembershipEvent e : seen) {
      if (e.type() == MembershipEvent.Type.LEFT) {
        assertThat(e.node()).isEqualTo("node-c");
        assertThat(e.nodes()).containsExactly("node-a", "node-b");
        dropped += e.droppedEntries();
      }
    }
    // every name of node-c has at least one of its two owners on node-a or node-b
    assertThat(dropped).isGreaterThanOrEqualTo(onC.size());
    // node-c's client reconnects with a new session: it rejoins and its names are back everywhere
    Awaits.until(Duration.ofSeconds(15), () -> a.addressBook().availableNodes().size() == 3);
    onC.forEach(n -> awaitLocatedEverywhere(n, "node-c"));
  }

  @Test
  void duplicateNamesResolveToTheOldestThenTheYounger() {
    ProcessId older = register(a, "dup");
    awaitLocatedEverywhere("dup", "node-a");
    ProcessId younger = register(b, "dup");
    assertThat(younger.startedAt()).isGreaterThanOrEqualTo(older.startedAt());
    // the younger instance is known to the owners, but every node keeps answering the older one
    Awaits.until(CONVERGE, () -> cluster.nodes().stream().allMatch(n -> {
      ProcessId p = await(n.lookup("dup"));
      return p.deploymentId().equals(older.deploymentId());
    }));
    await(a.vertx().undeploy(older.deploymentId()));
    awaitLocatedEverywhere("dup", "node-b");
  }

  @Test
  void restartWithinOneIntervalKeepsTheName() {
    ProcessId first = register(b, "phoenix");
    awaitLocatedEverywhere("phoenix", "node-b");
    await(b.vertx().undeploy(first.deploymentId()));
    ProcessId second = register(b, "phoenix");
    assertThat(second.deploymentId()).isNotEqualTo(first.deploymentId());
    Awaits.until(CONVERGE, () -> cluster.nodes().stream()
      .allMatch(n -> await(n.lookup("phoenix")).deploymentId().equals(second.deploymentId())));
    // and it stays so across anti-entropy rounds
    org.awaitility.Awaitility.await().during(Duration.ofMillis(3 * ClusterFixture.SYNC_INTERVAL))
      .atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
      .until(() -> cluster.nodes().stream().allMatch(n -> await(n.lookup("phoenix")).deploymentId().equals(second.deploymentId())));
  }

  @Test
  void fiftyRegisteredTwentyFiveRemovedLeavesExactlyTheSurvivors() {
    List<ClusterNode> nodes = List.of(a, b, c);
    List<ProcessId> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(register(nodes.get(i % 3), String.format("worker-%02d", i)));
    }
    for (int i = 0; i < 50; i += 2) {
      ProcessId p = all.get(i);
      await(cluster.node(p.node()).vertx().undeploy(p.deploymentId()));
    }
    for (int i = 0; i < 50; i++) {
      ProcessId p = all.get(i);
      if (i % 2 == 0) {
        awaitGoneEverywhere(p.name());
      } else {
        awaitLocatedEverywhere(p.name(), p.node());
      }
    }
    int survivors = 0;
    for (ClusterNode n : nodes) {
      survivors += n.addressBook().localProcesses().size();
    }
    assertThat(survivors).isEqualTo(25);
  }

  @Test
  void aJoiningNodeLearnsEverythingAndTakesItsShare() {
    for (int i = 0; i < 30; i++) {
      register(List.of(a, b, c).get(i % 3), "early-" + i);
    }
    ClusterNode d = cluster.start("node-d");
    Awaits.until(CONVERGE, () -> cluster.nodes().stream().allMatch(n -> n.addressBook().availableNodes().size() == 4));
    for (int i = 0; i < 30; i++) {
      String expected = List.of("node-a", "node-b", "node-c").get(i % 3);
      awaitLocatedEverywhere("early-" + i, expected);
    }
    // node-d owns some of the names now, and holds them in its local directory
    long owned = 0;
    for (int i = 0; i < 30; i++) {
      if (d.addressBook().owners("early-" + i).contains("node-d")) {
        owned++;
        int k = i;
        Awaits.until(CONVERGE, () -> d.addressBook().locateLocal("early-" + k).isPresent());
      }
    }
    assertThat(owned).isPositive();
  }
}
