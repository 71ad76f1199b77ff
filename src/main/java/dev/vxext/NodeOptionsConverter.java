package dev.vxext;

import dev.vxext.admin.AdminOptions;
import dev.vxext.cron.CronJob;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;

/**
 * Reads and writes {@link NodeOptions} as JSON (the keys are the property names), in the manner of the
 * converters Vert.x generates for its own options.
 */
final class NodeOptionsConverter {

  private NodeOptionsConverter() {
  }

  /** @throws IllegalArgumentException when a value is invalid or of the wrong type, naming the key */
  static void fromJson(JsonObject json, NodeOptions o) {
    try {
      if (json.containsKey("nodeName")) o.setNodeName(json.getString("nodeName"));
      if (json.containsKey("zookeeperHosts")) o.setZookeeperHosts(json.getString("zookeeperHosts"));
      if (json.containsKey("zookeeperRootPath")) o.setZookeeperRootPath(json.getString("zookeeperRootPath"));
      if (json.containsKey("sessionTimeout")) o.setSessionTimeout(json.getLong("sessionTimeout"));
      if (json.containsKey("syncInterval")) o.setSyncInterval(json.getLong("syncInterval"));
      if (json.containsKey("directoryReplicas")) o.setDirectoryReplicas(json.getInteger("directoryReplicas"));
      if (json.containsKey("requestTimeout")) o.setRequestTimeout(json.getLong("requestTimeout"));
      if (json.containsKey("clusterHost")) o.setClusterHost(json.getString("clusterHost"));
      if (json.containsKey("clusterPort")) o.setClusterPort(json.getInteger("clusterPort"));
      if (json.containsKey("settleDelay")) o.setSettleDelay(json.getLong("settleDelay"));
      if (json.containsKey("failoverDelay")) o.setFailoverDelay(json.getLong("failoverDelay"));
      if (json.containsKey("reconcileInterval")) o.setReconcileInterval(json.getLong("reconcileInterval"));
      if (json.containsKey("clusterManager")) o.setClusterManager(json.getString("clusterManager"));
      if (json.containsKey("hazelcastMembers")) {
        o.setHazelcastMembers(json.getJsonArray("hazelcastMembers").stream().map(m -> (String) m).toList());
      }
      if (json.containsKey("hazelcastPort")) o.setHazelcastPort(json.getInteger("hazelcastPort"));
      if (json.containsKey("eventBusOptions")) o.setEventBusOptions(json.getJsonObject("eventBusOptions"));
      if (json.containsKey("zookeeperCredentials")) o.setZookeeperCredentials(json.getString("zookeeperCredentials"));
      if (json.containsKey("admin")) o.setAdmin(new AdminOptions(json.getJsonObject("admin")));
      if (json.containsKey("vertxMetrics")) o.setVertxMetrics(json.getBoolean("vertxMetrics"));
      if (json.containsKey("launchers")) {
        JsonObject declared = json.getJsonObject("launchers");
        for (String name : declared.fieldNames()) {
          if (!(declared.getValue(name) instanceof JsonObject launcher)) {
            throw new IllegalArgumentException("launcher '" + name + "' must be a JSON object");
          }
          o.addLauncherConfig(name, launcher);
        }
      }
      if (json.containsKey("cronJobs")) {
        JsonArray jobs = json.getJsonArray("cronJobs");
        for (int i = 0; i < jobs.size(); i++) {
          if (!(jobs.getValue(i) instanceof JsonObject job)) {
            throw new IllegalArgumentException("cronJobs[" + i + "] must be a JSON object");
          }
          o.addCronJob(new CronJob(job));
        }
      }
    } catch (ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("invalid node options: " + e.getMessage(), e);
    }
  }

  static JsonObject toJson(NodeOptions o) {
    JsonObject json = new JsonObject();
    if (o.getNodeName() != null) json.put("nodeName", o.getNodeName());
    return json.put("clusterManager", o.getClusterManager())
      .put("hazelcastMembers", new JsonArray(new ArrayList<>(o.getHazelcastMembers())))
      .put("hazelcastPort", o.getHazelcastPort())
      .put("zookeeperHosts", o.getZookeeperHosts())
      .put("zookeeperRootPath", o.getZookeeperRootPath())
      .put("sessionTimeout", o.getSessionTimeout())
      .put("syncInterval", o.getSyncInterval())
      .put("directoryReplicas", o.getDirectoryReplicas())
      .put("requestTimeout", o.getRequestTimeout())
      .put("clusterHost", o.getClusterHost())
      .put("clusterPort", o.getClusterPort())
      .put("settleDelay", o.getSettleDelay())
      .put("failoverDelay", o.getFailoverDelay())
      .put("reconcileInterval", o.getReconcileInterval())
      .put("eventBusOptions", o.getEventBusOptions())
      .put("zookeeperCredentials", o.getZookeeperCredentials())
      .put("admin", o.getAdmin().toJson())
      .put("vertxMetrics", o.isVertxMetrics())
      .put("cronJobs", new JsonArray(o.getCronJobs().stream().map(CronJob::toJson).toList()))
      .put("launchers", new JsonObject(new LinkedHashMap<>(o.launcherConfigs())));
  }
}
