package dev.vxext.daemon;

import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * A supervised spawn as recorded cluster-wide (in the cluster manager's map {@code vxext.spawns}): the
 * leader keeps it running, re-placing it when its node is lost, until {@link Spawner#stop} or its
 * {@link RestartPolicy} ends it.
 *
 * @param name the process name
 * @param launcher the launcher that runs it
 * @param args its verticle's {@code config()}
 * @param restart the restart policy recorded with it: the launcher's on the node that spawned it; null when
 *   that node does not offer the launcher (the policy of the launcher on the node running it then applies)
 * @param since when it was recorded, epoch ms
 */
public record SupervisedSpawn(String name, String launcher, JsonObject args, RestartPolicy restart, long since) {

  public SupervisedSpawn {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(launcher, "launcher");
    args = args == null ? new JsonObject() : args.copy();
  }

  /** @return as JSON: {@code {name, launcher, args, policy, since}} ({@code policy} absent when unknown) */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("name", name).put("launcher", launcher).put("args", args.copy());
    if (restart != null) {
      json.put("policy", restart.wire());
    }
    return json.put("since", since);
  }

  /**
   * @return the spawn {@code json} describes, or null when it is not one (a missing or mistyped field, an
   *   unknown policy): a record written by something else is ignored, never trusted
   */
  public static SupervisedSpawn fromJson(JsonObject json) {
    if (json == null || !(json.getValue("name") instanceof String name) || !(json.getValue("launcher") instanceof String launcher)
      || !(json.getValue("since") instanceof Number since)) {
      return null;
    }
    Object args = json.getValue("args");
    Object policy = json.getValue("policy");
    if ((args != null && !(args instanceof JsonObject)) || (policy != null && !(policy instanceof String))) {
      return null;
    }
    RestartPolicy restart;
    try {
      restart = policy == null ? null : RestartPolicy.of((String) policy);
    } catch (IllegalArgumentException e) {
      return null;
    }
    return new SupervisedSpawn(name, launcher, (JsonObject) args, restart, since.longValue());
  }
}
