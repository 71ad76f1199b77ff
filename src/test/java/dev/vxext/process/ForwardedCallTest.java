package dev.vxext.process;

import dev.vxext.ClusterNode;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A call forwarded to a process on another node behaves as if the caller had asked the process itself:
 * the caller's headers arrive without the routing headers, the reply's headers come back, a process that
 * does not answer gives 504, several instances of one deployment all take calls, and an undeployed
 * process is not found.
 */
class ForwardedCallTest {

  private static final Duration CONVERGE = Duration.ofSeconds(5);

  private ClusterFixture cluster;
  private ClusterNode a;
  private ClusterNode b;

  /** Replies with its headers and its deployment instance; body "silent" gets no reply. */
  public static final class HeaderProcess extends ProcessVerticle {
    @Override
    protected void handle(Message<Object> message) {
      if ("silent".equals(message.body())) {
        return;
      }
      JsonObject headers = new JsonObject();
      message.headers().forEach(h -> headers.put(h.getKey(), h.getValue()));
      message.reply(new JsonObject().put("headers", headers).put("instance", System.identityHashCode(this)),
        new DeliveryOptions().addHeader("answered-by", name()));
    }
  }

  @BeforeEach
  void start() {
    cluster = ClusterFixture.clustered();
    List<ClusterNode> nodes = cluster.startAll("fwd-a", "fwd-b");
    a = nodes.get(0);
    b = nodes.get(1);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void headersPassThroughBothWaysWithoutRoutingHeaders() {
    await(b.register("headers", HeaderProcess::new, new DeploymentOptions()));
    cluster.awaitLocatedEverywhere("headers", "fwd-b", CONVERGE);
    Message<JsonObject> reply = await(a.call("headers", "hi", new DeliveryOptions().addHeader("trace", "t-1")));
    JsonObject seen = reply.body().getJsonObject("headers");
    assertThat(seen.getString("trace")).isEqualTo("t-1");
    assertThat(seen.containsKey(WhereIs.ACTION_HEADER)).isFalse();
    assertThat(seen.containsKey(WhereIs.TO_HEADER)).isFalse();
    assertThat(seen.containsKey("timeout")).isFalse();
    assertThat(reply.headers().get("answered-by")).isEqualTo("headers");
  }

  @Test
  void aProcessThatDoesNotReplyTimesOutWith504() {
    await(b.register("quiet", HeaderProcess::new, new DeploymentOptions()));
    cluster.awaitLocatedEverywhere("quiet", "fwd-b", CONVERGE);
    Throwable t = awaitFailure(a.call("quiet", "silent", new DeliveryOptions().setSendTimeout(300)));
    assertThat(((ReplyException) t).failureCode()).isEqualTo(WhereIs.TIMEOUT);
  }

  @Test
  void everyInstanceOfADeploymentTakesCalls() {
    await(b.register("many", HeaderProcess::new, new DeploymentOptions().setInstances(2)));
    cluster.awaitLocatedEverywhere("many", "fwd-b", CONVERGE);
    Set<Integer> instances = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      instances.add(await(a.<JsonObject>call("many", "x")).body().getInteger("instance"));
    }
    assertThat(instances).hasSize(2);
  }

  @Test
  void aSingleInstanceProcessIsCalledThroughItsLane() {
    ProcessId pid = await(b.register("laned", HeaderProcess::new, new DeploymentOptions()));
    ProcessId many = await(b.register("many-lanes", HeaderProcess::new, new DeploymentOptions().setInstances(2)));
    ProcessId worker = await(b.register("worker-lane", HeaderProcess::new,
      new DeploymentOptions().setThreadingModel(io.vertx.core.ThreadingModel.WORKER)));
    assertThat(pid.lane()).isBetween(0, dev.vxext.process.impl.CallLanes.MAX_LANES - 1);
    assertThat(many.lane()).as("several instances take calls through the event bus").isEqualTo(ProcessId.NO_LANE);
    assertThat(worker.lane()).as("a worker has no event loop of its own").isEqualTo(ProcessId.NO_LANE);
    cluster.awaitLocatedEverywhere("laned", "fwd-b", CONVERGE);
    assertThat(await(a.lookup("laned"))).as("the directory carries the lane").isEqualTo(pid);

    // the lane address takes forwarded calls (what a.call sends), and only those
    DeliveryOptions call = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "call").addHeader(WhereIs.TO_HEADER, "laned");
    String lane = WhereIs.laneAddress("fwd-b", pid.lane());
    assertThat(await(a.vertx().eventBus().<JsonObject>request(lane, "hi", call)).body().containsKey("headers")).isTrue();
    Throwable refused = awaitFailure(a.vertx().eventBus().request(lane, new JsonObject().put("name", "laned"),
      new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "locate")));
    assertThat(((ReplyException) refused).failureCode()).isEqualTo(WhereIs.BAD_REQUEST);
    assertThat(refused.getMessage()).contains("only 'call' and 'send'");
    assertThat(await(a.<JsonObject>call("laned", "x")).body().containsKey("headers")).isTrue();
    assertThat(await(a.<JsonObject>call("many-lanes", "x")).body().containsKey("headers")).isTrue();
    assertThat(await(a.<JsonObject>call("worker-lane", "x")).body().containsKey("headers")).isTrue();
  }

  @Test
  void anUndeployedProcessIsNotFound() {
    ProcessId pid = await(b.register("gone", HeaderProcess::new, new DeploymentOptions()));
    cluster.awaitLocatedEverywhere("gone", "fwd-b", CONVERGE);
    assertThat(await(a.<JsonObject>call("gone", "x")).body().containsKey("headers")).isTrue();
    await(b.vertx().undeploy(pid.deploymentId()));
    Throwable t = awaitFailure(a.call("gone", "x"));
    assertThat(((ReplyException) t).failureCode()).isEqualTo(WhereIs.NOT_FOUND);
  }
}
