package dev.vxext.metrics;

/**
 * The names of the meters every node registers in its Micrometer registry. Every meter carries the tag
 * {@value #NODE_TAG} with the node name; Prometheus shows the dots as underscores, timers with a
 * {@code _seconds} suffix (for example {@code vxext_locate_seconds_count{node="node-1",result="hit"}}).
 * <p>
 * Gauges read the node's state when scraped; counters and timers count from the node's start. Values
 * marked "leader" are only meaningful on the leader (other nodes report 0 there).
 */
public final class MetricNames {

  /** Tag with the node name, on every meter. */
  public static final String NODE_TAG = "node";

  /** Gauge: nodes in this node's membership view (itself included). */
  public static final String CLUSTER_NODES = "vxext.cluster.nodes";
  /** Gauge: processes registered on this node. */
  public static final String PROCESSES_REGISTERED = "vxext.processes.registered";
  /** Gauge: directory entries this node owns (its share of the cluster directory). */
  public static final String DIRECTORY_ENTRIES = "vxext.directory.entries";
  /**
   * Timer: locate requests answered on this node, tag {@code result} = {@code hit}, {@code miss} (404) or
   * {@code error} (timeout, refused, invalid name); the count per result gives requests, hits and misses,
   * the histogram the latency.
   */
  public static final String LOCATE = "vxext.locate";
  /** Counter: directory sync messages sent, tag {@code type} = {@code delta}, {@code full} or {@code digest}. */
  public static final String SYNC_MESSAGES = "vxext.sync.messages";
  /** Counter: bytes of directory sync messages sent (JSON encoded size). */
  public static final String SYNC_BYTES = "vxext.sync.bytes";
  /** Counter: directory sync messages resent after a failure or timeout. */
  public static final String SYNC_RETRIES = "vxext.sync.retries";
  /** Counter: gaps an owner found in this node's stream of changes (answered with the full slice). */
  public static final String SYNC_GAPS = "vxext.sync.gaps";
  /** Counter: digest mismatches repaired by anti-entropy (the full slice resent). */
  public static final String SYNC_REPAIRS = "vxext.sync.repairs";
  /**
   * Timer: convergence lag, from a local register/unregister to the owner acknowledging the change (the
   * time for the directory to learn it).
   */
  public static final String SYNC_LAG = "vxext.sync.lag";
  /** Gauge: 1 while this node is the leader, else 0. */
  public static final String LEADER = "vxext.leader";
  /** Gauge: the leader epoch as known on this node (0 when no leader is known). */
  public static final String LEADER_EPOCH = "vxext.leader.epoch";
  /** Counter: leadership changes seen by this node (a new leader or a new epoch). */
  public static final String LEADERSHIP_CHANGES = "vxext.leadership.changes";
  /** Gauge (leader): daemons declared by the launchers at the last reconciliation. */
  public static final String DAEMONS_DECLARED = "vxext.daemons.declared";
  /** Gauge (leader): declared daemons found running at the last reconciliation. */
  public static final String DAEMONS_RUNNING = "vxext.daemons.running";
  /** Gauge (leader): daemons waiting to be tried again after their start failed (crash-loop backoff). */
  public static final String DAEMONS_BACKOFF = "vxext.daemons.backoff";
  /** Gauge: daemons running on this node. */
  public static final String DAEMONS_HOSTED = "vxext.daemons.hosted";
  /** Counter (leader): daemons placed (spawned on a node) by this node as leader. */
  public static final String DAEMONS_PLACED = "vxext.daemons.placed";
  /** Counter (leader): daemon placements that failed (retried at the next reconciliation). */
  public static final String DAEMONS_FAILED = "vxext.daemons.failed";
  /** Counter: daemons this node stopped to fence itself (cut off from ZooKeeper, frozen, or a duplicate). */
  public static final String DAEMONS_FENCED = "vxext.daemons.fenced";
  /**
   * Timer (leader): failover duration, from the leader seeing a node leave without handing off to the end
   * of the reconciliation that placed its daemons again.
   */
  public static final String DAEMONS_FAILOVER = "vxext.daemons.failover";
  /** Counter: cron ticks fired by this node, tag {@code job}. */
  public static final String CRON_FIRES = "vxext.cron.fires";
  /** Timer: cron lateness (fired minus scheduled, claim included), tag {@code job}. */
  public static final String CRON_LATENESS = "vxext.cron.lateness";
  /** Counter: cluster cron ticks this node tried to claim but another node had fired, tag {@code job}. */
  public static final String CRON_CLAIMS_LOST = "vxext.cron.claims.lost";
  /** Counter: cron ticks counted as missed (older than the misfire grace, or not delivered within it), tag {@code job}. */
  public static final String CRON_MISFIRES = "vxext.cron.misfires";
  /** Counter: ZooKeeper requests (transactions) this node made to claim cluster cron ticks. */
  public static final String CRON_CLAIM_REQUESTS = "vxext.cron.claim.requests";
  /** Counter: znode writes in those requests (a transaction writes several: the claims renewed in one batch). */
  public static final String CRON_CLAIM_WRITES = "vxext.cron.claim.writes";

  private MetricNames() {
  }
}
