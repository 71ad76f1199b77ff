package dev.vxext.runtime;

import dev.vxext.addressbook.impl.ConsistentHashPlacement;
import dev.vxext.spi.PlacementStrategy;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Objects;

/**
 * The settings every service of a node shares, validated once (from {@code NodeOptions}) and immutable:
 * the services are handed this, never a copy of the options.
 *
 * @param nodeName          the node's unique name
 * @param clustered         whether the node runs in a cluster (a cluster manager is set)
 * @param sessionTimeout    ZooKeeper session timeout, ms
 * @param syncInterval      anti-entropy interval, ms
 * @param directoryReplicas owners per directory entry
 * @param requestTimeout    default timeout of requests, ms
 * @param settleDelay       a new leader's first placement waits this long after the view settled, ms
 * @param failoverDelay     after a node was lost without hand-off, how long before its daemons are placed, ms
 * @param reconcileInterval period of the leader's full reconciliation, ms
 * @param launchers         the names of the launchers this node offers at start, sorted (they change at
 *                          runtime: the member entry in the view says what it offers now)
 * @param clusterCronJobs   the names of the cluster-scoped cron jobs this node declares, sorted
 * @param eventBusOptions   the event bus's JSON options (TLS) for the node's own connections to its peers
 * @param placement         where new daemons and cron jobs go (null: the consistent-hash ring)
 * @param rebalanceOnJoin   whether the daemon leader moves running daemons to a joining node that is now their
 *                          placement pick (option {@code rebalance: on-join})
 */
public record NodeSettings(String nodeName, boolean clustered, long sessionTimeout, long syncInterval,
                           int directoryReplicas, long requestTimeout, long settleDelay, long failoverDelay,
                           long reconcileInterval, List<String> launchers, List<String> clusterCronJobs,
                           JsonObject eventBusOptions, PlacementStrategy placement, boolean rebalanceOnJoin) {

  public NodeSettings {
    Objects.requireNonNull(nodeName, "nodeName");
    launchers = List.copyOf(new java.util.TreeSet<>(launchers));
    clusterCronJobs = List.copyOf(new java.util.TreeSet<>(clusterCronJobs));
    eventBusOptions = eventBusOptions == null ? new JsonObject() : eventBusOptions.copy();
    placement = placement == null ? new ConsistentHashPlacement() : placement;
  }

  /** Settings without rebalancing (sticky placement). */
  public NodeSettings(String nodeName, boolean clustered, long sessionTimeout, long syncInterval,
                      int directoryReplicas, long requestTimeout, long settleDelay, long failoverDelay,
                      long reconcileInterval, List<String> launchers, List<String> clusterCronJobs,
                      JsonObject eventBusOptions, PlacementStrategy placement) {
    this(nodeName, clustered, sessionTimeout, syncInterval, directoryReplicas, requestTimeout, settleDelay, failoverDelay,
      reconcileInterval, launchers, clusterCronJobs, eventBusOptions, placement, false);
  }

  /**
   * @return how long a reconciliation asked on demand may take, ms: it may wait for the view to settle, for
   *   the failover gate, then for the scans and spawns ({@code settleDelay + failoverDelay + 6 x requestTimeout})
   */
  public long scanTimeout() {
    return settleDelay + failoverDelay + 6 * requestTimeout;
  }

  /** @return the event bus's JSON options (a copy) */
  @Override
  public JsonObject eventBusOptions() {
    return eventBusOptions.copy();
  }
}
