package dev.vxext.daemon;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import org.junit.jupiter.api.Test;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Launcher registration errors, each clear and naming what is wrong: at start (the options refuse them at
 * once) and, for a running node, as failed futures with a code.
 */
class LauncherRegistrationTest {

  @Test
  void aLauncherNeedsAFactory() {
    assertThatThrownBy(() -> new Launcher(null, null, null)).isInstanceOf(NullPointerException.class).hasMessage("factory");
    assertThatThrownBy(() -> Launcher.of(null)).isInstanceOf(NullPointerException.class).hasMessage("factory");
    assertThatThrownBy(() -> new NodeOptions().addLauncher("worker", null)).isInstanceOf(NullPointerException.class)
      .hasMessage("launcher");
  }

  @Test
  void aLauncherNameIsValidAndUniquePerNode() {
    NodeOptions options = new NodeOptions().addLauncher("worker", Launcher.of(DaemonWorker::new));
    assertThatThrownBy(() -> options.addLauncher("worker", Launcher.of(DaemonWorker::new)))
      .isInstanceOf(IllegalArgumentException.class).hasMessage("launcher 'worker' is already declared");
    assertThatThrownBy(() -> options.addLauncher("bad name", Launcher.of(DaemonWorker::new)))
      .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("launcher name ");
    assertThatThrownBy(() -> options.addLauncher("", Launcher.of(DaemonWorker::new)))
      .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("launcher name ");
    assertThatThrownBy(() -> new Launcher(DaemonWorker::new, new io.vertx.core.DeploymentOptions().setInstances(0), null))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("instances must be at least 1");
  }

  private static ReplyException failure(Future<?> f) {
    Throwable t = awaitFailure(f);
    assertThat(t).isInstanceOf(ReplyException.class);
    return (ReplyException) t;
  }

  private static java.util.List<String> offered(ClusterNode node) {
    return node.addressBook().availableNodes().get(0).launchers();
  }

  @Test
  void aRunningNodeRefusesBadLauncherChangesWithACodeAndChangesNothing() {
    try (ClusterFixture fixture = ClusterFixture.single()) {
      ClusterNode node = fixture.start(fixture.options("lr-node").addLauncher("worker", Launcher.of(DaemonWorker::new)));
      Launcher launcher = Launcher.of(DaemonWorker::new);
      ReplyException invalid = failure(node.addLauncher("bad name", launcher));
      assertThat(invalid.failureCode()).isEqualTo(WhereIs.BAD_REQUEST);
      assertThat(invalid.getMessage()).startsWith("invalid launcher name: name ");
      assertThat(failure(node.addLauncher(null, launcher)).failureCode()).isEqualTo(WhereIs.BAD_REQUEST);
      ReplyException none = failure(node.addLauncher("other", null));
      assertThat(none.failureCode()).isEqualTo(WhereIs.BAD_REQUEST);
      assertThat(none.getMessage()).isEqualTo("launcher 'other': a Launcher (with its factory) is required, got null");
      ReplyException twice = failure(node.addLauncher("worker", launcher));
      assertThat(twice.failureCode()).isEqualTo(WhereIs.CONFLICT);
      assertThat(twice.getMessage()).isEqualTo("node lr-node already offers launcher 'worker'");
      ReplyException unknown = failure(node.removeLauncher("nope"));
      assertThat(unknown.failureCode()).isEqualTo(WhereIs.NOT_FOUND);
      assertThat(unknown.getMessage()).isEqualTo("node lr-node offers no launcher 'nope'");
      assertThat(failure(node.removeLauncher("bad name")).failureCode()).isEqualTo(WhereIs.BAD_REQUEST);
      assertThat(offered(node)).containsExactly("worker");

      // good changes: a launcher declared at start can go, and come back
      await(node.addLauncher("other", launcher));
      assertThat(offered(node)).containsExactly("other", "worker");
      await(node.removeLauncher("worker"));
      assertThat(offered(node)).containsExactly("other");
      assertThat(failure(node.spawner("worker").spawnRegister("lr-w", null)).failureCode()).isEqualTo(WhereIs.NOT_FOUND);
      await(node.addLauncher("worker", launcher));
      assertThat(await(node.spawner("worker").spawnRegister("lr-w", null)).node()).isEqualTo("lr-node");
    }
  }
}
