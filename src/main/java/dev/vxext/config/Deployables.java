package dev.vxext.config;

import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.function.Supplier;

/**
 * Verticles and deployment options named in the configuration (a launcher's, a conf process's): the class
 * is resolved once, when the options are read, and every refusal is an {@link IllegalArgumentException}
 * whose message starts with where the value is ({@code launcher 'counter'}, {@code process 'greeter'}).
 */
public final class Deployables {

  private Deployables() {
  }

  /**
   * @param where how the declaring object is named in messages, e.g. {@code process 'greeter'}
   * @return a factory of new instances of {@code className}
   * @throws IllegalArgumentException when the class is not found, is not a concrete {@link Deployable}, or
   *   has no public no-argument constructor
   */
  public static Supplier<? extends Deployable> factory(String where, String className) {
    Class<?> type;
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      type = Class.forName(className, false, loader != null ? loader : Deployables.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException(where + ": verticle class " + className + " not found");
    }
    if (!Deployable.class.isAssignableFrom(type) || Modifier.isAbstract(type.getModifiers())) {
      throw new IllegalArgumentException(where + ": " + className + " is not a concrete verticle (Deployable)");
    }
    Constructor<?> constructor;
    try {
      constructor = type.getConstructor();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(where + ": " + className + " has no public no-argument constructor");
    }
    return () -> {
      try {
        return (Deployable) constructor.newInstance();
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(where + ": cannot create " + className + ": " + e.getMessage(), e);
      }
    };
  }

  /**
   * Reads Vert.x {@code DeploymentOptions} JSON. Vert.x reads the keys itself; {@code instances} is checked
   * here (0 would deploy nothing).
   *
   * @param where how the declaring object is named in messages
   * @throws IllegalArgumentException when {@code instances} is not an integer of at least 1, or Vert.x
   *   cannot read the JSON
   */
  public static DeploymentOptions deploymentOptions(String where, JsonObject json) {
    JsonFields f = JsonFields.of(json, where + ": deploymentOptions", where + ": deploymentOptions.");
    f.int32("instances", instances -> {
      if (instances < 1) {
        throw new IllegalArgumentException(where + ": deploymentOptions.instances must be at least 1");
      }
    });
    try {
      return new DeploymentOptions(json);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(where + ": invalid deploymentOptions: " + e.getMessage(), e);
    }
  }
}
