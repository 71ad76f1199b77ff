package dev.vxext;

import dev.vxext.process.ProcessNames;
import dev.vxext.process.ProcessOptions;
import dev.vxext.cron.CronJob;
import dev.vxext.daemon.Launcher;
import io.vertx.core.json.JsonArray;
import dev.vxext.admin.AdminOptions;
import dev.vxext.config.ConnectString;
import dev.vxext.config.EventBusJson;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Options of one node: its name, the cluster manager, and the timings of the directory.
 * <p>
 * A data object: fluent setters validate their argument and throw {@link IllegalArgumentException}
 * with the name of the option; the {@link #NodeOptions(JsonObject)} constructor reads the same keys as
 * {@link #toJson()} writes (the property names), so a {@code conf/*.json} file configures a node.
 * Every default is a {@code DEFAULT_*} constant of this class.
 */
public class NodeOptions {

  /** Default ZooKeeper hosts: none, so a node runs alone. */
  public static final String DEFAULT_ZOOKEEPER_HOSTS = "";
  /** Default ZooKeeper root path (the Curator namespace of vertx-zookeeper). */
  public static final String DEFAULT_ZOOKEEPER_ROOT_PATH = "io.vertx";
  /** Default ZooKeeper session timeout: 10 s (a crashed node is seen gone after this). */
  public static final long DEFAULT_SESSION_TIMEOUT = 10_000;
  /** Default anti-entropy interval of the directory: 3 s. */
  public static final long DEFAULT_SYNC_INTERVAL = 3_000;
  /** Default number of directory owners per name: 2. */
  public static final int DEFAULT_DIRECTORY_REPLICAS = 2;
  /** Default timeout of locate, call and send: 5 s. */
  public static final long DEFAULT_REQUEST_TIMEOUT = 5_000;
  /** Default time the view must be settled before a new leader first scans the daemons: 2 s. */
  public static final long DEFAULT_SETTLE_DELAY = 2_000;
  /**
   * Default delay before the leader re-places the daemons of a node that left without handing them off,
   * unless its process is found gone: 1.5 s.
   */
  public static final long DEFAULT_FAILOVER_DELAY = 1_500;
  /** Default rebalancing of running daemons: {@link dev.vxext.daemon.Rebalance#NEVER} (sticky placement). */
  public static final dev.vxext.daemon.Rebalance DEFAULT_REBALANCE = dev.vxext.daemon.Rebalance.NEVER;
  /** Default period of the leader's reconciliation of daemons: 30 s. */
  public static final long DEFAULT_RECONCILE_INTERVAL = 30_000;
  /** Default event-bus host of a clustered node: loopback. */
  public static final String DEFAULT_CLUSTER_HOST = "127.0.0.1";
  /** The ZooKeeper cluster manager (vertx-zookeeper), the default. */
  public static final String ZOOKEEPER = "zookeeper";
  /** The Hazelcast cluster manager (vertx-hazelcast, an optional dependency). */
  public static final String HAZELCAST = "hazelcast";
  /** Default cluster manager: {@value #ZOOKEEPER}. */
  public static final String DEFAULT_CLUSTER_MANAGER = ZOOKEEPER;
  /** Default Hazelcast TCP-IP join members: loopback only. */
  public static final List<String> DEFAULT_HAZELCAST_MEMBERS = List.of("127.0.0.1");
  /** Default first Hazelcast member port (incremented while taken). */
  public static final int DEFAULT_HAZELCAST_PORT = 5701;

  private String nodeName;
  private String clusterManager = DEFAULT_CLUSTER_MANAGER;
  private List<String> hazelcastMembers = DEFAULT_HAZELCAST_MEMBERS;
  private int hazelcastPort = DEFAULT_HAZELCAST_PORT;
  private String zookeeperHosts = DEFAULT_ZOOKEEPER_HOSTS;
  private String zookeeperRootPath = DEFAULT_ZOOKEEPER_ROOT_PATH;
  private long sessionTimeout = DEFAULT_SESSION_TIMEOUT;
  private long syncInterval = DEFAULT_SYNC_INTERVAL;
  private int directoryReplicas = DEFAULT_DIRECTORY_REPLICAS;
  private long requestTimeout = DEFAULT_REQUEST_TIMEOUT;
  private String clusterHost = DEFAULT_CLUSTER_HOST;
  private int clusterPort = 0;
  private long settleDelay = DEFAULT_SETTLE_DELAY;
  private long failoverDelay = DEFAULT_FAILOVER_DELAY;
  private long reconcileInterval = DEFAULT_RECONCILE_INTERVAL;
  private dev.vxext.daemon.Rebalance rebalance = DEFAULT_REBALANCE;
  private JsonObject eventBusOptions = new JsonObject();
  private String zookeeperCredentials;
  private AdminOptions admin = new AdminOptions();
  private boolean vertxMetrics;
  private final Map<String, Launcher> launchers = new LinkedHashMap<>();
  private final Map<String, CronJob> cronJobs = new LinkedHashMap<>();
  private final Map<String, ProcessOptions> processes = new LinkedHashMap<>();
  private final Map<String, JsonObject> launcherConfigs = new LinkedHashMap<>();
  private dev.vxext.spi.PlacementStrategy placement;

  /** Options with every default; a node name must still be set. */
  public NodeOptions() {
  }

  /** Copy constructor. */
  public NodeOptions(NodeOptions other) {
    this(other.toJson());
    other.launchers.forEach((name, launcher) -> {
      if (!launchers.containsKey(name)) launchers.put(name, launcher);
    });
    this.placement = other.placement;
  }

  /**
   * Options read from JSON, keys as in {@link #toJson()}; a missing key keeps its default. Reading is
   * strict: a key that is not an option (at the top level, in {@code admin}, a launcher, a daemon entry, a
   * cron job or a process) is refused with the nearest known key; a value of the wrong JSON type, or a
   * number that is not an integer, is refused naming the key. Not checked: what Vert.x reads itself
   * ({@code deploymentOptions}, but for {@code instances}) and user data (a daemon's {@code args}, a cron
   * job's {@code payload}, a process's {@code config}).
   *
   * @throws IllegalArgumentException when a key is unknown or a value is invalid or of the wrong type,
   *   naming the key and where it is
   */
  public NodeOptions(JsonObject json) {
    Objects.requireNonNull(json, "json");
    NodeOptionsConverter.fromJson(json, this);
  }

  /**
   * @return every top-level key of the options JSON, in the order of the configuration reference (the keys
   *   the strict reading accepts; the launcher lists them in its help and derives its overrides from them)
   */
  public static List<String> jsonKeys() {
    return NodeOptionsConverter.KEYS;
  }

  /** @return the options as JSON, every key present */
  public JsonObject toJson() {
    return NodeOptionsConverter.toJson(this);
  }


  /** @return the node name, unique in the cluster; {@code null} until set */
  public String getNodeName() {
    return nodeName;
  }

  /**
   * Sets the node name: 1 to 128 characters of {@code [A-Za-z0-9._@-]}.
   *
   * @return this
   */
  public NodeOptions setNodeName(String nodeName) {
    String problem = ProcessNames.problem(nodeName);
    if (problem != null) {
      throw new IllegalArgumentException("nodeName " + problem);
    }
    this.nodeName = nodeName;
    return this;
  }

  /** @return the ZooKeeper connect string; empty for a node that runs alone */
  public String getZookeeperHosts() {
    return zookeeperHosts;
  }

  /**
   * Sets the ZooKeeper connect string, {@code host[:port][,host[:port]...][/chroot]}; empty means no
   * cluster. A host is a name, an IPv4 address or an IPv6 address in brackets; a port is 1 to 65535
   * (2181 when left out); no element may be empty; the chroot, an absolute znode path, comes once at the
   * end.
   *
   * @throws IllegalArgumentException when it is not such a string, saying what is wrong
   * @return this
   */
  public NodeOptions setZookeeperHosts(String zookeeperHosts) {
    if (zookeeperHosts == null) {
      throw new IllegalArgumentException("zookeeperHosts must not be null (use \"\" for a single node)");
    }
    String hosts = zookeeperHosts.trim();
    String problem = hosts.isEmpty() ? null : ConnectString.problem(hosts);
    if (problem != null) {
      throw new IllegalArgumentException("zookeeperHosts '" + hosts + "' is not a ZooKeeper connect string: " + problem
        + " (expected host:port[,host:port...][/chroot])");
    }
    this.zookeeperHosts = hosts;
    return this;
  }

  /** @return true when the node joins a cluster: on Hazelcast, or on ZooKeeper with hosts set */
  public boolean isClustered() {
    return isHazelcast() || !zookeeperHosts.isEmpty();
  }

  /** @return the cluster manager: {@value #ZOOKEEPER} (default) or {@value #HAZELCAST} */
  public String getClusterManager() {
    return clusterManager;
  }

  /** @return true when the cluster manager is {@value #HAZELCAST} */
  public boolean isHazelcast() {
    return HAZELCAST.equals(clusterManager);
  }

  /**
   * Sets the cluster manager: {@value #ZOOKEEPER} (default; {@code zookeeperHosts} empty = alone) or
   * {@value #HAZELCAST} (always clustered; needs {@code io.vertx:vertx-hazelcast} on the class path).
   *
   * @return this
   */
  public NodeOptions setClusterManager(String clusterManager) {
    if (!ZOOKEEPER.equals(clusterManager) && !HAZELCAST.equals(clusterManager)) {
      throw new IllegalArgumentException("clusterManager '" + clusterManager + "' is not supported (supported: "
        + ZOOKEEPER + ", " + HAZELCAST + ")");
    }
    this.clusterManager = clusterManager;
    return this;
  }

  /** @return the Hazelcast TCP-IP join members ({@code host} or {@code host:port}), unmodifiable */
  public List<String> getHazelcastMembers() {
    return hazelcastMembers;
  }

  /**
   * Sets the members a Hazelcast node contacts to join (TCP-IP join; multicast and auto-detection are
   * off): at least one {@code host} or {@code host:port}. Default {@code ["127.0.0.1"]}.
   *
   * @return this
   */
  public NodeOptions setHazelcastMembers(List<String> hazelcastMembers) {
    if (hazelcastMembers == null || hazelcastMembers.isEmpty()) {
      throw new IllegalArgumentException("hazelcastMembers must list at least one host or host:port");
    }
    List<String> members = new ArrayList<>();
    for (String m : hazelcastMembers) {
      if (m == null || m.isBlank() || m.contains(",") || m.contains(" ")) {
        throw new IllegalArgumentException("hazelcastMembers: '" + m + "' is not a host or host:port");
      }
      members.add(m.trim());
    }
    this.hazelcastMembers = List.copyOf(members);
    return this;
  }

  /** @return the first port a Hazelcast member binds (the next ones are tried while it is taken) */
  public int getHazelcastPort() {
    return hazelcastPort;
  }

  /**
   * Sets the first port a Hazelcast member binds (1 to 65535, default 5701; auto-increment is on).
   *
   * @return this
   */
  public NodeOptions setHazelcastPort(int hazelcastPort) {
    if (hazelcastPort < 1 || hazelcastPort > 65535) {
      throw new IllegalArgumentException("hazelcastPort must be between 1 and 65535");
    }
    this.hazelcastPort = hazelcastPort;
    return this;
  }

  /** @return the ZooKeeper root path */
  public String getZookeeperRootPath() {
    return zookeeperRootPath;
  }

  /**
   * Sets the ZooKeeper root path under which vertx-zookeeper keeps the cluster (no slashes).
   *
   * @return this
   */
  public NodeOptions setZookeeperRootPath(String zookeeperRootPath) {
    if (zookeeperRootPath == null || zookeeperRootPath.isEmpty() || zookeeperRootPath.contains("/")) {
      throw new IllegalArgumentException("zookeeperRootPath must be a non-empty name without '/'");
    }
    this.zookeeperRootPath = zookeeperRootPath;
    return this;
  }

  /** @return the ZooKeeper session timeout in ms */
  public long getSessionTimeout() {
    return sessionTimeout;
  }

  /**
   * Sets the ZooKeeper session timeout in ms (1000 to 600000).
   *
   * @return this
   */
  public NodeOptions setSessionTimeout(long sessionTimeout) {
    if (sessionTimeout < 1000 || sessionTimeout > 600_000) {
      throw new IllegalArgumentException("sessionTimeout must be between 1000 and 600000 ms");
    }
    this.sessionTimeout = sessionTimeout;
    return this;
  }

  /** @return the directory anti-entropy interval in ms */
  public long getSyncInterval() {
    return syncInterval;
  }

  /**
   * Sets the anti-entropy interval in ms (50 to 3600000): how often digests are compared.
   * Changes are pushed at once; this bounds how long a lost message can hide a name.
   *
   * @return this
   */
  public NodeOptions setSyncInterval(long syncInterval) {
    if (syncInterval < 50 || syncInterval > 3_600_000) {
      throw new IllegalArgumentException("syncInterval must be between 50 and 3600000 ms");
    }
    this.syncInterval = syncInterval;
    return this;
  }

  /** @return how many nodes own each directory entry */
  public int getDirectoryReplicas() {
    return directoryReplicas;
  }

  /**
   * Sets how many nodes own each directory entry (1 to 16).
   *
   * @return this
   */
  public NodeOptions setDirectoryReplicas(int directoryReplicas) {
    if (directoryReplicas < 1 || directoryReplicas > 16) {
      throw new IllegalArgumentException("directoryReplicas must be between 1 and 16");
    }
    this.directoryReplicas = directoryReplicas;
    return this;
  }

  /** @return the default timeout of locate, call and send, in ms */
  public long getRequestTimeout() {
    return requestTimeout;
  }

  /**
   * Sets the default timeout of locate, call and send in ms (1 to 600000).
   *
   * @return this
   */
  public NodeOptions setRequestTimeout(long requestTimeout) {
    if (requestTimeout < 1 || requestTimeout > 600_000) {
      throw new IllegalArgumentException("requestTimeout must be between 1 and 600000 ms");
    }
    this.requestTimeout = requestTimeout;
    return this;
  }

  /** @return the host the clustered event bus binds to and advertises */
  public String getClusterHost() {
    return clusterHost;
  }

  /**
   * Sets the host the clustered event bus binds to and advertises (default 127.0.0.1).
   *
   * @return this
   */
  public NodeOptions setClusterHost(String clusterHost) {
    if (clusterHost == null || clusterHost.isBlank()) {
      throw new IllegalArgumentException("clusterHost must not be empty");
    }
    this.clusterHost = clusterHost;
    return this;
  }

  /** @return the event-bus port; 0 picks a free one */
  public int getClusterPort() {
    return clusterPort;
  }

  /**
   * Sets the event-bus port (0 to 65535; 0 picks a free port).
   *
   * @return this
   */
  public NodeOptions setClusterPort(int clusterPort) {
    if (clusterPort < 0 || clusterPort > 65535) {
      throw new IllegalArgumentException("clusterPort must be between 0 and 65535");
    }
    this.clusterPort = clusterPort;
    return this;
  }

  /** @return how long the view must be settled before a new leader first scans the daemons, in ms */
  public long getSettleDelay() {
    return settleDelay;
  }

  /**
   * Sets how settled the view must be before a new leader's first scan of the daemons (0 to 600000 ms):
   * the leader waits until it has been up, and no node has joined, for this long. At a cold start the
   * nodes starting together join in that time, so the first placement spreads the daemons over all of them
   * (a joining node moves no daemon, unless {@link #setRebalance rebalance} is on-join); a leader taking over
   * in a running cluster scans at once (a lost leader's daemons then wait only for
   * {@link #setFailoverDelay the failover gate}).
   *
   * @return this
   */
  public NodeOptions setSettleDelay(long settleDelay) {
    if (settleDelay < 0 || settleDelay > 600_000) {
      throw new IllegalArgumentException("settleDelay must be between 0 and 600000 ms");
    }
    this.settleDelay = settleDelay;
    return this;
  }

  /** @return when the daemon leader moves running daemons to the node the placement picks now */
  public dev.vxext.daemon.Rebalance getRebalance() {
    return rebalance;
  }

  /**
   * Sets when the daemon leader moves running daemons (JSON key {@code rebalance}: {@code "never"}, the
   * default, or {@code "on-join"}). With {@code never} a running daemon stays where it is (a joining node
   * takes only new placements). With {@code on-join}, once the view has settled after a node joined, the
   * leader moves to it the daemons whose placement pick is now that node, at most 4 at a time: each is stopped on its node (handing
   * its {@link dev.vxext.daemon.DaemonHandOff} state off), then started on the new node, so it is briefly
   * unavailable and never runs twice. Only the leader moves daemons, and only those it last saw running;
   * a move cut short (the target refuses, the leader changes) leaves the daemon to the next reconciliation.
   * Every node should set the same value (the leader's counts).
   *
   * @return this
   */
  public NodeOptions setRebalance(dev.vxext.daemon.Rebalance rebalance) {
    if (rebalance == null) {
      throw new IllegalArgumentException("rebalance must be one of never, on-join, got null");
    }
    this.rebalance = rebalance;
    return this;
  }

  /** @return the delay before the leader re-places the daemons of a node lost without a hand-off, in ms */
  public long getFailoverDelay() {
    return failoverDelay;
  }

  /**
   * Sets how long the leader waits, after a node left without handing its daemons off, before it places
   * daemons again (0 to 600000 ms, default 1500); no daemon is placed anywhere meanwhile. The cluster counts
   * a node gone when its ZooKeeper session expires; a node still connected learns of its expiry on its next
   * reconnect (the ZooKeeper client waits up to 1 s) and then stops its daemons: this delay covers that. The
   * leader probes the lost node's event-bus port first: when the connection is refused, the process is gone
   * and its daemons are placed at once, so a crash costs only the session expiry. A node cut off from
   * ZooKeeper stopped its daemons at half the session timeout already.
   *
   * @return this
   */
  public NodeOptions setFailoverDelay(long failoverDelay) {
    if (failoverDelay < 0 || failoverDelay > 600_000) {
      throw new IllegalArgumentException("failoverDelay must be between 0 and 600000 ms");
    }
    this.failoverDelay = failoverDelay;
    return this;
  }

  /** @return the period of the leader's daemon reconciliation, in ms */
  public long getReconcileInterval() {
    return reconcileInterval;
  }

  /**
   * Sets the period of the leader's full daemon reconciliation (100 to 86400000 ms).
   *
   * @return this
   */
  public NodeOptions setReconcileInterval(long reconcileInterval) {
    if (reconcileInterval < 100 || reconcileInterval > 86_400_000) {
      throw new IllegalArgumentException("reconcileInterval must be between 100 and 86400000 ms");
    }
    this.reconcileInterval = reconcileInterval;
    return this;
  }

  /** @return the launchers of this node by name, in the order they were added */
  public Map<String, Launcher> getLaunchers() {
    return Collections.unmodifiableMap(launchers);
  }

  /**
   * Declares a daemon launcher under {@code name} (a valid process name, unique per node). Declare it
   * under the same name on every node that may run its daemons.
   *
   * @return this
   */
  public NodeOptions addLauncher(String name, Launcher launcher) {
    String problem = ProcessNames.problem(name);
    if (problem != null) {
      throw new IllegalArgumentException("launcher name " + problem);
    }
    Objects.requireNonNull(launcher, "launcher");
    if (launchers.containsKey(name)) {
      throw new IllegalArgumentException("launcher '" + name + "' is already declared");
    }
    launchers.put(name, launcher);
    return this;
  }

  /** @return the cron jobs of this node, in the order they were added */
  public java.util.List<CronJob> getCronJobs() {
    return java.util.List.copyOf(cronJobs.values());
  }

  /**
   * Declares a cron job. Its name must be unique on this node; declare a {@code CLUSTER} job on every
   * node that may fire it.
   *
   * @throws IllegalArgumentException when the job is incomplete or its name is taken, naming the job
   * @return this
   */
  public NodeOptions addCronJob(CronJob job) {
    Objects.requireNonNull(job, "job");
    job.validate();
    if (cronJobs.containsKey(job.getName())) {
      throw new IllegalArgumentException("cron job '" + job.getName() + "' is declared twice");
    }
    cronJobs.put(job.getName(), new CronJob(job.toJson()));
    return this;
  }

  /** @return the processes registered when the node starts, in the order they were added (copies) */
  public List<ProcessOptions> getProcesses() {
    return processes.values().stream().map(ProcessOptions::new).toList();
  }

  /**
   * Declares a plain named process, registered on this node when it starts (in the order declared, before
   * the cron jobs start); a process that cannot be registered fails the start, naming it. Its name must be
   * unique among the processes of this node.
   *
   * @throws IllegalArgumentException when the process is incomplete, its class cannot be deployed or its
   *   name is taken, naming the process
   * @return this
   */
  public NodeOptions addProcess(ProcessOptions process) {
    Objects.requireNonNull(process, "process");
    process.validate();
    if (processes.containsKey(process.getName())) {
      throw new IllegalArgumentException("process '" + process.getName() + "' is declared twice");
    }
    processes.put(process.getName(), new ProcessOptions(process));
    return this;
  }

  /** @return Vert.x {@code EventBusOptions} JSON merged into the clustered event bus's options (a copy) */
  public JsonObject getEventBusOptions() {
    return eventBusOptions.copy();
  }

  /**
   * Sets Vert.x {@code EventBusOptions} JSON for the clustered event bus, passed through the Vert.x way:
   * for mutual TLS between nodes, {@code {"ssl": true, "clientAuth": "REQUIRED", "pfxKeyCertOptions":
   * {"path", "password"}, "pfxTrustOptions": {...}}} (or {@code keyStoreOptions}/{@code pemKeyCertOptions},
   * {@code trustStoreOptions}/{@code pemTrustOptions}). {@code host}/{@code port} here win over
   * {@code clusterHost}/{@code clusterPort}.
   * <p>
   * Checked strictly, as Vert.x itself skips what it does not understand: every key must be an
   * {@code EventBusOptions} property (so {@code "SSL"} or {@code "jksOptions"} is refused, with the key to
   * write instead) and its value of the property's JSON type ({@code "ssl": "true"} is refused);
   * {@code "ssl": true} needs a key/certificate ({@code pemKeyCertOptions}, {@code pfxKeyCertOptions} or
   * {@code keyStoreOptions}).
   *
   * @throws IllegalArgumentException when a key is unknown, a value has the wrong type, Vert.x cannot read
   *   it, or TLS is on without a key/certificate
   * @return this
   */
  public NodeOptions setEventBusOptions(JsonObject eventBusOptions) {
    JsonObject json = eventBusOptions == null ? new JsonObject() : eventBusOptions.copy();
    EventBusJson.check(json);
    this.eventBusOptions = json;
    return this;
  }

  /** @return the ZooKeeper digest credentials ({@code user:password}), or null */
  public String getZookeeperCredentials() {
    return zookeeperCredentials;
  }

  /**
   * Sets ZooKeeper digest credentials {@code user:password}: the node authenticates with them and every
   * znode it creates under the root path is readable and writable only by that identity (ACL
   * {@code CREATOR_ALL}). Every node of the cluster must use the same credentials. Null clears them.
   *
   * @return this
   */
  public NodeOptions setZookeeperCredentials(String zookeeperCredentials) {
    if (zookeeperCredentials != null && !zookeeperCredentials.matches("[^:\\s]+:\\S+")) {
      throw new IllegalArgumentException("zookeeperCredentials must look like user:password");
    }
    this.zookeeperCredentials = zookeeperCredentials;
    return this;
  }

  /** @return the admin server options (a copy) */
  public AdminOptions getAdmin() {
    return new AdminOptions(admin);
  }

  /**
   * Sets the admin server options (cluster page, JSON API, {@code /metrics}, {@code /health}); off unless
   * its port is set. Null turns it off.
   *
   * @return this
   */
  public NodeOptions setAdmin(AdminOptions admin) {
    AdminOptions copy = admin == null ? new AdminOptions() : new AdminOptions(admin);
    copy.validate();
    this.admin = copy;
    return this;
  }

  /**
   * @return where new daemons and cluster cron jobs go; null for the default, the consistent-hash ring of the
   *   Go original
   */
  public dev.vxext.spi.PlacementStrategy getPlacement() {
    return placement;
  }

  /**
   * Sets where new daemons (the leader's placements and spawns) and cluster cron jobs go: a strategy that
   * is deterministic for a given member set (see {@link dev.vxext.spi.PlacementStrategy}), the same on every
   * node. Java only (not in JSON). Null (the default) means the consistent-hash ring of the Go original.
   *
   * @return this
   */
  public NodeOptions setPlacement(dev.vxext.spi.PlacementStrategy placement) {
    this.placement = placement;
    return this;
  }

  /** @return true when Vert.x's own meters go into the node's meter registry */
  public boolean isVertxMetrics() {
    return vertxMetrics;
  }

  /**
   * Also records Vert.x's own metrics (event bus, HTTP, pools; {@code vertx-micrometer-metrics}) in the
   * node's registry, next to the {@code vxext.*} meters. Off by default: it costs a little on every
   * event-bus message. For nodes started with {@code ClusterNode.start} or the launcher (the fat jar); a node
   * deployed with {@code ClusterNode.deploy} runs on a Vert.x built by its application, which configures
   * Vert.x's metrics itself.
   *
   * @return this
   */
  public NodeOptions setVertxMetrics(boolean vertxMetrics) {
    this.vertxMetrics = vertxMetrics;
    return this;
  }

  /** Records the JSON a launcher was declared with, so {@link #toJson()} writes it back. */
  void addLauncherConfig(String name, JsonObject json) {
    addLauncher(name, LauncherConfig.launcher(name, json));
    launcherConfigs.put(name, json.copy());
  }

  /** @return the launchers declared in JSON, by name */
  Map<String, JsonObject> launcherConfigs() {
    return Collections.unmodifiableMap(launcherConfigs);
  }

  /**
   * Checks the options are complete enough to start a node.
   *
   * @throws IllegalArgumentException naming what is missing
   */
  public void validate() {
    if (nodeName == null) {
      throw new IllegalArgumentException("nodeName is required");
    }
  }

  @Override
  public String toString() {
    JsonObject json = toJson();
    if (zookeeperCredentials != null) json.put("zookeeperCredentials", "***");
    if (admin.getToken() != null) json.getJsonObject("admin").put("token", "***");
    return "NodeOptions" + json.encode();
  }
}
