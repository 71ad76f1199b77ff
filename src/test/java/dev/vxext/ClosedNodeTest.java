package dev.vxext;

import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessVerticle;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.EchoProcess;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A closed node: every method fails with 503 (a failed future, never a thrown exception, never a hang),
 * and what was pending when it closed fails with 503 too.
 */
class ClosedNodeTest {

  private ClusterFixture cluster;
  private ClusterNode a;
  private ClusterNode b;
  private ProcessId remote;

  /** A process that never replies. */
  public static final class Silent extends ProcessVerticle {
    @Override
    protected void handle(Message<Object> message) {
      // no reply, ever
    }
  }

  @BeforeEach
  void start() {
    cluster = ClusterFixture.clustered();
    a = cluster.start(cluster.options("cl-a").setRequestTimeout(60_000));
    b = cluster.start(cluster.options("cl-b").setRequestTimeout(60_000));
    Awaits.until(Duration.ofSeconds(15), () -> a.addressBook().availableNodes().size() == 2);
    remote = await(b.register("cl-echo", EchoProcess::new, new DeploymentOptions()));
    await(a.register("cl-silent", Silent::new, new DeploymentOptions()));
    Awaits.until(Duration.ofSeconds(10), () -> "cl-b".equals(await(a.locate("cl-echo"))));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  static Stream<Arguments> calls() {
    return Stream.<Arguments>of(
      Arguments.of("register", (BiFunction<ClusterNode, ProcessId, Future<?>>) (n, p) ->
        n.register("cl-new", EchoProcess::new, new DeploymentOptions())),
      Arguments.of("locate", (BiFunction<ClusterNode, ProcessId, Future<?>>) (n, p) -> n.locate("cl-echo")),
      Arguments.of("lookup", (BiFunction<ClusterNode, ProcessId, Future<?>>) (n, p) -> n.lookup("cl-echo")),
      Arguments.of("call", (BiFunction<ClusterNode, ProcessId, Future<?>>) (n, p) -> n.call("cl-echo", "hi")),
      Arguments.of("send", (BiFunction<ClusterNode, ProcessId, Future<?>>) (n, p) -> n.send("cl-echo", "hi")),
      Arguments.of("awaitExit", (BiFunction<ClusterNode, ProcessId, Future<?>>) (n, p) -> n.awaitExit(p)),
      Arguments.of("awaitExitReason", (BiFunction<ClusterNode, ProcessId, Future<?>>) (n, p) -> n.awaitExitReason(p)),
      Arguments.of("cronJobs", (BiFunction<ClusterNode, ProcessId, Future<?>>) (n, p) -> n.cronJobs()),
      Arguments.of("spawnRegister", (BiFunction<ClusterNode, ProcessId, Future<?>>) (n, p) ->
        n.spawner("worker").spawnRegister("cl-spawned", new JsonObject())),
      Arguments.of("addressBook query", (BiFunction<ClusterNode, ProcessId, Future<?>>) (n, p) ->
        n.addressBook().query(new dev.vxext.addressbook.QueryOptions(2_000)).locate("cl-echo")),
      Arguments.of("addLauncher", (BiFunction<ClusterNode, ProcessId, Future<?>>) (n, p) ->
        n.addLauncher("late", dev.vxext.daemon.Launcher.of(EchoProcess::new))),
      Arguments.of("removeLauncher", (BiFunction<ClusterNode, ProcessId, Future<?>>) (n, p) -> n.removeLauncher("late")),
      Arguments.of("scanDaemons", (BiFunction<ClusterNode, ProcessId, Future<?>>) (n, p) -> n.scanDaemons()));
  }

  @ParameterizedTest(name = "{0} after close")
  @MethodSource("calls")
  void everyMethodOfAClosedNodeFailsWith503(String what, BiFunction<ClusterNode, ProcessId, Future<?>> method) {
    cluster.close("cl-a");
    Future<?> f;
    try {
      f = method.apply(a, remote);
    } catch (RuntimeException e) {
      throw new AssertionError(what + " threw instead of failing its future", e);
    }
    Throwable t = awaitFailure(f);
    assertThat(t).as(what + ": " + t).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) t).failureCode()).as(what + ": " + t.getMessage()).isEqualTo(503);
    if (!what.startsWith("addressBook")) {
      assertThat(t.getMessage()).contains("cl-a");
    }
  }

  @Test
  void whatIsPendingWhenTheNodeClosesFailsWith503() {
    Future<Message<Object>> call = a.call("cl-silent", "will you answer?");
    Future<Void> exit = a.awaitExit(remote);
    Awaits.until(Duration.ofSeconds(5), () -> a.addressBook().localProcesses().size() == 1);
    await(a.close());
    for (Future<?> f : List.of(call, exit)) {
      Throwable t = awaitFailure(f);
      assertThat(t).isInstanceOf(ReplyException.class);
      assertThat(((ReplyException) t).failureCode()).as(t.getMessage()).isEqualTo(503);
    }
    // the process it was waiting for still runs elsewhere
    assertThat(await(b.<JsonObject>call("cl-echo", "alive")).body().getString("echo")).isEqualTo("alive");
  }
}
