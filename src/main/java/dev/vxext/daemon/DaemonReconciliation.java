package dev.vxext.daemon;

import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one reconciliation of the leader did: every launcher's recovery scan, and every declared daemon
 * found running or spawned (the answer of {@code ClusterNode.scanDaemons()}).
 *
 * @param leader the node that led it
 * @param epoch its leader epoch
 * @param startedAt when it started, epoch ms
 * @param reconciledAt when it ended, epoch ms
 * @param declared how many daemons the scans declared
 * @param running how many of them were running already (left where they run)
 * @param spawned how many were started by this reconciliation
 * @param failed how many could not be placed, or whose state could not be told (retried)
 * @param backoff how many wait for their next attempt after failing to start lately
 * @param launcherFailures the launchers whose scan failed, with why (for example a page over the limit:
 *                         413 and the limit); their daemons are reconciled again later
 */
public record DaemonReconciliation(String leader, long epoch, long startedAt, long reconciledAt, int declared, int running, int spawned,
                                   int failed, int backoff, Map<String, String> launcherFailures) {

  public DaemonReconciliation {
    Objects.requireNonNull(leader, "leader");
    launcherFailures = launcherFailures == null ? Map.of() : Map.copyOf(launcherFailures);
  }

  /** @return true when every scan succeeded and every declared daemon runs */
  public boolean complete() {
    return failed == 0 && backoff == 0 && launcherFailures.isEmpty();
  }

  /**
   * @param json the reply of action {@code scan} of the local address {@code vxext.daemon}
   * @return the reconciliation it describes
   */
  public static DaemonReconciliation fromJson(JsonObject json) {
    Map<String, String> failures = new TreeMap<>();
    JsonObject errors = json.getJsonObject("launcherErrors", new JsonObject());
    json.getJsonArray("failedLaunchers", new io.vertx.core.json.JsonArray()).forEach(l ->
      failures.put(String.valueOf(l), errors.getString(String.valueOf(l), "scan failed")));
    return new DaemonReconciliation(json.getString("leader"), json.getLong("epoch", 0L), json.getLong("startedAt", 0L),
      json.getLong("reconciledAt", 0L),
      json.getInteger("declared", 0), json.getInteger("running", 0), json.getInteger("spawned", 0),
      json.getInteger("failed", 0), json.getInteger("backoff", 0), failures);
  }
}
