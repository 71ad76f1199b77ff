package dev.vxext.cron.impl;

import dev.vxext.cluster.LeaderInfo;
import dev.vxext.protocol.Action;
import dev.vxext.protocol.Protocol;
import dev.vxext.runtime.NodeRuntime;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Tells whether a trigger process that cannot be found may be a daemon the leader has not placed yet: the
 * cluster is starting or electing a leader, the leader has not reconciled its daemons yet, or its last
 * reconciliation lists the name. A tick for such a target waits for it within its misfire grace, and one
 * never delivered is a miss to expect (a warning), not a lost tick (an error). Asks the leader's daemon
 * list (action {@code daemon.list}), only when a delivery failed.
 */
final class DaemonPlacement {

  private final NodeRuntime runtime;
  private final long timeout;

  DaemonPlacement(NodeRuntime runtime) {
    this.runtime = runtime;
    this.timeout = runtime.settings().requestTimeout();
  }

  /** @return a future completed with true when {@code name} may be a daemon not placed yet (never failed) */
  Future<Boolean> pending(String name) {
    LeaderInfo leader = runtime.leader();
    if (leader.node() == null) {
      return Future.succeededFuture(true);
    }
    DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, Action.DAEMON_LIST.wire()).setSendTimeout(timeout);
    return runtime.vertx().eventBus().<JsonObject>request(Protocol.nodeAddress(leader.node()), new JsonObject(), o)
      .map(m -> {
        JsonObject report = m.body();
        if (!report.containsKey("reconciledAt") || report.getBoolean("truncated", false)) {
          return true;
        }
        JsonArray daemons = report.getJsonArray("daemons", new JsonArray());
        for (int i = 0; i < daemons.size(); i++) {
          if (name.equals(daemons.getJsonObject(i).getString("name"))) {
            return true;
          }
        }
        return false;
      })
      // the leader does not answer (it is changing, or leaving): the daemons are not settled either
      .otherwise(true);
  }
}
