package dev.vxext.daemon;

import dev.vxext.NodeOptions;
import dev.vxext.testing.DaemonWorker;
import org.junit.jupiter.api.Test;

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
}
