package dev.vxext.cron;

import io.vertx.core.json.JsonObject;

/**
 * A cron job as this node sees it.
 *
 * @param name the job name
 * @param scope its scope
 * @param owner the node that fires it ({@code CLUSTER}), or this node ({@code NODE}); null when none
 * @param nextFireAt the next scheduled time, epoch ms (0 when this node does not fire it)
 * @param fired how many ticks this node fired
 * @param missed how many ticks this node counted as missed (older than the misfire grace)
 */
public record CronJobInfo(String name, CronScope scope, String owner, long nextFireAt, long fired, long missed) {

  /** @return as JSON */
  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("scope", scope.name()).put("owner", owner)
      .put("nextFireAt", nextFireAt).put("fired", fired).put("missed", missed);
  }

  /** @return read from {@link #toJson()} */
  public static CronJobInfo fromJson(JsonObject json) {
    return new CronJobInfo(json.getString("name"), CronScope.valueOf(json.getString("scope")), json.getString("owner"),
      json.getLong("nextFireAt", 0L), json.getLong("fired", 0L), json.getLong("missed", 0L));
  }
}
