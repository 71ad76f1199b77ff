package dev.vxext.daemon;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.addressbook.impl.HashRing;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessVerticle;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * State across a planned move: a daemon that implements {@link DaemonHandOff} hands a JSON object to its
 * successor when its node leaves gracefully; not when its node is lost (its session expires and it fences
 * itself); not when the state is larger than {@value DaemonHandOff#MAX_BYTES} bytes. Real clustered nodes on
 * the embedded ZooKeeper.
 */
class HandOffStateTest {

  private static final Duration CONVERGE = Duration.ofSeconds(30);
  private static final List<String> NODES = List.of("ho-a", "ho-b", "ho-c");

  /** Counts the calls it gets, starting from the count handed to it; hands the count off (or a huge pad). */
  public static final class Counting extends ProcessVerticle implements DaemonHandOff {
    private int count;

    @Override
    protected Future<?> onStart() {
      JsonObject handed = config().getJsonObject(DaemonHandOff.CONFIG_KEY);
      count = handed == null ? 0 : handed.getInteger("count", 0);
      return Future.succeededFuture();
    }

    @Override
    public Future<JsonObject> handOff() {
      JsonObject state = new JsonObject().put("count", count);
      if (config().getBoolean("huge", false)) {
        state.put("pad", "x".repeat(DaemonHandOff.MAX_BYTES));
      }
      return Future.succeededFuture(state);
    }

    @Override
    protected void handle(Message<Object> message) {
      count++;
      message.reply(new JsonObject().put("count", count).put("handedOff", config().containsKey(DaemonHandOff.CONFIG_KEY)));
    }
  }

  private ClusterFixture cluster;

  @BeforeEach
  void start() {
    cluster = ClusterFixture.clustered();
    for (String n : NODES) {
      cluster.start(options(n));
    }
    Awaits.until(CONVERGE, () -> cluster.nodes().stream().allMatch(n -> n.addressBook().availableNodes().size() == 3));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private NodeOptions options(String name) {
    return cluster.options(name).setSettleDelay(500).setFailoverDelay(3_000).setReconcileInterval(1_000)
      .addLauncher("counting", Launcher.of(Counting::new));
  }

  private ClusterNode leader() {
    Awaits.until(CONVERGE, () -> cluster.nodes().stream().filter(ClusterNode::isLeader).count() == 1);
    return cluster.nodes().stream().filter(ClusterNode::isLeader).findFirst().orElseThrow();
  }

  /** Spawns {@code prefix...} on a follower, calls it 5 times. @return its process id */
  private ProcessId spawnCounted(ClusterNode leader, String prefix, JsonObject args) {
    String host = NODES.stream().filter(n -> !n.equals(leader.name())).findFirst().orElseThrow();
    HashRing ring = HashRing.of(NODES);
    String name = prefix;
    for (int i = 0; !ring.locate(name).equals(host); i++) {
      name = prefix + "-" + i;
    }
    ProcessId pid = await(leader.spawner("counting").spawnRegister(name, args));
    for (int i = 0; i < 5; i++) {
      await(leader.call(name, "inc"));
    }
    return pid;
  }

  /** @return the reply of the successor of {@code old} (a call counts one more) */
  private JsonObject successor(ClusterNode from, ProcessId old) {
    Awaits.until(CONVERGE, () -> {
      try {
        ProcessId now = await(from.lookup(old.name()));
        return !now.deploymentId().equals(old.deploymentId()) && cluster.node(now.node()) != null;
      } catch (ReplyException e) {
        return false;
      }
    });
    return await(from.<JsonObject>call(old.name(), "inc")).body();
  }

  @Test
  void aGracefulLeaveHandsTheStateToTheSuccessor() {
    ClusterNode leader = leader();
    ProcessId pid = spawnCounted(leader, "ho-counter", null);
    cluster.close(pid.node());
    JsonObject reply = successor(leader, pid);
    assertThat(reply.getBoolean("handedOff")).isTrue();
    assertThat(reply.getInteger("count")).isEqualTo(6);
  }

  @Test
  void aLostNodeHandsNothingOff() throws Exception {
    ClusterNode leader = leader();
    ProcessId pid = spawnCounted(leader, "ho-crash", null);
    cluster.expireSession(pid.node());
    JsonObject reply = successor(leader, pid);
    assertThat(reply.getBoolean("handedOff")).isFalse();
    assertThat(reply.getInteger("count")).isEqualTo(1);
  }

  @Test
  void aStateAboveTheLimitIsRefusedAndTheSuccessorStartsWithout() {
    ClusterNode leader = leader();
    ProcessId pid = spawnCounted(leader, "ho-huge", new JsonObject().put("huge", true));
    cluster.close(pid.node());
    JsonObject reply = successor(leader, pid);
    assertThat(reply.getBoolean("handedOff")).isFalse();
    assertThat(reply.getInteger("count")).isEqualTo(1);
  }
}
