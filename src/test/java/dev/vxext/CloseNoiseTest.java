package dev.vxext;

import dev.vxext.daemon.DaemonProcess;
import dev.vxext.daemon.DaemonScanners;
import dev.vxext.daemon.Launcher;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessOptions;
import dev.vxext.process.ProcessVerticle;
import dev.vxext.protocol.Protocol;
import dev.vxext.runtime.NodeRuntime;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import dev.vxext.testing.EchoProcess;
import dev.vxext.testing.LogCapture;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node that closes tells its registry of every process that stops, before the registry stops: no notice
 * reaches its consumer while it is being unregistered (logged by Vert.x as {@code Discarding message since the
 * consumer is not registered. address: vxext.registry}), whether the node is closed through the API or the
 * way the launcher closes it on SIGTERM (the graceful leave, then Vert.x closes, undeploying every
 * deployment at once: the node's processes and the extensions).
 */
class CloseNoiseTest {

  private static final String DISCARDED = "Discarding message since the consumer is not registered";

  /** A process whose stop takes a while (it flushes something): its notice comes after the extensions' own stop. */
  public static class SlowStop extends ProcessVerticle {
    @Override
    protected void handle(Message<Object> message) {
      message.reply(new JsonObject());
    }

    @Override
    public Future<?> stop() {
      Promise<Void> flushed = Promise.promise();
      vertx.setTimer(1_000, t -> flushed.complete());
      return flushed.future();
    }
  }

  private static NodeOptions busy(ClusterFixture cluster, String name) {
    return cluster.options(name).setSettleDelay(200)
      .addLauncher("counter", Launcher.of(DaemonWorker::new).withScanner(DaemonScanners.of(List.of(
        new DaemonProcess("counter.a", new JsonObject()), new DaemonProcess("counter.b", new JsonObject())))))
      .addProcess(new ProcessOptions("greeter." + name, EchoProcess.class.getName()));
  }

  /** Starts a node outside the fixture's care (the test closes it) with daemons, a conf process and 3 processes of its own. */
  private static ClusterNode startBusy(ClusterFixture cluster, String name) {
    ClusterNode node = await(ClusterNode.start(busy(cluster, name)));
    await(node.register("orders." + name, EchoProcess::new, new DeploymentOptions()));
    await(node.register("flusher.1." + name, SlowStop::new, new DeploymentOptions()));
    await(node.register("flusher.2." + name, SlowStop::new, new DeploymentOptions()));
    Awaits.until(Duration.ofSeconds(20), () -> node.addressBook().localProcesses().size() == 6);
    return node;
  }

  /** @return the deployments whose "undeployed" notice the registry of {@code node} received */
  private static Set<String> noticesHeard(ClusterNode node) {
    Set<String> heard = ConcurrentHashMap.newKeySet();
    node.vertx().eventBus().addInboundInterceptor(ctx -> {
      if (Protocol.REGISTRY_ADDRESS.equals(ctx.message().address()) && "undeployed".equals(ctx.message().headers().get(Protocol.ACTION_HEADER))) {
        heard.add(((JsonObject) ctx.message().body()).getString("deploymentId"));
      }
      ctx.next();
    });
    return heard;
  }

  @Test
  void closingThroughTheApiTellsTheRegistryOfEveryProcess() {
    try (ClusterFixture cluster = ClusterFixture.clustered(); LogCapture log = LogCapture.start()) {
      ClusterNode one = startBusy(cluster, "node-1");
      List<String> processes = one.addressBook().localProcesses().stream().map(ProcessId::deploymentId).toList();
      Set<String> heard = noticesHeard(one);
      await(one.close());
      assertThat(heard).containsAll(processes);
      assertThat(log.linesContaining(DISCARDED)).isEmpty();
    }
  }

  @Test
  void closingLikeSigtermTellsTheRegistryOfEveryProcess() {
    try (ClusterFixture cluster = ClusterFixture.clustered(); LogCapture log = LogCapture.start()) {
      ClusterNode one = startBusy(cluster, "node-1");
      List<String> processes = one.addressBook().localProcesses().stream().map(ProcessId::deploymentId).toList();
      Set<String> heard = noticesHeard(one);
      // what the launcher does on SIGTERM: the graceful leave, then Vert.x closes (every deployment at once)
      await(NodeRuntime.of(one.vertx()).orElseThrow().leave());
      await(one.vertx().close());
      assertThat(heard).as("the processes whose stop the registry heard of").containsAll(processes);
      assertThat(log.linesContaining(DISCARDED)).isEmpty();
    }
  }
}
