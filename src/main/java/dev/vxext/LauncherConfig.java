package dev.vxext;

import dev.vxext.daemon.DaemonProcess;
import dev.vxext.daemon.DaemonScanners;
import dev.vxext.daemon.Launcher;
import dev.vxext.config.Deployables;
import dev.vxext.daemon.RestartPolicy;
import dev.vxext.config.JsonFields;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A launcher declared in JSON configuration:
 * {@code {"verticle": "<class>", "deploymentOptions": {...}, "daemons": [{"name": ..., "args": {...}}],
 * "restart": "always|on-failure|never"}} ({@code restart}: the policy of its supervised spawns, default
 * {@code on-failure}).
 * The class is resolved once, when the options are read (a public class implementing
 * {@code Deployable} with a public no-argument constructor); spawn requests still only name the launcher.
 */
final class LauncherConfig {

  private LauncherConfig() {
  }

  /** The keys of a launcher object. */
  static final List<String> KEYS = List.of("verticle", "deploymentOptions", "daemons", "restart");
  /** The keys of a daemon declared in a launcher. */
  static final List<String> DAEMON_KEYS = List.of("name", "args");

  /**
   * @return the launcher declared by {@code json}
   * @throws IllegalArgumentException naming the launcher and the problem: an unknown key (not checked inside
   *   {@code deploymentOptions}, read by Vert.x, nor inside a daemon's {@code args}, the user's), a value of
   *   the wrong type, a class that cannot be deployed, {@code deploymentOptions.instances} below 1
   */
  static Launcher launcher(String name, JsonObject json) {
    String where = "launcher '" + name + "'";
    JsonFields f = JsonFields.within(json, where).allowOnly(KEYS);
    String className = json.getValue("verticle") instanceof String v ? v : null;
    if (className == null || className.isBlank()) {
      throw new IllegalArgumentException(where + ": \"verticle\" (a class name) is required");
    }
    Supplier<? extends Deployable> factory = Deployables.factory(where, className);
    DeploymentOptions deployment = Deployables.deploymentOptions(where, f.has("deploymentOptions") ? f.object("deploymentOptions") : new JsonObject());
    List<DaemonProcess> daemons = new ArrayList<>();
    if (f.has("daemons")) {
      JsonArray array = f.array("daemons");
      for (int i = 0; i < array.size(); i++) {
        String entry = where + ": daemons[" + i + "]";
        if (!(array.getValue(i) instanceof JsonObject d)) {
          throw new IllegalArgumentException(entry + " must be a JSON object, got " + JsonFields.render(array.getValue(i)));
        }
        JsonFields daemon = JsonFields.within(d, entry).allowOnly(DAEMON_KEYS);
        if (!(d.getValue("name") instanceof String daemonName)) {
          throw new IllegalArgumentException(where + ": daemons[" + i + "] needs a \"name\"");
        }
        String problem = dev.vxext.process.ProcessNames.registrationProblem(daemonName);
        if (problem != null) {
          throw new IllegalArgumentException(where + ": daemons[" + i + "] name " + problem);
        }
        JsonObject args = daemon.has("args") && d.getValue("args") != null ? daemon.object("args") : null;
        daemons.add(new DaemonProcess(daemonName, args));
      }
    }
    RestartPolicy restart = null;
    if (f.has("restart")) {
      try {
        restart = RestartPolicy.of(f.string("restart"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
    }
    return new Launcher(factory, deployment, DaemonScanners.of(daemons), restart);
  }
}
