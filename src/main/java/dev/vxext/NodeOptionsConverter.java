package dev.vxext;

import dev.vxext.admin.AdminOptions;
import dev.vxext.config.JsonFields;
import dev.vxext.cron.CronJob;
import dev.vxext.process.ProcessOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Reads and writes {@link NodeOptions} as JSON (the keys are the property names), in the manner of the
 * converters Vert.x generates for its own options.
 */
final class NodeOptionsConverter {

  private NodeOptionsConverter() {
  }

  /** Every key of the node options JSON, in the order of the configuration reference. */
  static final List<String> KEYS = List.of("nodeName", "zookeeperHosts", "zookeeperRootPath", "sessionTimeout",
    "syncInterval", "directoryReplicas", "requestTimeout", "clusterHost", "clusterPort", "eventBusOptions",
    "zookeeperCredentials", "clusterManager", "hazelcastMembers", "hazelcastPort", "launchers", "settleDelay",
    "failoverDelay", "reconcileInterval", "rebalance", "admin", "vertxMetrics", "cronJobs", "processes");

  /**
   * Reads the JSON strictly: an unknown key, a value of the wrong type or a number that is not an integer
   * is refused, naming the key.
   *
   * @throws IllegalArgumentException when a key is unknown or a value is invalid or of the wrong type, naming the key
   */
  static void fromJson(JsonObject json, NodeOptions o) {
    JsonFields f = JsonFields.top(json).allowOnly(KEYS);
    f.string("nodeName", o::setNodeName);
    f.string("zookeeperHosts", o::setZookeeperHosts);
    f.string("zookeeperRootPath", o::setZookeeperRootPath);
    f.int64("sessionTimeout", o::setSessionTimeout);
    f.int64("syncInterval", o::setSyncInterval);
    f.int32("directoryReplicas", o::setDirectoryReplicas);
    f.int64("requestTimeout", o::setRequestTimeout);
    f.string("clusterHost", o::setClusterHost);
    f.int32("clusterPort", o::setClusterPort);
    f.int64("settleDelay", o::setSettleDelay);
    f.int64("failoverDelay", o::setFailoverDelay);
    f.int64("reconcileInterval", o::setReconcileInterval);
    f.string("rebalance", v -> o.setRebalance(dev.vxext.daemon.Rebalance.of(v)));
    f.string("clusterManager", o::setClusterManager);
    if (f.has("hazelcastMembers")) {
      JsonArray members = f.array("hazelcastMembers");
      List<String> list = new ArrayList<>();
      for (int i = 0; i < members.size(); i++) {
        if (!(members.getValue(i) instanceof String m)) {
          throw f.typeError("hazelcastMembers[" + i + "]", "a string", members.getValue(i));
        }
        list.add(m);
      }
      o.setHazelcastMembers(list);
    }
    f.int32("hazelcastPort", o::setHazelcastPort);
    f.object("eventBusOptions", o::setEventBusOptions);
    f.nullableString("zookeeperCredentials", o::setZookeeperCredentials);
    f.object("admin", admin -> o.setAdmin(new AdminOptions(admin)));
    f.bool("vertxMetrics", o::setVertxMetrics);
    if (f.has("launchers")) {
      JsonObject declared = f.object("launchers");
      for (String name : declared.fieldNames()) {
        if (!(declared.getValue(name) instanceof JsonObject launcher)) {
          throw new IllegalArgumentException("launcher '" + name + "' must be a JSON object, got "
            + JsonFields.render(declared.getValue(name)));
        }
        o.addLauncherConfig(name, launcher);
      }
    }
    if (f.has("cronJobs")) {
      JsonArray jobs = f.array("cronJobs");
      for (int i = 0; i < jobs.size(); i++) {
        if (!(jobs.getValue(i) instanceof JsonObject job)) {
          throw f.typeError("cronJobs[" + i + "]", "a JSON object", jobs.getValue(i));
        }
        o.addCronJob(new CronJob(job));
      }
    }
    if (f.has("processes")) {
      JsonArray processes = f.array("processes");
      for (int i = 0; i < processes.size(); i++) {
        if (!(processes.getValue(i) instanceof JsonObject process)) {
          throw f.typeError("processes[" + i + "]", "a JSON object", processes.getValue(i));
        }
        o.addProcess(new ProcessOptions(process));
      }
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
      .put("rebalance", o.getRebalance().wire())
      .put("eventBusOptions", o.getEventBusOptions())
      .put("zookeeperCredentials", o.getZookeeperCredentials())
      .put("admin", o.getAdmin().toJson())
      .put("vertxMetrics", o.isVertxMetrics())
      .put("cronJobs", new JsonArray(o.getCronJobs().stream().map(CronJob::toJson).toList()))
      .put("processes", new JsonArray(o.getProcesses().stream().map(ProcessOptions::toJson).toList()))
      .put("launchers", new JsonObject(new LinkedHashMap<>(o.launcherConfigs())));
  }
}
