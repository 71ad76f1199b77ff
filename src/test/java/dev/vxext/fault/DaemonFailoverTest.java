package dev.vxext.fault;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.cluster.MembershipEvent;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessVerticle;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fault test of the daemons across JVMs: three {@link FaultNode} JVMs run twelve daemons; the node with
 * the most daemons (not the leader) is killed with SIGKILL; every daemon it ran must run again on a
 * survivor, and no daemon may ever run twice at once. The heartbeats the daemons send to a
 * {@code monitor} process of an observer node (in this JVM, offering no launcher) are the evidence, and
 * give the failover time (kill to first heartbeat of the new instance), printed for BENCHMARKS.md.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class DaemonFailoverTest {

  private static final int DAEMONS = 12;
  private static final long SESSION_TIMEOUT = 4_000;
  private static final long SETTLE_DELAY = 1_000;
  /** The default: daemons of a crashed node are placed again as soon as its session expired. */
  private static final long FAILOVER_DELAY = NodeOptions.DEFAULT_FAILOVER_DELAY;
  private static final long OVERLAP_TOLERANCE_MS = 250;
  private static final List<String> CHILDREN = List.of("fault-a", "fault-b", "fault-c");
  private static final String OBSERVER = "observer";
  private static final Duration READY_WAIT = Duration.ofSeconds(45);
  private static final Duration CONVERGE = Duration.ofSeconds(30);
  private static final Duration FAILOVER_WAIT = Duration.ofSeconds(30);
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);

  private final List<Child> children = new ArrayList<>();
  private final Heartbeats beats = new Heartbeats();
  private ClusterNode observer;
  private String rootPath;
  private Path logDir;

  @BeforeEach
  void setUp() throws IOException {
    rootPath = "vxext-fault-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
    logDir = Path.of("target", "fault-logs", rootPath);
    Files.createDirectories(logDir);
  }

  @AfterEach
  void tearDown() {
    children.forEach(Child::closeStdin);
    try {
      if (observer != null) {
        await(observer.close());
      }
    } finally {
      long deadline = System.nanoTime() + STOP_WAIT.toNanos();
      Map<String, Object> exits = new LinkedHashMap<>();
      children.forEach(c -> exits.put(c.name, c.destroy(deadline)));
      System.out.printf("FAULT-NODES exit status %s (137 = SIGKILL, 0 = clean exit on stdin EOF)%n", exits);
    }
  }

  @Test
  void killNineOfADaemonHostRunsItsDaemonsElsewhereAndNeverTwice() throws Exception {
    killNine(false);
  }

  /** The leader's lock is freed as soon as its process is proven gone: no wait for its session either. */
  @Test
  void killNineOfTheLeaderRunsItsDaemonsElsewhereBeforeItsSessionExpires() throws Exception {
    killNine(true);
  }

  private void killNine(boolean leaderToo) throws Exception {
    String zookeeper = ClusterFixture.zookeeper().getConnectString();
    for (String name : CHILDREN) {
      children.add(Child.start(name, List.of(name, zookeeper, rootPath, Long.toString(SESSION_TIMEOUT),
        Long.toString(SETTLE_DELAY), Integer.toString(DAEMONS), OBSERVER, Long.toString(FAILOVER_DELAY)), logDir));
    }
    for (Child c : children) {
      c.awaitReady(READY_WAIT);
    }
    observer = await(ClusterNode.start(new NodeOptions().setNodeName(OBSERVER).setZookeeperHosts(zookeeper)
      .setZookeeperRootPath(rootPath).setSessionTimeout(SESSION_TIMEOUT).setSettleDelay(SETTLE_DELAY)
      .setFailoverDelay(FAILOVER_DELAY).setSyncInterval(500).setReconcileInterval(1_000).setRequestTimeout(2_000)));
    await(observer.register(FaultNode.MONITOR, () -> new Monitor(beats), new DeploymentOptions()));

    // every daemon heartbeats, and the directory agrees with the heartbeats
    List<String> names = FaultNode.daemonNames(DAEMONS);
    Map<String, ProcessId> before = new ConcurrentHashMap<>();
    until(poll(CONVERGE), () -> {
      for (String n : names) {
        ProcessId pid = await(observer.lookup(n));
        before.put(n, pid);
        if (!beats.aliveSince(n, pid, System.currentTimeMillis() - 1_000)) return false;
      }
      return true;
    }, () -> "every daemon located and heartbeating; located " + before + ", heartbeats " + beats.all());
    // the leader as the nodes themselves report it (observer.leader() may never learn it: see FaultNode)
    until(poll(CONVERGE), () -> leaders().size() == 1, () -> "exactly one leader; reported " + leaders());
    String leader = leaders().get(0);

    Child victim = children.stream().filter(c -> leaderToo == c.name.equals(leader))
      .max(Comparator.comparingLong(c -> before.values().stream().filter(p -> p.node().equals(c.name)).count()))
      .orElseThrow();
    List<String> moved = names.stream().filter(n -> before.get(n).node().equals(victim.name)).toList();
    assertThat(moved).as("daemons on the victim %s (placement %s)", victim.name, before).isNotEmpty();
    Set<String> survivors = ConcurrentHashMap.newKeySet();
    children.stream().map(c -> c.name).filter(n -> !n.equals(victim.name)).forEach(survivors::add);

    AtomicLong seenGone = new AtomicLong(-1);
    observer.vertx().eventBus().<JsonObject>localConsumer(WhereIs.MEMBERSHIP_ADDRESS, m -> {
      MembershipEvent e = MembershipEvent.fromJson(m.body());
      if (e.type() == MembershipEvent.Type.LEFT && e.node().equals(victim.name)) {
        seenGone.compareAndSet(-1, System.currentTimeMillis());
      }
    });

    dev.vxext.addressbook.NodeEntry victimEntry = observer.addressBook().availableNodes().stream()
      .filter(e -> e.name().equals(victim.name)).findFirst().orElseThrow();
    // calls to the victim's processes around the kill: every one ends well before the request timeout
    List<String> targets = new ArrayList<>(moved);
    targets.add(FaultNode.PROBE_PREFIX + victim.name);
    List<long[]> callTimes = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Future<?>> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
    Map<Integer, String> failureText = new ConcurrentHashMap<>();
    long[] callTimer = {-1};
    callTimer[0] = observer.vertx().setPeriodic(20, id -> {
      for (String t : targets) {
        long issued = System.currentTimeMillis();
        Future<Message<Object>> f = observer.call(t, new JsonObject().put("ping", true));
        calls.add(f);
        f.onComplete(ar -> {
          int code = ar.succeeded() ? 200 : ar.cause() instanceof io.vertx.core.eventbus.ReplyException r ? r.failureCode() : -1;
          callTimes.add(new long[] {issued, System.currentTimeMillis(), code});
          if (ar.failed()) failureText.putIfAbsent(code, t + ": " + ar.cause().getMessage());
        });
      }
    });

    // when the kill becomes observable: the victim's event-bus port refuses connections (probed every ms)
    AtomicLong refusedAt = new AtomicLong(-1);
    Thread prober = new Thread(() -> {
      for (int i = 0; i < 10_000 && refusedAt.get() < 0; i++) {
        try (java.net.Socket s = new java.net.Socket()) {
          s.connect(new java.net.InetSocketAddress(victimEntry.host(), victimEntry.port()), 200);
        } catch (java.net.ConnectException e) {
          refusedAt.set(System.currentTimeMillis());
          return;
        } catch (IOException e) {
          // not refused: go on
        }
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "refusal-prober");
    prober.setDaemon(true);

    long t0 = System.currentTimeMillis();
    victim.process.destroyForcibly();
    prober.start();
    assertThat(victim.process.waitFor(10, TimeUnit.SECONDS)).as("the victim died").isTrue();
    assertThat(victim.process.exitValue()).as("exit status of a SIGKILLed JVM").isEqualTo(128 + 9);
    long dead = System.currentTimeMillis();

    // every moved daemon answers a call from a survivor
    Map<String, String> answeredBy = new ConcurrentHashMap<>();
    until(poll(FAILOVER_WAIT).pollInterval(Duration.ofMillis(200)), () -> {
      callAll(moved.stream().filter(n -> !answeredBy.containsKey(n)).toList()).forEach((n, node) -> {
        if (survivors.contains(node)) answeredBy.put(n, node);
      });
      return answeredBy.keySet().containsAll(moved);
    }, () -> "every daemon of " + victim.name + " " + moved + " answering from a survivor; answered " + answeredBy
      + ", heartbeats " + beats.all());
    until(poll(Duration.ofSeconds(5)), () -> moved.stream().allMatch(n -> beats.firstBeatAfter(n, t0, survivors) > 0),
      () -> "a heartbeat of every moved daemon from a survivor; heartbeats " + beats.all());
    Map<String, Long> failover = new LinkedHashMap<>();
    moved.forEach(n -> failover.put(n, beats.firstBeatAfter(n, t0, survivors) - t0));
    observer.vertx().cancelTimer(callTimer[0]);
    until(poll(Duration.ofSeconds(10)), () -> calls.stream().allMatch(Future::isComplete),
      () -> "every call around the kill completed; " + calls.stream().filter(f -> !f.isComplete()).count() + " pending");
    Map<Integer, Long> outcomes = new java.util.TreeMap<>();
    long slowestAfterKill = 0;
    long slowestFailure = 0;
    long refused = refusedAt.get();
    for (long[] c : callTimes) {
      outcomes.merge((int) c[2], 1L, Long::sum);
      if (c[0] >= dead) slowestAfterKill = Math.max(slowestAfterKill, c[1] - c[0]);
      if (c[2] != 200 && refused > 0) slowestFailure = Math.max(slowestFailure, c[1] - Math.max(c[0], refused));
    }
    System.out.printf("CALLS-AROUND-KILL to %s's processes %s: outcomes by code %s, slowest issued after the kill %d ms;"
        + " the port refused connections %d ms after the kill, the last failed call ended %d ms after that (or after it was issued)%n",
      victim.name, targets, outcomes, slowestAfterKill, refused - t0, slowestFailure);
    System.out.printf("CALLS-AROUND-KILL a failure of each code: %s%n", failureText);
    assertThat(outcomes.keySet()).as("outcomes of the calls around the kill (200 answered, 503 node gone, 404 not"
      + " placed yet; never a timeout)").isSubsetOf(200, 404, 503);

    // a late duplicate would show here: for 2 s every daemon has exactly one live instance, on a survivor
    until(poll(Duration.ofSeconds(10)).during(Duration.ofSeconds(2)), () -> names.stream().allMatch(n -> {
      List<Heartbeats.Instance> live = beats.liveSince(n, System.currentTimeMillis() - 600);
      return live.size() == 1 && survivors.contains(live.get(0).node());
    }), () -> "one live instance of every daemon for 2 s; heartbeats " + beats.all());

    List<Long> sorted = failover.values().stream().sorted().toList();
    long max = sorted.get(sorted.size() - 1);
    long median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
      : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    System.out.printf("FAILOVER kill -9 of %s%s (%d of %d daemons; leader %s, observer.leader()=%s):"
        + " sessionTimeout=%d ms (negotiated %d), settleDelay=%d ms, failoverDelay=%d ms: max=%d ms median=%d ms;"
        + " observer saw the node leave after %d ms%n",
      victim.name, leaderToo ? " (the leader)" : "", moved.size(), DAEMONS, leader, observer.leader(), SESSION_TIMEOUT, victim.sessionTimeout,
      SETTLE_DELAY, FAILOVER_DELAY, max, median, seenGone.get() < 0 ? -1 : seenGone.get() - t0);
    System.out.printf("FAILOVER-DETAIL %s%n", failover);

    // invariants
    assertThat(failover).as("failover time of every moved daemon").hasSize(moved.size());
    assertThat(max).isGreaterThanOrEqualTo(median).isPositive();
    Map<String, String> located = new ConcurrentHashMap<>();
    Map<String, String> answering = new ConcurrentHashMap<>();
    until(poll(Duration.ofSeconds(10)), () -> {
      answering.putAll(callAll(names));
      for (String n : names) located.put(n, await(observer.lookup(n)).node());
      return names.stream().allMatch(n -> survivors.contains(located.get(n)) && located.get(n).equals(answering.get(n)));
    }, () -> "every daemon located on a survivor and answering from there; located " + located + ", answering " + answering);
    assertThat(beats.all()).as("heartbeats of the victim after its death")
      .noneMatch(i -> i.node().equals(victim.name) && i.lastAt() > dead);
    assertThat(beats.overlaps(OVERLAP_TOLERANCE_MS)).as("two instances of one daemon alive at once").isEmpty();
    // the daemons ran elsewhere before ZooKeeper could have expired the victim's session: the server hears
    // from a client at least every third of the session (its pings), so the session of a process killed at
    // t0 expires no earlier than t0 + 2/3 of it. The refused connection was the proof, not the session.
    long earliestExpiry = (victim.sessionTimeout > 0 ? victim.sessionTimeout : SESSION_TIMEOUT) * 2 / 3;
    System.out.printf("FAILOVER-VS-SESSION daemons serving elsewhere after %d ms; the session could expire %d ms after"
      + " the kill at the earliest%n", max, earliestExpiry);
    assertThat(max).as("every daemon running elsewhere before the victim's session could expire").isLessThan(earliestExpiry);
  }

  /** @return the nodes that report they lead */
  private List<String> leaders() {
    List<String> leaders = new ArrayList<>();
    children.stream().filter(c -> c.leader && c.process.isAlive()).forEach(c -> leaders.add(c.name));
    if (observer.isLeader()) leaders.add(OBSERVER);
    return leaders;
  }

  /** Awaits {@code condition}; on timeout fails with the state {@code state} describes. */
  private static void until(ConditionFactory factory, Callable<Boolean> condition, Supplier<String> state) {
    try {
      factory.until(condition);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + ": " + state.get(), e);
    }
  }

  private static ConditionFactory poll(Duration atMost) {
    return Awaitility.await().atMost(atMost).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
      .ignoreExceptions();
  }

  /** Calls every daemon of {@code names} at once; @return name to the node that answered, for those that did */
  private Map<String, String> callAll(List<String> names) throws Exception {
    Map<String, Future<Message<JsonObject>>> calls = new HashMap<>();
    names.forEach(n -> calls.put(n, observer.call(n, new JsonObject().put("ping", true))));
    Future.join(new ArrayList<>(calls.values())).otherwiseEmpty().toCompletionStage().toCompletableFuture()
      .get(10, TimeUnit.SECONDS);
    Map<String, String> answered = new HashMap<>();
    calls.forEach((n, f) -> {
      if (f.succeeded() && n.equals(f.result().body().getString("name"))) {
        answered.put(n, f.result().body().getString("node"));
      }
    });
    return answered;
  }

  /** The observer's monitor process: records every heartbeat. */
  private static final class Monitor extends ProcessVerticle {
    private final Heartbeats beats;

    Monitor(Heartbeats beats) {
      this.beats = beats;
    }

    @Override
    protected void handle(Message<Object> message) {
      if (message.body() instanceof JsonObject beat) {
        beats.record(beat, System.currentTimeMillis());
      }
    }
  }

  /**
   * The daemon instances seen, per name and instance (node and deployment id: Vert.x 5 deployment ids are
   * a per-JVM counter, so two JVMs can use the same one), with first and last heartbeat. Thread-safe.
   */
  private static final class Heartbeats {

    /** One instance: times {@code *At} are the sender's clock, {@code firstRecv} the observer's (same host). */
    record Instance(String name, String node, String deploymentId, long firstAt, long lastAt, long firstRecv) {
    }

    private final Map<String, Map<String, Instance>> byName = new HashMap<>();

    synchronized void record(JsonObject beat, long receivedAt) {
      String name = beat.getString("name");
      String node = beat.getString("node");
      String deploymentId = beat.getString("deploymentId");
      long at = beat.getLong("at");
      Map<String, Instance> instances = byName.computeIfAbsent(name, k -> new LinkedHashMap<>());
      Instance i = instances.get(node + '/' + deploymentId);
      instances.put(node + '/' + deploymentId, i == null
        ? new Instance(name, node, deploymentId, at, at, receivedAt)
        : new Instance(name, node, deploymentId, Math.min(i.firstAt(), at), Math.max(i.lastAt(), at), i.firstRecv()));
    }

    synchronized boolean aliveSince(String name, ProcessId pid, long since) {
      Instance i = byName.getOrDefault(name, Map.of()).get(pid.node() + '/' + pid.deploymentId());
      return i != null && i.lastAt() >= since;
    }

    synchronized List<Instance> liveSince(String name, long since) {
      return byName.getOrDefault(name, Map.of()).values().stream().filter(i -> i.lastAt() >= since).toList();
    }

    /**
     * @return when the observer received the first heartbeat of an instance of {@code name} on one of
     *   {@code nodes} that started after {@code t0}; -1 when none
     */
    synchronized long firstBeatAfter(String name, long t0, Set<String> nodes) {
      return byName.getOrDefault(name, Map.of()).values().stream()
        .filter(i -> nodes.contains(i.node()) && i.firstAt() >= t0)
        .mapToLong(Instance::firstRecv).min().orElse(-1);
    }

    synchronized List<Instance> all() {
      return byName.values().stream().flatMap(m -> m.values().stream()).toList();
    }

    /** @return every pair of instances of one name alive together for more than {@code toleranceMs} */
    synchronized List<String> overlaps(long toleranceMs) {
      List<String> found = new ArrayList<>();
      for (Map<String, Instance> instances : byName.values()) {
        List<Instance> list = new ArrayList<>(instances.values());
        for (int a = 0; a < list.size(); a++) {
          for (int b = a + 1; b < list.size(); b++) {
            Instance x = list.get(a);
            Instance y = list.get(b);
            long overlap = Math.min(x.lastAt(), y.lastAt()) - Math.max(x.firstAt(), y.firstAt());
            if (overlap > toleranceMs) {
              found.add(x + " and " + y + " overlap " + overlap + " ms");
            }
          }
        }
      }
      return found;
    }
  }

  /** A {@link FaultNode} JVM: stdout read for READY, stderr to a file under target/. */
  private static final class Child {
    private static final int MAX_LINES = 10_000;

    final String name;
    final Process process;
    final Path stderr;
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    volatile long sessionTimeout = -1;
    volatile boolean leader;

    private Child(String name, Process process, Path stderr) {
      this.name = name;
      this.process = process;
      this.stderr = stderr;
    }

    static Child start(String name, List<String> args, Path logDir) throws IOException {
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), FaultNode.class.getName()));
      command.addAll(args);
      Path err = logDir.resolve(name + ".stderr.log");
      Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
      Child child = new Child(name, p, err);
      Thread reader = new Thread(child::readStdout, "stdout-" + name);
      reader.setDaemon(true);
      reader.start();
      return child;
    }

    private void readStdout() {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (int i = 0; i < MAX_LINES; i++) {
          String line = in.readLine();
          if (line == null) break;
          if (line.startsWith("LEADERSHIP " + name + " ")) {
            leader = line.endsWith(" true");
          } else if (line.startsWith("SESSION " + name + " ")) {
            sessionTimeout = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
          } else if (line.equals("READY " + name)) {
            ready.complete(null);
          }
        }
      } catch (IOException | RuntimeException e) {
        // the JVM is gone
      }
      ready.completeExceptionally(new IllegalStateException(name + " ended its output before READY"));
    }

    void awaitReady(Duration atMost) throws Exception {
      try {
        ready.get(atMost.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        throw new AssertionError(name + " is not READY (" + e + "); alive=" + process.isAlive() + ", stderr "
          + stderr.toAbsolutePath() + ":\n" + tail(), e);
      }
    }

    private String tail() {
      try {
        List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
      } catch (IOException e) {
        return "(unreadable: " + e.getMessage() + ")";
      }
    }

    void closeStdin() {
      try {
        process.getOutputStream().close();
      } catch (IOException e) {
        // already gone
      }
    }

    /**
     * Waits for a clean exit until {@code deadline} (System.nanoTime), then kills, and waits at most 5 s more.
     *
     * @return the exit status, or "alive" when the JVM could not be reaped in time
     */
    Object destroy(long deadline) {
      boolean clean = false;
      try {
        clean = process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      return process.isAlive() ? "alive" : clean ? process.exitValue() : "killed after " + STOP_WAIT.toSeconds() + " s";
    }
  }
}
