package dev.vxext.fault;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.addressbook.NodeEntry;
import dev.vxext.cluster.LeaderInfo;
import dev.vxext.process.ProcessId;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The cluster of one fault scenario: {@link FaultNode} JVMs on a fresh ZooKeeper root path, plus an
 * observer {@link ClusterNode} in this JVM (no launchers) that runs the {@value FaultNode#MONITOR}
 * process recording the heartbeats. Knows the current JVM of every node name (a node killed and started
 * again gets a new incarnation). Every node (the observer too) runs its admin server on a free loopback
 * port, for {@code /health}. {@link #close()} stops everything, bounded.
 * <p>
 * With {@link #behindProxies()}, every node (the observer too) runs behind two {@link TcpProxy}s of its
 * own ({@link ClusterLinks}): peers reach its event bus only through one (it advertises the proxy's port as
 * {@code clusterPublicPort}), and it reaches ZooKeeper only through the other, so a scenario can cut and
 * heal its links ({@link #cutFromZookeeper}, {@link #cutFromPeers}, {@link #cutOneWay}, {@link #healAll}).
 */
final class FaultCluster implements AutoCloseable {

  /** Name of the observer node (in the runner's JVM). */
  static final String OBSERVER = "observer";

  private static final long READY_MS = 60_000;
  private static final long STOP_MS = 10_000;
  private static final long FUTURE_MS = 30_000;

  final String scenario;
  final String rootPath;
  final long sessionTimeout;
  final long settleDelay;
  final int daemonCount;
  final List<String> names;
  final HeartbeatMonitor beats = new HeartbeatMonitor();
  private final String zookeeper;
  private final Path logDir;
  private final Map<String, FaultJvm> current = new LinkedHashMap<>();
  private final List<FaultJvm> every = new ArrayList<>();
  private final List<FaultJvm.Leadership> observerLeadership = new CopyOnWriteArrayList<>();
  private final ClusterLinks links;
  private boolean proxied;
  private boolean rebalance;
  /** Supervised spawns of the scenario, checked like the declared daemons (see {@link #daemons()}). */
  private final List<String> spawns = new java.util.concurrent.CopyOnWriteArrayList<>();
  private ClusterNode observer;
  private Map<String, Object> exits;

  /** A leadership report of a node JVM ({@code LEADERSHIP} line) or of the observer. */
  record LeaderEvent(String node, long at, boolean leader) {
  }

  FaultCluster(String scenario, String zookeeper, Path logDir, List<String> names, long sessionTimeout,
               long settleDelay, int daemonCount) {
    this.scenario = scenario;
    this.zookeeper = zookeeper;
    this.logDir = logDir;
    this.names = List.copyOf(names);
    this.sessionTimeout = sessionTimeout;
    this.settleDelay = settleDelay;
    this.daemonCount = daemonCount;
    this.links = new ClusterLinks(zookeeper);
    this.rootPath = "vxext-faults-" + scenario + "-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
  }

  /**
   * Runs every node (the observer too) behind proxies of its own (see the class documentation); call it
   * before {@link #start()}.
   *
   * @return this
   */
  FaultCluster behindProxies() {
    this.proxied = true;
    return this;
  }

  /**
   * Every node (the observer too) runs with {@code rebalance: on-join}; call it before {@link #start()}.
   *
   * @return this
   */
  FaultCluster rebalanceOnJoin() {
    this.rebalance = true;
    return this;
  }

  /** Adds supervised spawns (of {@link FaultNode#LAUNCHER}) to the names checked like daemons. */
  void addSpawns(List<String> names) {
    spawns.addAll(names);
  }

  /** Removes a supervised spawn (stopped) from the names checked like daemons. */
  void removeSpawn(String name) {
    spawns.remove(name);
  }

  /** @return true when the nodes run behind proxies */
  boolean proxied() {
    return proxied;
  }

  /** @return the log of this JVM (the observer's lines carry {@code [node=observer]}), written by {@link FaultSuite} */
  Path observerLog() {
    return logDir.getParent().resolve("runner.log");
  }

  /** @return the failover bound: session timeout + settle delay + 3 s slack */
  long failoverBound() {
    return sessionTimeout + settleDelay + 3_000;
  }

  /** @return the bound of a recovery after a heal: 2 session timeouts + 2 settle delays + 5 s */
  long recoveryBound() {
    return 2 * sessionTimeout + 2 * settleDelay + 5_000;
  }

  /** @return the daemon names {@code fd-00 ..}, then the supervised spawns added by {@link #addSpawns} */
  List<String> daemons() {
    List<String> all = new ArrayList<>(FaultNode.daemonNames(daemonCount));
    all.addAll(spawns);
    return all;
  }

  /**
   * Starts every node JVM at once, waits until each is READY, then starts the observer and registers the
   * monitor.
   */
  void start() throws Exception {
    for (String n : names) {
      launch(n);
    }
    for (String n : names) {
      if (!current.get(n).awaitReady(READY_MS)) {
        throw new IllegalStateException(n + " is not READY after " + READY_MS + " ms; see " + current.get(n).log);
      }
    }
    NodeOptions options = new NodeOptions().setNodeName(OBSERVER).setZookeeperHosts(zookeeper)
      .setZookeeperRootPath(rootPath).setSessionTimeout(sessionTimeout).setSettleDelay(settleDelay)
      .setSyncInterval(500).setReconcileInterval(1_000).setRequestTimeout(FaultNode.REQUEST_TIMEOUT_MS)
      .setAdmin(new dev.vxext.admin.AdminOptions().setHost("127.0.0.1").setPort(0));
    if (rebalance) {
      options.setRebalance(dev.vxext.daemon.Rebalance.ON_JOIN);
    }
    if (proxied) {
      ClusterLinks.NodeLinks l = links.create(OBSERVER);
      options.setZookeeperHosts(l.zookeeper().address()).setClusterHost("127.0.0.1").setClusterPort(l.clusterPort())
        .setEventBusOptions(new JsonObject().put("clusterPublicHost", "127.0.0.1")
          .put("clusterPublicPort", l.eventBus().port()));
    }
    observer = await(ClusterNode.start(options));
    // the observer competes for leadership too (it offers no launcher, but it can lead)
    FaultCluster.await(observer.vertx().eventBus().<JsonObject>localConsumer(dev.vxext.protocol.Protocol.LEADERSHIP_ADDRESS,
      m -> observerLeadership.add(new FaultJvm.Leadership(System.currentTimeMillis(),
        LeaderInfo.fromJson(m.body()).self()))).completion());
    observerLeadership.add(new FaultJvm.Leadership(System.currentTimeMillis(), observer.isLeader()));
    beats.tap(observer.vertx(), OBSERVER, n -> members().contains(n));
    await(observer.register(FaultNode.MONITOR, () -> new HeartbeatMonitor.Monitor(beats), new DeploymentOptions()));
  }

  /** Starts a new JVM for node {@code name} (its previous JVM, if any, must be dead). */
  FaultJvm launch(String name) throws IOException {
    List<String> args = new ArrayList<>(List.of(name, zookeeper, rootPath, Long.toString(sessionTimeout),
      Long.toString(settleDelay), Integer.toString(daemonCount), OBSERVER, "--admin-port=0"));
    if (rebalance) {
      args.add("--rebalance=1");
    }
    if (proxied) {
      ClusterLinks.NodeLinks l = links.create(name);
      args.set(1, l.zookeeper().address());
      args.add("--cluster-port=" + l.clusterPort());
      args.add("--public-port=" + l.eventBus().port());
    }
    long startedAt = System.currentTimeMillis();
    int incarnation = beats.newIncarnation(name, startedAt);
    FaultJvm jvm = FaultJvm.start(name, incarnation, startedAt, args, logDir);
    synchronized (this) {
      current.put(name, jvm);
      every.add(jvm);
    }
    return jvm;
  }

  /** @return the cluster node id of {@code node} (a node JVM's {@code NODEID} line, or the observer's) */
  String nodeId(String node) {
    if (OBSERVER.equals(node)) {
      return ((VertxInternal) observer.vertx()).clusterManager().getNodeId();
    }
    String id = jvm(node).nodeId();
    if (id == null) {
      throw new IllegalStateException(node + " printed no NODEID line");
    }
    return id;
  }

  /** @return the admin port of {@code node} (or of the observer), -1 when unknown */
  int adminPort(String node) {
    return OBSERVER.equals(node) ? observer.adminPort() : jvm(node).adminPort();
  }

  /** Cuts {@code node} from ZooKeeper only: its ZooKeeper proxy holds every byte. */
  void cutFromZookeeper(String node) {
    links.cutFromZookeeper(node);
  }

  /** Cuts {@code node} from every peer (the observer included) both ways. */
  void cutFromPeers(String node) {
    links.cutFromPeers(node, nodeId(node));
  }

  /** One-way cut: {@code from} cannot reach {@code to}; {@code to} reaches {@code from}. */
  void cutOneWay(String from, String to) {
    links.cutOneWay(nodeId(from), to);
  }

  /** Heals every proxy of every node. @return the time, epoch ms */
  long healAll() {
    return links.healAll();
  }

  /** @return per node, its proxies' connections held / open */
  String linkStates() {
    return links.states();
  }

  /** @return the current JVM of node {@code name} */
  synchronized FaultJvm jvm(String name) {
    return current.get(name);
  }

  /** @return every JVM started in this scenario, in start order */
  synchronized List<FaultJvm> everyJvm() {
    return List.copyOf(every);
  }

  ClusterNode observer() {
    return observer;
  }

  /**
   * @return the nodes whose current JVM is alive, not frozen, and last said it leads, and the observer
   *   when it leads
   */
  synchronized List<String> leaders() {
    List<String> leaders = new ArrayList<>();
    current.values().stream().filter(j -> j.alive() && !j.frozen() && j.saysLeader()).forEach(j -> leaders.add(j.name));
    if (observer != null && observer.isLeader()) {
      leaders.add(OBSERVER);
    }
    return leaders;
  }

  /** @return every leadership report (of every JVM and of the observer) made after {@code t}, by time */
  List<LeaderEvent> leadershipAfter(long t) {
    List<LeaderEvent> events = new ArrayList<>();
    for (FaultJvm j : everyJvm()) {
      j.leadership().stream().filter(l -> l.at() > t).forEach(l -> events.add(new LeaderEvent(j.name, l.at(), l.leader())));
    }
    observerLeadership.stream().filter(l -> l.at() > t).forEach(l -> events.add(new LeaderEvent(OBSERVER, l.at(), l.leader())));
    events.sort(Comparator.comparingLong(LeaderEvent::at));
    return events;
  }

  /** @return the node names in the observer's address book (the observer included) */
  List<String> members() {
    return observer.addressBook().availableNodes().stream().map(NodeEntry::name).toList();
  }

  /** @return true when the observer's address book holds every node name and the observer */
  boolean allMembers() {
    List<String> m = members();
    return m.contains(OBSERVER) && m.containsAll(names) && m.size() == names.size() + 1;
  }

  /**
   * @return for every daemon, its only instance that heartbeated within the last {@code withinMs} (null
   *   for a daemon with none or several)
   */
  Map<String, HeartbeatMonitor.Instance> singleLive(long withinMs) {
    long since = System.currentTimeMillis() - withinMs;
    Map<String, HeartbeatMonitor.Instance> map = new LinkedHashMap<>();
    for (String d : daemons()) {
      List<HeartbeatMonitor.Instance> live = beats.live(d, since);
      map.put(d, live.size() == 1 ? live.get(0) : null);
    }
    return map;
  }

  /** @return true when every daemon has exactly one instance heartbeating (within the last 500 ms) */
  boolean everyDaemonOnce() {
    return singleLive(500).values().stream().allMatch(i -> i != null);
  }

  /** @return how many daemons each node runs, by its live heartbeats (within the last 500 ms) */
  Map<String, List<String>> placement() {
    Map<String, List<String>> byNode = new LinkedHashMap<>();
    names.forEach(n -> byNode.put(n, new ArrayList<>()));
    long since = System.currentTimeMillis() - 500;
    for (String d : daemons()) {
      for (HeartbeatMonitor.Instance i : beats.live(d, since)) {
        byNode.computeIfAbsent(i.node(), k -> new ArrayList<>()).add(d);
      }
    }
    return byNode;
  }

  /** Looks every daemon up from the observer; @return name to process, for those found */
  Map<String, ProcessId> lookupAll() {
    Map<String, Future<ProcessId>> lookups = new LinkedHashMap<>();
    daemons().forEach(d -> lookups.put(d, observer.lookup(d)));
    joinQuietly(new ArrayList<>(lookups.values()));
    Map<String, ProcessId> found = new LinkedHashMap<>();
    lookups.forEach((d, f) -> {
      if (f.succeeded()) {
        found.put(d, f.result());
      }
    });
    return found;
  }

  /** Calls every daemon from the observer at once; @return name to the node that answered, for those that did */
  Map<String, String> callAll() {
    Map<String, Future<Message<JsonObject>>> calls = new LinkedHashMap<>();
    daemons().forEach(d -> calls.put(d, observer.call(d, new JsonObject().put("ping", true))));
    joinQuietly(new ArrayList<>(calls.values()));
    Map<String, String> answered = new HashMap<>();
    calls.forEach((d, f) -> {
      if (f.succeeded() && d.equals(f.result().body().getString("name"))) {
        answered.put(d, f.result().body().getString("node"));
      }
    });
    return answered;
  }

  /**
   * What should be locatable: every daemon (at the node it heartbeats from, when exactly one instance
   * does), {@value FaultNode#MONITOR} (the observer) and the probe {@code fp-<node>} of every node whose JVM
   * is alive and not frozen. A daemon with none or several live instances maps to null.
   */
  Map<String, String> expectedLocations() {
    Map<String, String> expected = new LinkedHashMap<>();
    singleLive(500).forEach((d, i) -> expected.put(d, i == null ? null : i.node()));
    expected.put(FaultNode.MONITOR, OBSERVER);
    for (String n : liveNodes()) {
      expected.put(FaultNode.PROBE_PREFIX + n, n);
    }
    return expected;
  }

  /** @return the node names whose current JVM is alive, READY and not frozen */
  synchronized List<String> liveNodes() {
    return current.values().stream().filter(j -> j.alive() && !j.frozen() && j.isReady()).map(j -> j.name).toList();
  }

  /**
   * Looks up every name of {@link #expectedLocations()} from the observer and from every live node (a call
   * to its probe, which looks them up in its own address book).
   *
   * @return the disagreements ({@code where: name -> found, expected}); empty when every registered process
   *   is locatable from everywhere at the node it runs on
   */
  List<String> locateProblems() {
    Map<String, String> expected = expectedLocations();
    List<String> problems = new ArrayList<>();
    expected.forEach((name, node) -> {
      if (node == null) {
        problems.add(name + ": none or several live instances");
      }
    });
    Map<String, Future<ProcessId>> lookups = new LinkedHashMap<>();
    expected.keySet().forEach(n -> lookups.put(n, observer.lookup(n)));
    joinQuietly(new ArrayList<>(lookups.values()));
    lookups.forEach((n, f) -> {
      String found = f.succeeded() ? f.result().node() : null;
      if (expected.get(n) != null && !expected.get(n).equals(found)) {
        problems.add(OBSERVER + ": " + n + " -> " + found + ", runs on " + expected.get(n));
      }
    });
    io.vertx.core.json.JsonArray names = new io.vertx.core.json.JsonArray(new ArrayList<>(expected.keySet()));
    Map<String, Future<Message<JsonObject>>> asks = new LinkedHashMap<>();
    for (String node : liveNodes()) {
      asks.put(node, observer.call(FaultNode.PROBE_PREFIX + node, new JsonObject().put("locate", names)));
    }
    joinQuietly(new ArrayList<>(asks.values()));
    asks.forEach((node, f) -> {
      if (f.failed()) {
        problems.add(node + ": its probe did not answer (" + f.cause().getMessage() + ")");
        return;
      }
      JsonObject found = f.result().body();
      expected.forEach((n, where) -> {
        if (where != null && !where.equals(found.getString(n))) {
          problems.add(node + ": " + n + " -> " + found.getString(n) + ", runs on " + where);
        }
      });
    });
    return problems;
  }

  /**
   * The end check "every registered process on a live node is locatable": polls {@link #locateProblems()}
   * (every 500 ms, at most {@code timeoutMs}) and adds the check to {@code report}.
   */
  void checkLocatable(FaultReport report, long timeoutMs) throws InterruptedException {
    List<String> last = new ArrayList<>();
    long took = until(timeoutMs, 500, () -> {
      List<String> p = locateProblems();
      last.clear();
      last.addAll(p);
      return p.isEmpty();
    });
    int names = expectedLocations().size();
    report.check("at the end every registered process on a live node (" + names + ": daemons, " + FaultNode.MONITOR
        + ", one probe per node) is locatable from the observer and from every live node, at its node",
      took >= 0, took >= 0 ? "after " + took + " ms, from " + (liveNodes().size() + 1) + " nodes"
        : last.size() + " problems: " + FaultReport.firstN(last, 8));
  }

  /**
   * The cluster cron checks over the ticks scheduled in [{@code from}, {@code to}] (whole seconds; call it
   * with a {@code from} at which the job already has an owner, such as 1 s after convergence): a table
   * row and two checks: no tick delivered twice; every tick never delivered is counted as a misfire by a
   * node (its log: "older than the misfire grace were missed", "lost", "missed").
   */
  void checkCron(FaultReport report, long from, long to) {
    java.util.SortedMap<Long, List<String>> ticks = beats.ticks();
    // every whole second from 'from' on is due (not from the first tick delivered: that would hide misses)
    long first = ticks.isEmpty() ? -1 : (from + 999) / 1_000 * 1_000;
    to = to / 1_000 * 1_000;
    List<String> twice = new ArrayList<>();
    List<Long> missing = new ArrayList<>();
    int seen = 0;
    if (first > 0) {
      for (long s = first; s <= to; s += 1_000) {
        List<String> d = ticks.get(s);
        if (d == null) {
          missing.add(s);
        } else {
          seen++;
          if (d.size() > 1) {
            twice.add(FaultJvm.clock(s) + " " + d);
          }
        }
      }
    }
    long late = 0;
    long lateMax = 0;
    for (Map.Entry<Long, List<String>> e : ticks.subMap(Math.max(0, first), to + 1).entrySet()) {
      for (String d : e.getValue()) {
        long firedAt = Long.parseLong(d.substring(d.lastIndexOf('@') + 1));
        if (firedAt - e.getKey() > 1_000) {
          late++;
          lateMax = Math.max(lateMax, firedAt - e.getKey());
        }
      }
    }
    List<String> counted = new ArrayList<>();
    long misfires = countedMisfires(counted);
    report.table("cluster cron '" + FaultNode.CRON_JOB + "' (every second, misfire grace " + FaultNode.CRON_GRACE_MS
        + " ms): ticks scheduled from " + (first < 0 ? "-" : FaultJvm.clock(first)) + " to " + FaultJvm.clock(to),
      "ticks due", "delivered", "fired twice", "never delivered", "counted as misfires (node logs)",
      "fired > 1 s late (catch-up)", "latest");
    report.row(first < 0 ? 0 : (to - first) / 1_000 + 1, seen, twice.size(), missing.size(), misfires, late,
      lateMax + " ms");
    if (!counted.isEmpty()) {
      report.note("misfire lines: " + FaultReport.firstN(counted, 6));
    }
    report.check("cluster cron: no tick fired twice", first > 0 && twice.isEmpty(),
      first < 0 ? "no tick delivered" : twice.isEmpty() ? seen + " ticks" : FaultReport.firstN(twice, 6));
    report.check("cluster cron: no tick missed except those counted as misfires", first > 0 && missing.size() <= misfires,
      missing.size() + " never delivered" + (missing.isEmpty() ? "" : " " + FaultReport.firstN(
        missing.stream().map(FaultJvm::clock).toList(), 8)) + ", " + misfires + " counted as misfires");
  }

  /** @return the misfires the nodes counted (their logs), the lines into {@code lines} */
  private long countedMisfires(List<String> lines) {
    long n = 0;
    for (FaultJvm j : everyJvm()) {
      for (String line : j.logLines("cron job '" + FaultNode.CRON_JOB + "'")) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) tick\\(s\\) older than the misfire grace were missed")
          .matcher(line);
        if (m.find()) {
          n += Long.parseLong(m.group(1));
          lines.add(j.id() + ": " + FaultReport.logText(line));
        } else if (line.contains(" lost: ") || line.contains(" missed: ")) {
          n++;
          lines.add(j.id() + ": " + FaultReport.logText(line));
        }
      }
    }
    return n;
  }

  private static void joinQuietly(List<? extends Future<?>> futures) {
    try {
      Future.join(new ArrayList<>(futures)).otherwiseEmpty().toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the unfinished ones count as not answered
    }
  }

  /**
   * Polls {@code condition} every {@code pollMs} until it holds or {@code timeoutMs} passed (at most
   * {@code timeoutMs / pollMs + 1} polls). Exceptions count as false.
   *
   * @return the elapsed ms when it held, -1 on timeout
   */
  static long until(long timeoutMs, long pollMs, BooleanSupplier condition) throws InterruptedException {
    long start = System.currentTimeMillis();
    long polls = timeoutMs / Math.max(1, pollMs) + 1;
    for (long i = 0; i < polls; i++) {
      boolean ok;
      try {
        ok = condition.getAsBoolean();
      } catch (RuntimeException e) {
        ok = false;
      }
      long elapsed = System.currentTimeMillis() - start;
      if (ok) {
        return elapsed;
      }
      if (elapsed >= timeoutMs) {
        break;
      }
      Thread.sleep(Math.min(pollMs, Math.max(1, timeoutMs - elapsed)));
    }
    return -1;
  }

  /**
   * Holds while {@code condition} stays true for {@code holdMs} (polled every 100 ms), within
   * {@code timeoutMs} overall.
   *
   * @return true when it held for the whole window
   */
  static boolean stable(long holdMs, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
    long start = System.currentTimeMillis();
    long since = -1;
    for (long i = 0; i < timeoutMs / 100 + 1; i++) {
      long now = System.currentTimeMillis();
      boolean ok;
      try {
        ok = condition.getAsBoolean();
      } catch (RuntimeException e) {
        ok = false;
      }
      since = ok ? (since < 0 ? now : since) : -1;
      if (since >= 0 && now - since >= holdMs) {
        return true;
      }
      if (now - start >= timeoutMs) {
        return false;
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** Blocks for a future, at most 30 s. */
  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(FUTURE_MS, TimeUnit.MILLISECONDS);
  }

  /** Stops everything (once; see {@link #shutdown()}). */
  @Override
  public void close() {
    shutdown();
  }

  /** Stops everything once (see {@link #stopAll()}); @return the exit status of every JVM */
  Map<String, Object> shutdown() {
    if (exits == null) {
      exits = stopAll();
    }
    return exits;
  }

  /** @return the exit status of every JVM once shut down, else null */
  Map<String, Object> exits() {
    return exits;
  }

  /**
   * Closes the observer, then every JVM (clean close on stdin EOF, SIGKILL after 10 s), then every
   * proxy.
   *
   * @return node JVM to exit status
   */
  private Map<String, Object> stopAll() {
    Map<String, Object> exits = new LinkedHashMap<>();
    try {
      // a scenario that failed during a cut: let the nodes close cleanly
      healAll();
    } catch (RuntimeException e) {
      exits.put("proxies", "heal failed: " + e);
    }
    try {
      if (observer != null) {
        observer.close().toCompletionStage().toCompletableFuture().get(FUTURE_MS, TimeUnit.MILLISECONDS);
      }
    } catch (Exception e) {
      exits.put(OBSERVER, "close failed: " + e);
    } finally {
      List<FaultJvm> all = everyJvm();
      // stdin EOF to all first: they close in parallel
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_MS);
      all.forEach(j -> {
        if (j.alive() && !j.frozen()) {
          try {
            j.process.getOutputStream().close();
          } catch (IOException e) {
            // gone
          }
        }
      });
      for (FaultJvm j : all) {
        exits.put(j.id(), j.stop(deadline));
      }
      links.closeAll();
    }
    return exits;
  }
}
