package dev.vxext.daemon;

import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * How to start one kind of daemon: a verticle factory, its deployment options, and the recovery scanner
 * that tells the leader which daemons of this kind must run. Register a launcher under the same name on
 * every node that may run such daemons ({@code NodeOptions.addLauncher}); spawn requests name the
 * launcher, never a class.
 *
 * @param factory creates the verticle; the daemon's args reach it as {@code config()}
 * @param deploymentOptions deployment options (their config is replaced by the daemon's args); null for the
 *   defaults; {@code instances} must be at least 1
 * @param scanner creates a fresh iterator for every recovery scan
 * @param restart what happens to a supervised spawn of this launcher that ends on its own (see
 *   {@link RestartPolicy}); null for {@link RestartPolicy#DEFAULT} ({@code ON_FAILURE}). Daemons the scanner
 *   declares are always started again. Give the launcher the same policy on every node.
 */
public record Launcher(Supplier<? extends Deployable> factory, DeploymentOptions deploymentOptions,
                       Supplier<DaemonIterator> scanner, RestartPolicy restart) {

  public Launcher {
    Objects.requireNonNull(factory, "factory");
    deploymentOptions = deploymentOptions == null ? new DeploymentOptions() : new DeploymentOptions(deploymentOptions);
    if (deploymentOptions.getInstances() < 1) {
      // Vert.x would deploy nothing, and the daemon would never be placed
      throw new IllegalArgumentException("deploymentOptions.instances must be at least 1, got " + deploymentOptions.getInstances());
    }
    scanner = scanner == null ? DaemonScanners.none() : scanner;
    restart = restart == null ? RestartPolicy.DEFAULT : restart;
  }

  /** A launcher with the default restart policy ({@link RestartPolicy#DEFAULT}). */
  public Launcher(Supplier<? extends Deployable> factory, DeploymentOptions deploymentOptions,
                  Supplier<DaemonIterator> scanner) {
    this(factory, deploymentOptions, scanner, null);
  }

  /** @return a launcher with default deployment options and no recovery scan */
  public static Launcher of(Supplier<? extends Deployable> factory) {
    return new Launcher(factory, null, null);
  }

  /** @return a copy of this launcher with another scanner */
  public Launcher withScanner(Supplier<DaemonIterator> scanner) {
    return new Launcher(factory, deploymentOptions, scanner, restart);
  }

  /** @return a copy of this launcher with another restart policy for its supervised spawns */
  public Launcher withRestart(RestartPolicy restart) {
    return new Launcher(factory, deploymentOptions, scanner, java.util.Objects.requireNonNull(restart, "restart"));
  }
}
