package dev.vxext;

import dev.vxext.daemon.DaemonProcess;
import dev.vxext.daemon.DaemonScanners;
import dev.vxext.daemon.Launcher;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A launcher declared in JSON configuration:
 * {@code {"verticle": "<class>", "deploymentOptions": {...}, "daemons": [{"name": ..., "args": {...}}]}}.
 * The class is resolved once, when the options are read (a public class implementing
 * {@code Deployable} with a public no-argument constructor); spawn requests still only name the launcher.
 */
final class LauncherConfig {

  private LauncherConfig() {
  }

  static Launcher launcher(String name, JsonObject json) {
    String className = json.getValue("verticle") instanceof String v ? v : null;
    if (className == null || className.isBlank()) {
      throw new IllegalArgumentException("launcher '" + name + "': \"verticle\" (a class name) is required");
    }
    Supplier<? extends Deployable> factory = factory(name, className);
    DeploymentOptions deployment;
    try {
      deployment = new DeploymentOptions(json.getJsonObject("deploymentOptions", new JsonObject()));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("launcher '" + name + "': invalid deploymentOptions: " + e.getMessage(), e);
    }
    List<DaemonProcess> daemons = new ArrayList<>();
    Object declared = json.getValue("daemons");
    if (declared != null && !(declared instanceof JsonArray)) {
      throw new IllegalArgumentException("launcher '" + name + "': \"daemons\" must be an array");
    }
    if (declared != null) {
      JsonArray array = (JsonArray) declared;
      for (int i = 0; i < array.size(); i++) {
        if (!(array.getValue(i) instanceof JsonObject d) || !(d.getValue("name") instanceof String daemonName)) {
          throw new IllegalArgumentException("launcher '" + name + "': daemons[" + i + "] needs a \"name\"");
        }
        Object args = d.getValue("args");
        if (args != null && !(args instanceof JsonObject)) {
          throw new IllegalArgumentException("launcher '" + name + "': daemons[" + i + "].args must be a JSON object");
        }
        daemons.add(new DaemonProcess(daemonName, (JsonObject) args));
      }
    }
    return new Launcher(factory, deployment, DaemonScanners.of(daemons));
  }

  private static Supplier<? extends Deployable> factory(String name, String className) {
    Class<?> type;
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      type = Class.forName(className, false, loader != null ? loader : LauncherConfig.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException("launcher '" + name + "': verticle class " + className + " not found");
    }
    if (!Deployable.class.isAssignableFrom(type) || Modifier.isAbstract(type.getModifiers())) {
      throw new IllegalArgumentException("launcher '" + name + "': " + className + " is not a concrete verticle (Deployable)");
    }
    Constructor<?> constructor;
    try {
      constructor = type.getConstructor();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException("launcher '" + name + "': " + className + " has no public no-argument constructor");
    }
    return () -> {
      try {
        return (Deployable) constructor.newInstance();
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("launcher '" + name + "': cannot create " + className + ": " + e.getMessage(), e);
      }
    };
  }
}
