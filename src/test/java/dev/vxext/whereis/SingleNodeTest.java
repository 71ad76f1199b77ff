package dev.vxext.whereis;

import dev.vxext.ClusterNode;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.EchoProcess;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * With no ZooKeeper hosts a node runs alone, and everything works on it.
 */
class SingleNodeTest {

  private ClusterFixture fixture;
  private ClusterNode node;

  @BeforeEach
  void start() {
    fixture = ClusterFixture.single();
    node = fixture.start("alone");
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void theNodeIsItsOwnCluster() {
    assertThat(node.addressBook().availableNodes()).extracting("name").containsExactly("alone");
    assertThat(node.addressBook().pickNode("anything")).isEqualTo("alone");
    assertThat(node.addressBook().owners("anything")).containsExactly("alone");
  }

  @Test
  void registerLocateCallSend() {
    ProcessId p = await(node.register("worker.A", EchoProcess::new, new DeploymentOptions()));
    assertThat(await(node.locate("worker.A"))).isEqualTo("alone");
    assertThat(await(node.lookup("worker.A"))).isEqualTo(p);
    assertThat(node.addressBook().locateLocal("worker.A")).contains(p);
    JsonObject reply = await(node.<JsonObject>call("worker.A", new JsonObject().put("q", 1))).body();
    assertThat(reply.getJsonObject("echo").getInteger("q")).isEqualTo(1);
    EchoProcess.RECEIVED.clear();
    await(node.send("worker.A", "s"));
    Awaits.until(Duration.ofSeconds(5), () -> EchoProcess.RECEIVED.contains("worker.A:s"));
    Throwable failed = awaitFailure(node.call("worker.A", new JsonObject().put("fail", 503)));
    assertThat(((ReplyException) failed).failureCode()).isEqualTo(503);
    assertThat(((ReplyException) awaitFailure(node.locate("nobody"))).failureCode()).isEqualTo(WhereIs.NOT_FOUND);
  }

  @Test
  void fiftyRegisteredTwentyFiveRemoved() {
    List<ProcessId> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(await(node.register("p" + i, EchoProcess::new, new DeploymentOptions())));
    }
    for (int i = 0; i < 50; i += 2) {
      await(node.vertx().undeploy(all.get(i).deploymentId()));
    }
    Awaits.until(Duration.ofSeconds(5), () -> node.addressBook().localProcesses().size() == 25);
    for (int i = 0; i < 50; i++) {
      boolean alive = i % 2 == 1;
      String name = "p" + i;
      if (alive) {
        assertThat(await(node.locate(name))).isEqualTo("alone");
      } else {
        assertThat(((ReplyException) awaitFailure(node.locate(name))).failureCode()).isEqualTo(WhereIs.NOT_FOUND);
      }
    }
  }

  @Test
  void restartKeepsTheName() {
    ProcessId first = await(node.register("phoenix", EchoProcess::new, new DeploymentOptions()));
    await(node.vertx().undeploy(first.deploymentId()));
    ProcessId second = await(node.register("phoenix", EchoProcess::new, new DeploymentOptions()));
    assertThat(await(node.lookup("phoenix"))).isEqualTo(second);
  }

  @Test
  void closeTwiceIsFine() {
    await(node.close());
    await(node.close());
    assertThat(((ReplyException) awaitFailure(node.call("x", "y"))).failureCode()).isEqualTo(WhereIs.NOT_READY);
  }
}
