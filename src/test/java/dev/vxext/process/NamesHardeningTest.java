package dev.vxext.process;

import dev.vxext.ClusterNode;
import dev.vxext.daemon.DaemonScanners;
import dev.vxext.daemon.Launcher;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import dev.vxext.testing.EchoProcess;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Names a process may not take, and registrations that fail: one row per case, each refused with its code
 * and message, and nothing changes: no name stays reserved (the same name registers fine right after),
 * nothing stays deployed, the node's own services still answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NamesHardeningTest {

  private ClusterFixture cluster;
  private ClusterNode a;
  private ClusterNode b;

  @BeforeAll
  void start() {
    cluster = ClusterFixture.clustered();
    a = cluster.start(cluster.options("nh-a").addLauncher("worker", new Launcher(DaemonWorker::new, null,
      DaemonScanners.of(List.of()))));
    b = cluster.start(cluster.options("nh-b").addLauncher("worker", new Launcher(DaemonWorker::new, null,
      DaemonScanners.of(List.of()))));
    Awaits.until(Duration.ofSeconds(15), () -> a.addressBook().availableNodes().size() == 2
      && b.addressBook().availableNodes().size() == 2);
    await(b.register("nh-echo", EchoProcess::new, new DeploymentOptions()));
    Awaits.until(Duration.ofSeconds(10), () -> "nh-b".equals(await(a.locate("nh-echo"))));
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  /** A verticle that registers itself under the name in its config. */
  public static final class SelfRegistering extends AbstractVerticle {
    @Override
    public void start(Promise<Void> started) {
      Processes.registerSelf(context, config().getString("name")).<Void>mapEmpty().onComplete(started);
    }
  }

  /** One way to register {@code name} on node {@code on}. */
  private static Future<?> register(ClusterNode on, String name) {
    return on.register(name, EchoProcess::new, new DeploymentOptions());
  }

  private static Future<?> registerSelf(ClusterNode on, String name) {
    return on.vertx().deployVerticle(new SelfRegistering(), new DeploymentOptions().setConfig(new JsonObject().put("name", name)));
  }

  private static Future<?> spawnRemote(ClusterNode from, String name) {
    return from.spawner("worker").spawnRegister(name, new JsonObject());
  }

  static Stream<Arguments> cases() {
    BiFunction<ClusterNode, String, Future<?>> register = NamesHardeningTest::register;
    BiFunction<ClusterNode, String, Future<?>> self = NamesHardeningTest::registerSelf;
    BiFunction<ClusterNode, String, Future<?>> spawn = NamesHardeningTest::spawnRemote;
    BiFunction<ClusterNode, String, Future<?>> noInstances = (n, name) -> n.register(name, EchoProcess::new,
      new DeploymentOptions().setInstances(0));
    BiFunction<ClusterNode, String, Future<?>> throwingSupplier = (n, name) -> n.register(name,
      (Supplier<Deployable>) () -> {
        throw new IllegalStateException("cannot build it");
      }, new DeploymentOptions());
    return Stream.of(
      Arguments.of("register the whereis address", register, "vxext.whereis", 400, "reserved prefix 'vxext.'"),
      Arguments.of("register the registry address", register, "vxext.registry", 400, "reserved prefix 'vxext.'"),
      Arguments.of("register a Vert.x address", register, "__vertx.x", 400, "reserved prefix '__vertx.'"),
      Arguments.of("registerSelf the registry address", self, "vxext.registry", 400, "reserved prefix 'vxext.'"),
      Arguments.of("spawn the registry address", spawn, "vxext.registry", 400, "reserved prefix 'vxext.'"),
      Arguments.of("register an empty name", register, "", 400, "must not be empty"),
      Arguments.of("register a name too long", register, "n".repeat(129), 400, "the maximum is 128"),
      Arguments.of("register with 0 instances", noInstances, "nh-zero", 400, "at least 1 is needed"),
      Arguments.of("register with a failing supplier", throwingSupplier, "nh-throws", -1, "cannot build it"),
      Arguments.of("register a name taken here", register, "nh-echo", 409, "already registered"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void refused(String what, BiFunction<ClusterNode, String, Future<?>> attempt, String name, int code, String message) {
    ClusterNode on = name.equals("nh-echo") ? b : a;
    int deployments = on.vertx().deploymentIDs().size();
    Throwable t = awaitFailure(attempt.apply(on, name));
    if (code > 0) {
      assertThat(t).as(what).isInstanceOf(ReplyException.class);
      assertThat(((ReplyException) t).failureCode()).as(what + ": " + t.getMessage()).isEqualTo(code);
    }
    assertThat(t.getMessage()).as(what).contains(message);
    // nothing changed: nothing deployed, the name not held, the services answer
    Awaits.until(Duration.ofSeconds(5), () -> on.vertx().deploymentIDs().size() == deployments);
    assertThat(await(a.<JsonObject>call("nh-echo", "still")).body().getString("echo")).isEqualTo("still");
    if (name.startsWith("nh-") && !name.equals("nh-echo")) {
      // the name was not left reserved: it registers now
      await(on.register(name, EchoProcess::new, new DeploymentOptions()));
      assertThat(on.addressBook().locateLocal(name)).isPresent();
      await(on.vertx().undeploy(on.addressBook().locateLocal(name).orElseThrow().deploymentId()));
    }
    assertThat(await(a.locate("nh-echo"))).isEqualTo("nh-b");
  }
}
