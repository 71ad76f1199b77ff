package dev.vxext.process;

import dev.vxext.ClusterNode;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.EchoProcess;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-node registry, on a node that runs alone (the registry does not depend on the cluster).
 */
class ProcessRegistrationTest {

  private ClusterFixture fixture;
  private ClusterNode node;

  /** Registers itself under the name in its config from start(). */
  public static class SelfRegistering extends VerticleBase {
    @Override
    public Future<?> start() {
      String name = config().getString("name");
      vertx.eventBus().localConsumer(name, m -> m.reply("self:" + name));
      return Processes.registerSelf(context, name);
    }
  }

  @BeforeEach
  void start() {
    fixture = ClusterFixture.single();
    node = fixture.start("solo");
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private static int code(Throwable t) {
    assertThat(t).isInstanceOf(ReplyException.class);
    return ((ReplyException) t).failureCode();
  }

  @Test
  void aTakenNameIsRefusedAndTheFirstStaysUntouched() {
    AtomicInteger deployed = new AtomicInteger();
    ProcessId first = await(node.register("unique", EchoProcess::new, new DeploymentOptions()));
    Throwable t = awaitFailure(node.register("unique", () -> {
      deployed.incrementAndGet();
      return new EchoProcess();
    }, new DeploymentOptions()));
    assertThat(code(t)).isEqualTo(WhereIs.CONFLICT);
    assertThat(t.getMessage()).contains("unique").contains("already registered");
    assertThat(deployed).hasValue(0);
    assertThat(await(node.lookup("unique"))).isEqualTo(first);
    assertThat(node.vertx().deploymentIDs()).contains(first.deploymentId());
  }

  @Test
  void invalidNamesAreRefusedAndNothingIsDeployed() {
    int before = node.vertx().deploymentIDs().size();
    for (String bad : new String[] {"", "x".repeat(129), "has space", "slash/name", "ünï"}) {
      Throwable t = awaitFailure(node.register(bad, EchoProcess::new, new DeploymentOptions()));
      assertThat(code(t)).as(bad).isEqualTo(WhereIs.BAD_REQUEST);
      assertThat(t.getMessage()).contains("invalid process name");
      assertThat(code(awaitFailure(node.locate(bad)))).isEqualTo(WhereIs.BAD_REQUEST);
      assertThat(code(awaitFailure(node.call(bad, "x")))).isEqualTo(WhereIs.BAD_REQUEST);
      assertThat(code(awaitFailure(node.send(bad, "x")))).isEqualTo(WhereIs.BAD_REQUEST);
    }
    assertThat(code(awaitFailure(node.register(null, EchoProcess::new, null)))).isEqualTo(WhereIs.BAD_REQUEST);
    assertThat(node.vertx().deploymentIDs()).hasSize(before);
    assertThat(node.addressBook().localProcesses()).isEmpty();
  }

  @Test
  void aFailingDeploymentLeavesTheNameFree() {
    Throwable t = awaitFailure(node.register("broken", () -> new VerticleBase() {
      @Override
      public Future<?> start() {
        return Future.failedFuture("boom");
      }
    }, new DeploymentOptions()));
    assertThat(t.getMessage()).contains("boom");
    assertThat(await(node.register("broken", EchoProcess::new, new DeploymentOptions())).name()).isEqualTo("broken");
    Throwable nullVerticle = awaitFailure(node.register("nothing", () -> null, new DeploymentOptions()));
    assertThat(nullVerticle.getMessage()).contains("returned null");
    assertThat(node.addressBook().locateLocal("nothing")).isEmpty();
  }

  @Test
  void undeployingAProcessAnyWayUnregistersIt() {
    ProcessId p = await(node.register("temp", EchoProcess::new, new DeploymentOptions()));
    assertThat(node.addressBook().locateLocal("temp")).contains(p);
    await(node.vertx().undeploy(p.deploymentId()));
    Awaits.until(Duration.ofSeconds(5), () -> node.addressBook().locateLocal("temp").isEmpty());
    assertThat(code(awaitFailure(node.locate("temp")))).isEqualTo(WhereIs.NOT_FOUND);
  }

  @Test
  void aVerticleRegistersItselfAndTheInspectionCatchesItsUndeployment() {
    String id = await(node.vertx().deployVerticle(new SelfRegistering(),
      new DeploymentOptions().setConfig(new JsonObject().put("name", "selfie"))));
    ProcessId p = await(node.lookup("selfie"));
    assertThat(p.deploymentId()).isEqualTo(id);
    assertThat(await(node.<String>call("selfie", "hi")).body()).isEqualTo("self:selfie");
    // a self-registered verticle is not wrapped: only the periodic inspection sees it go
    await(node.vertx().undeploy(id));
    Awaits.until(Duration.ofSeconds(10), () -> node.addressBook().locateLocal("selfie").isEmpty());
  }

  @Test
  void registeringSelfWithATakenNameFails() {
    await(node.register("taken", EchoProcess::new, new DeploymentOptions()));
    Throwable t = awaitFailure(node.vertx().deployVerticle(new SelfRegistering(),
      new DeploymentOptions().setConfig(new JsonObject().put("name", "taken"))));
    assertThat(code(t)).isEqualTo(WhereIs.CONFLICT);
  }

  @Test
  void theProcessKnowsItsName() {
    await(node.register("named", EchoProcess::new, new DeploymentOptions()));
    JsonObject reply = await(node.<JsonObject>call("named", "x")).body();
    assertThat(reply.getString("from")).isEqualTo("named");
  }
}
