package dev.vxext.demo;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.addressbook.NodeEntry;
import dev.vxext.process.ProcessId;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static dev.vxext.demo.DemoTables.await;
import static dev.vxext.demo.DemoTables.describe;
import static dev.vxext.demo.DemoTables.seconds;
import static dev.vxext.demo.DemoTables.step;
import static dev.vxext.demo.DemoTables.table;
import static dev.vxext.demo.DemoTables.until;

/**
 * The README's "run the demo" program ({@code mvn -B -q -ntp test-compile exec:exec@demo}): a real
 * three-node cluster in three JVMs, a {@code kill -9}, and the failover of daemons and cluster cron.
 * <p>
 * It starts an embedded ZooKeeper in this JVM, three node JVMs running the launcher
 * {@code dev.vxext.launcher.NodeApplication} with {@code conf/node-1.json}..{@code node-3.json} (pointed at
 * that ZooKeeper, plus a cron job firing every second to {@code demo.ticks}), and an observer node in this
 * JVM that hosts no daemon. It prints the cluster and its leader, where every daemon runs, kills the JVM
 * that runs {@code counter.orders} with SIGKILL and times how long until it serves again elsewhere, shows
 * the cron ticks around the failover, then stops everything. Exits 0 on success, 1 with one line on stderr
 * on any failure; a shutdown hook and a watchdog kill the node JVMs whatever happens.
 */
public final class FailoverDemo {

  static final String JOB = "demo.each-second";
  static final String TICKS = "demo.ticks";
  static final long SESSION_TIMEOUT_MS = 4_000;
  static final long SETTLE_DELAY_MS = 1_000;
  private static final List<String> NODES = List.of("node-1", "node-2", "node-3");
  private static final Path LOG_DIR = Path.of("target", "demo").toAbsolutePath();
  private static final long WATCHDOG_MS = 110_000;
  private static final long START_TIMEOUT_MS = 60_000;
  private static final long STEP_TIMEOUT_MS = 30_000;
  private static final long CALL_TIMEOUT_MS = 3_000;
  private static final long STOP_TIMEOUT_MS = 20_000;

  private final PrintStream out = System.out;
  private final long begin = System.nanoTime();
  private final List<NodeJvm> jvms = new CopyOnWriteArrayList<>();
  private final Map<String, Long> startupNanos = new LinkedHashMap<>();
  private final CronTicks ticks = new CronTicks();
  private volatile TestingServer zookeeper;
  private volatile ClusterNode observer;
  private volatile boolean cleanedUp;

  private FailoverDemo() {
  }

  /** Runs the demo; no arguments. */
  public static void main(String[] args) {
    FailoverDemo demo = new FailoverDemo();
    int code = 0;
    try {
      Files.createDirectories(LOG_DIR);
      // this JVM's own log lines (observer node, ZooKeeper) go to a file: stdout stays readable
      System.setProperty("org.slf4j.simpleLogger.logFile", LOG_DIR.resolve("observer.log").toString());
      julToFile(LOG_DIR.resolve("observer-jul.log"));
      Runtime.getRuntime().addShutdownHook(new Thread(demo::cleanUp, "demo-cleanup"));
      Timer watchdog = new Timer("demo-watchdog", true);
      watchdog.schedule(new TimerTask() {
        @Override
        public void run() {
          System.err.println("demo failed: did not finish within " + WATCHDOG_MS / 1000 + " s; killing the node JVMs");
          demo.jvms.forEach(j -> j.killQuietly(5_000));
          Runtime.getRuntime().halt(1);
        }
      }, WATCHDOG_MS);
      demo.run();
    } catch (Throwable t) {
      System.out.flush();
      System.err.println(demo.cleanedUp ? "demo stopped early: this JVM is shutting down (signal); the node JVMs were killed"
        : "demo failed: " + describe(t));
      code = 1;
    }
    demo.cleanUp();
    System.out.flush();
    System.exit(code);
  }

  /** Sends java.util.logging (used by Curator's shaded Guava) to a file instead of the console. */
  private static void julToFile(Path file) throws IOException {
    Logger root = LogManager.getLogManager().getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    FileHandler handler = new FileHandler(file.toString(), false);
    handler.setFormatter(new SimpleFormatter());
    root.addHandler(handler);
  }

  private void run() throws Exception {
    out.println("vertx-cluster-extensions failover demo: 3 node JVMs + 1 observer on an embedded ZooKeeper");
    startAll();
    String leader = clusterFormed();
    Map<String, String> placement = daemons();
    until("the ticks of cron job " + JOB + " reach " + TICKS + " on time", STEP_TIMEOUT_MS, () -> ticks.steady(JOB, 3));
    Failover failover = new Failover(out, observer, jvms, placement, leader);
    failover.run();
    cron(failover);
    stopAll();
    out.printf("%nDone in %s: every node JVM has exited, ZooKeeper is closed, nothing is left running.%n",
      seconds(System.nanoTime() - begin));
  }

  // ---------------------------------------------------------------- start

  private void startAll() throws Exception {
    step(out, "0. Start: embedded ZooKeeper, 3 node JVMs, an observer in this JVM");
    InstanceSpec spec = new InstanceSpec(null, -1, -1, -1, true, -1, 500, -1,
      Map.of("clientPortAddress", "127.0.0.1"), "127.0.0.1");
    zookeeper = new TestingServer(spec, true);
    String zk = zookeeper.getConnectString();
    String root = "vxext-demo-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
    out.printf("ZooKeeper (curator-test TestingServer in this JVM): %s, root path /%s%n", zk, root);
    List<String[]> rows = new ArrayList<>();
    for (String name : NODES) {
      JsonObject conf = NodeJvm.conf(Path.of("conf", name + ".json"), zk, root, JOB, TICKS);
      NodeJvm jvm = NodeJvm.start(name, conf, LOG_DIR);
      jvms.add(jvm);
      rows.add(new String[] {name, Long.toString(jvm.pid()), jvm.stdout.toString(), jvm.stderr.toString()});
    }
    out.printf("Started 3 JVMs: java -cp <classpath> %s -conf <conf/node-N.json + zookeeperHosts, zookeeperRootPath, "
      + "sessionTimeout %d, settleDelay %d, cron job %s every second -> %s>%n", NodeJvm.MAIN, SESSION_TIMEOUT_MS,
      SETTLE_DELAY_MS, JOB, TICKS);
    table(out, new String[] {"node", "pid", "stdout", "stderr (logs)"}, rows);
    for (NodeJvm jvm : jvms) {
      startupNanos.put(jvm.name, jvm.awaitStarted(START_TIMEOUT_MS));
    }
    observer = await(ClusterNode.start(new NodeOptions().setNodeName("demo-observer").setZookeeperHosts(zk)
      .setZookeeperRootPath(root).setSessionTimeout(SESSION_TIMEOUT_MS).setSettleDelay(SETTLE_DELAY_MS)
      .setRequestTimeout(2_000)), STEP_TIMEOUT_MS, "starting the observer node");
    await(observer.register(TICKS, ticks::recorder, new DeploymentOptions()), STEP_TIMEOUT_MS, "registering " + TICKS);
    out.printf("Observer 'demo-observer' joined (no launcher: it hosts no daemon) and registered process '%s'; "
      + "this JVM's log: %s%n", TICKS, LOG_DIR.resolve("observer.log"));
  }

  // ---------------------------------------------------------------- a. cluster

  private String clusterFormed() {
    step(out, "a. Cluster formed");
    until("the observer sees 4 nodes (3 JVMs + itself)", STEP_TIMEOUT_MS,
      () -> observer.addressBook().availableNodes().size() == NODES.size() + 1);
    String leader = Failover.awaitLeader(observer, null, 5_000);
    String source = "observer.leader()";
    if (leader == null) {
      leader = Failover.leaderFromLogs(jvms);
      source = "not announced to the observer yet; from the nodes' election log lines";
    }
    if (leader == null) {
      throw new IllegalStateException("no leader known within 5 s (observer.leader() is null, no election in the logs)");
    }
    List<String> declaring = new ArrayList<>();
    List<String[]> rows = new ArrayList<>();
    for (NodeEntry n : observer.addressBook().availableNodes()) {
      if (n.declares(JOB)) {
        declaring.add(n.name());
      }
      NodeJvm jvm = jvms.stream().filter(j -> j.name.equals(n.name())).findFirst().orElse(null);
      rows.add(new String[] {n.name(), jvm == null ? "observer (this JVM)" : "JVM pid " + jvm.pid(),
        n.host() + ":" + n.port(), String.join(", ", n.launchers()), String.join(", ", n.cronJobs()),
        jvm == null ? null : seconds(startupNanos.get(jvm.name)), n.name().equals(leader) ? "LEADER" : ""});
    }
    table(out, new String[] {"node", "process", "event bus", "launchers", "cluster cron jobs", "JVM start", "leader"}, rows);
    out.printf("Leader: %s (%s). Ring pick for cron job '%s' among the nodes declaring it: %s%n", leader, source, JOB,
      observer.addressBook().pickNode(JOB, declaring));
    return leader;
  }

  // ---------------------------------------------------------------- b. daemons

  private Map<String, String> daemons() throws Exception {
    step(out, "b. Every daemon located (from the observer) and called (through the observer)");
    Map<String, String> launcherOf = new LinkedHashMap<>();
    JsonObject launchers = new JsonObject(Files.readString(Path.of("conf", NODES.get(0) + ".json"))).getJsonObject("launchers");
    for (String launcher : launchers.fieldNames()) {
      launchers.getJsonObject(launcher).getJsonArray("daemons").forEach(d -> launcherOf.put(((JsonObject) d).getString("name"), launcher));
    }
    Map<String, ProcessId> where = new LinkedHashMap<>();
    until("every declared daemon " + launcherOf.keySet() + " is located", STEP_TIMEOUT_MS, () -> {
      for (String name : launcherOf.keySet()) {
        ProcessId pid = where.containsKey(name) ? where.get(name) : DemoTables.awaitOrNull(observer.lookup(name), CALL_TIMEOUT_MS);
        if (pid == null) {
          return false;
        }
        where.put(name, pid);
      }
      return true;
    });
    Map<String, String> placement = new LinkedHashMap<>();
    List<String[]> rows = new ArrayList<>();
    for (Map.Entry<String, ProcessId> e : where.entrySet()) {
      long c0 = System.nanoTime();
      JsonObject reply = await(observer.<JsonObject>call(e.getKey(), "inc"), CALL_TIMEOUT_MS, "calling " + e.getKey()).body();
      placement.put(e.getKey(), e.getValue().node());
      rows.add(new String[] {e.getKey(), launcherOf.get(e.getKey()), e.getValue().node(), reply.encode(),
        DemoTables.ms(System.nanoTime() - c0)});
    }
    table(out, new String[] {"daemon", "launcher", "node running it", "call reply (observer.call(name, \"inc\"))", "call time"}, rows);
    return placement;
  }

  // ---------------------------------------------------------------- d. cron

  private void cron(Failover f) {
    step(out, "d. Cluster cron '" + JOB + "' (every second, CLUSTER scope) around the failover");
    long from = (f.killedAtMs / 1000) * 1000 - 2_000;
    long to = (f.servedAtMs / 1000) * 1000 + 4_000;
    long waitMs = Math.max(0, to - System.currentTimeMillis()) + 3_000;
    // the last second of the window, or a later one, has arrived (a missing one shows in the table)
    DemoTables.poll(waitMs, () -> ticks.received(JOB, to));
    CronTicks.Summary s = ticks.print(out, JOB, from, to, f.killedAtMs, f.victim, f.goneAtMs);
    if (f.victim.equals(s.ownerBeforeKill())) {
      out.printf("The job's owner %s was the node killed: no ticks until the survivors saw it gone (session expiry); "
        + "then %s, the ring's next pick, took the job over and fired the ticks missed meanwhile, oldest first (they are within "
        + "misfireGrace, 10 s; older ones would be counted as missed, never replayed).%n", f.victim, s.lastNode());
    } else {
      out.printf("The job's owner %s survived the kill: a leave moves only the jobs whose ring pick changed, so its "
        + "ticks went on across the failover.%n", s.ownerBeforeKill());
    }
    out.printf("Exactly once: each tick is claimed cluster-wide with compare-and-set before it fires (%d ticks "
      + "received in total since %s was registered).%n", ticks.count(JOB), TICKS);
    if (s.duplicates() > 0) {
      throw new IllegalStateException(s.duplicates() + " cron tick(s) of " + JOB + " were received twice");
    }
    if (s.lastNode() == null || s.lastNode().equals(f.victim)) {
      throw new IllegalStateException("cron job " + JOB + " did not go on firing on a surviving node");
    }
  }

  // ---------------------------------------------------------------- e. stop

  private void stopAll() {
    step(out, "e. Stop everything");
    long c0 = System.nanoTime();
    ClusterNode o = observer;
    observer = null;
    await(o.close(), 15_000, "closing the observer");
    out.printf("Observer closed in %s.%n", DemoTables.ms(System.nanoTime() - c0));
    List<String[]> rows = new ArrayList<>();
    long s0 = System.nanoTime();
    List<NodeJvm> running = jvms.stream().filter(NodeJvm::alive).toList();
    running.forEach(NodeJvm::terminate);
    long deadline = s0 + STOP_TIMEOUT_MS * 1_000_000;
    for (NodeJvm jvm : jvms) {
      if (!running.contains(jvm)) {
        rows.add(new String[] {jvm.name, "SIGKILL (step c)", Integer.toString(jvm.exitCode()), null});
        continue;
      }
      boolean exited = jvm.awaitExit(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      String signal = "SIGTERM";
      if (!exited) {
        jvm.killQuietly(5_000);
        signal = "SIGTERM, then SIGKILL after " + STOP_TIMEOUT_MS / 1000 + " s";
      }
      rows.add(new String[] {jvm.name, signal, Integer.toString(jvm.exitCode()), DemoTables.ms(System.nanoTime() - s0)});
    }
    table(out, new String[] {"node", "stopped with", "exit code", "exited after"}, rows);
    out.println("(exit code 143 = ended by SIGTERM after a graceful leave; 137 = SIGKILL)");
    closeZookeeper();
    if (jvms.stream().anyMatch(NodeJvm::alive)) {
      throw new IllegalStateException("a node JVM is still running after the stop");
    }
    if (rows.stream().anyMatch(r -> r[1].contains("then SIGKILL"))) {
      throw new IllegalStateException("a node JVM did not stop within " + STOP_TIMEOUT_MS / 1000 + " s of SIGTERM");
    }
  }

  private void closeZookeeper() {
    TestingServer zk = zookeeper;
    zookeeper = null;
    if (zk != null) {
      try {
        zk.close();
      } catch (Exception e) {
        System.err.println("demo: closing ZooKeeper: " + describe(e));
      }
    }
  }

  /** Stops whatever still runs (failure paths and JVM exit); every wait is bounded. Idempotent. */
  private synchronized void cleanUp() {
    if (cleanedUp) {
      return;
    }
    cleanedUp = true;
    ClusterNode o = observer;
    observer = null;
    if (o != null) {
      DemoTables.awaitOrNull(o.close(), 5_000);
    }
    jvms.forEach(j -> j.killQuietly(5_000));
    closeZookeeper();
  }
}
