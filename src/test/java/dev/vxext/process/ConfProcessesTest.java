package dev.vxext.process;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.testing.ClusterFixture;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Processes declared in the node options ({@code processes}) are registered when the node starts. */
class ConfProcessesTest {

  /** Replies with its name, its config and the body. */
  public static class ConfigEcho extends ProcessVerticle {
    @Override
    protected void handle(Message<Object> message) {
      message.reply(new JsonObject().put("from", name()).put("config", config()).put("body", message.body()));
    }
  }

  /** A verticle whose start fails. */
  public static class FailingStart extends VerticleBase {
    @Override
    public Future<?> start() {
      return Future.failedFuture("no database here");
    }
  }

  @Test
  void aProcessDeclaredInTheOptionsIsLocatableAndCallableFromAnotherNode() {
    try (ClusterFixture cluster = ClusterFixture.clustered()) {
      JsonObject conf = cluster.options("node-1").toJson().put("processes", new JsonArray().add(new JsonObject()
        .put("name", "greeter").put("verticle", ConfigEcho.class.getName()).put("config", new JsonObject().put("greeting", "hello"))));
      ClusterNode one = cluster.start(new NodeOptions(conf));
      // registered once the node has started
      assertThat(one.addressBook().localProcesses()).extracting(ProcessId::name).contains("greeter");
      ClusterNode two = cluster.start("node-2");
      cluster.awaitLocatedEverywhere("greeter", "node-1", Duration.ofSeconds(15));
      JsonObject reply = await(two.<JsonObject>call("greeter", "hi")).body();
      assertThat(reply.getString("from")).isEqualTo("greeter");
      assertThat(reply.getJsonObject("config")).isEqualTo(new JsonObject().put("greeting", "hello"));
      assertThat(reply.getString("body")).isEqualTo("hi");
      assertThat(await(two.locate("greeter"))).isEqualTo("node-1");
    }
  }

  @Test
  void aProcessThatCannotBeRegisteredFailsTheStartNamingIt() {
    try (ClusterFixture single = ClusterFixture.single()) {
      NodeOptions o = single.options("alone").addProcess(new ProcessOptions("billing", FailingStart.class.getName()));
      assertThatThrownBy(() -> single.start(o)).hasMessageContaining("process 'billing'").hasMessageContaining("no database here");
      assertThat(single.nodes()).isEmpty();
    }
  }
}
