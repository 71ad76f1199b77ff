package dev.vxext.fault;

import org.apache.curator.test.TestingServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The fault suite of the benchmarks issue, a standalone runner (not part of the unit tests; see
 * {@code bench/faults.sh}): separate {@link FaultNode} JVMs on loopback, an embedded ZooKeeper and an
 * observer node in this JVM; the invariants are checked from the outside (the observer's address book,
 * the daemons' heartbeats, the nodes' own daemon UP/DOWN lines, each node's probe and {@code /health},
 * plus the node logs). Scenarios, in order:
 * <ul>
 *   <li>{@value RandomKillScenario#NAME}: kill -9 of a random node every 8-10 s, restarted 1 s later;</li>
 *   <li>{@value ZookeeperRestartScenario#NAME}: ZooKeeper down 3 s (shorter than the session);</li>
 *   <li>{@value SigstopScenario#LEADER}, {@value SigstopScenario#FOLLOWER}: the leader, or a follower,
 *   frozen (SIGSTOP) past its session, then resumed;</li>
 *   <li>{@value PartitionScenario#ZK_OUTAGE}: ZooKeeper down for 2x the session timeout;</li>
 *   <li>{@value PartitionScenario#ZK_CUT}: a follower running daemons cut from ZooKeeper only;</li>
 *   <li>{@value PartitionScenario#PEER_CUT}: a follower cut from its peers only (both ways);</li>
 *   <li>{@value PartitionScenario#ASYMMETRIC_CUT}: the leader cannot reach a node that reaches it;</li>
 *   <li>{@value PartitionScenario#LEADER_ISOLATED}: the leader cut from ZooKeeper and every peer;</li>
 *   <li>{@value GracefulLeaveScenario#NAME}: 20 clean closes of a node running daemons (hand-off gaps);</li>
 *   <li>{@value RollingRestartScenario#NAME}: every node in turn SIGTERM and restart, under load;</li>
 *   <li>{@value SpawnChurnScenario#NAME}: {@code rebalance: on-join} nodes, 6 supervised spawns of the
 *   observer, 4 rounds of kill -9 (once SIGTERM) of a node running spawns and its restart (moved back on
 *   join); every spawn once at the end, and one stopped stays gone.</li>
 * </ul>
 * The link faults run the nodes behind {@link dev.vxext.testing.TcpProxy}s (see {@link FaultCluster}). Every
 * scenario also checks the invariants of {@link FaultChecks}: never two instances of a daemon (heartbeats
 * and lifetimes), no tick twice and no miss but counted misfires, every future of the observer's steady
 * requests completed within the request timeout + 1 s with success or 404/503/504, and the recovery after
 * the heal (members, one leader, every daemon once, every process locatable, every {@code /health} 200),
 * measured. Each scenario prints its tables, checks and PASS/FAIL; the process exits 0 only when all pass.
 * <p>
 * Arguments: {@code --quick} (shorter random-kill phase, peer and asymmetric cuts, 6 graceful-leave runs),
 * {@code --only=a,b} (run only these scenarios), {@code --seed=N} (random-kill victims and intervals),
 * {@code --restart-after=MS} (when random-kill starts a killed node's fresh JVM, default 1000 ms after the
 * kill). Logs: {@code target/faults/<run>/}: the runner's own log ({@code runner.log}, the observer and
 * ZooKeeper server) and per scenario each node JVM's log ({@code <node>-<incarnation>.log}, INFO for
 * {@code dev.vxext}, or the level of the system property {@code faults.nodeLogLevel}) and stdout
 * ({@code .out}).
 */
public final class FaultSuite {

  private static final List<String> SCENARIOS = List.of(RandomKillScenario.NAME, ZookeeperRestartScenario.NAME,
    SigstopScenario.LEADER, SigstopScenario.FOLLOWER, PartitionScenario.ZK_OUTAGE, PartitionScenario.ZK_CUT,
    PartitionScenario.PEER_CUT, PartitionScenario.ASYMMETRIC_CUT, PartitionScenario.LEADER_ISOLATED,
    GracefulLeaveScenario.NAME, RollingRestartScenario.NAME, SpawnChurnScenario.NAME);
  private static final long WATCHDOG_MINUTES = 30;
  /** Characters of a failed check's name shown in the summary. */
  private static final int SUMMARY_NAME = 60;
  /**
   * Curator's shaded Guava logs (JUL, to stderr) a harmless IOException when the observer closes while a
   * lock acquisition is in flight; kept here so the logger and its level are not collected.
   */
  private static final java.util.logging.Logger CLOSEABLES =
    java.util.logging.Logger.getLogger("org.apache.curator.shaded.com.google.common.io.Closeables");

  private FaultSuite() {
  }

  /** Entry point; see the class documentation for the arguments. */
  public static void main(String[] args) throws Exception {
    boolean quick = false;
    List<String> only = SCENARIOS;
    long seed = System.nanoTime();
    long restartAfter = 1_000;
    for (String a : args) {
      if (a.equals("--quick")) {
        quick = true;
      } else if (a.startsWith("--only=")) {
        only = Arrays.asList(a.substring("--only=".length()).split(","));
      } else if (a.startsWith("--seed=")) {
        seed = Long.parseLong(a.substring("--seed=".length()));
      } else if (a.startsWith("--restart-after=")) {
        restartAfter = Math.max(0, Math.min(60_000, Long.parseLong(a.substring("--restart-after=".length()))));
      } else {
        System.err.println("usage: FaultSuite [--quick] [--only=" + String.join(",", SCENARIOS) + "] [--seed=N]"
          + " [--restart-after=MS]");
        System.exit(2);
        return;
      }
    }
    for (String s : only) {
      if (!SCENARIOS.contains(s)) {
        System.err.println("unknown scenario '" + s + "'; known: " + SCENARIOS);
        System.exit(2);
        return;
      }
    }
    Path runDir = Path.of("target", "faults", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
      .toAbsolutePath();
    Files.createDirectories(runDir);
    // before any logger exists: this JVM's log (observer, ZooKeeper server) goes to a file
    System.setProperty("org.slf4j.simpleLogger.logFile", runDir.resolve("runner.log").toString());
    System.setProperty("org.slf4j.simpleLogger.log.dev.vxext", "info");
    CLOSEABLES.setLevel(java.util.logging.Level.OFF);
    System.exit(run(quick, only, seed, restartAfter, runDir) ? 0 : 1);
  }

  private static boolean run(boolean quick, List<String> only, long seed, long restartAfter, Path runDir)
    throws Exception {
    long start = System.currentTimeMillis();
    TestingServer server = new TestingServer(true);
    Thread hook = new Thread(() -> cleanUp(server), "fault-suite-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(TimeUnit.MINUTES.toMillis(WATCHDOG_MINUTES));
        System.err.println("FaultSuite: still running after " + WATCHDOG_MINUTES + " minutes; giving up");
        System.exit(3);
      } catch (InterruptedException e) {
        // finished in time
      }
    }, "fault-suite-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    System.out.printf("fault suite: %s%s, seed %d, ZooKeeper %s, logs %s, %d cores%n", only, quick ? " (quick)" : "", seed,
      server.getConnectString(), runDir, Runtime.getRuntime().availableProcessors());
    Map<String, FaultReport> reports = new LinkedHashMap<>();
    try {
      for (String s : SCENARIOS) {
        if (!only.contains(s)) {
          continue;
        }
        Path dir = runDir.resolve(s);
        Callable<FaultReport> scenario = switch (s) {
          case RandomKillScenario.NAME -> () -> new RandomKillScenario(server.getConnectString(), dir, quick,
            new Random(seed), restartAfter).run();
          case ZookeeperRestartScenario.NAME -> () -> new ZookeeperRestartScenario(server, dir).run();
          case SigstopScenario.LEADER -> () -> new SigstopScenario(server.getConnectString(), dir, true).run();
          case SigstopScenario.FOLLOWER -> () -> new SigstopScenario(server.getConnectString(), dir, false).run();
          case GracefulLeaveScenario.NAME -> () -> new GracefulLeaveScenario(server.getConnectString(), dir, quick).run();
          case RollingRestartScenario.NAME -> () -> new RollingRestartScenario(server.getConnectString(), dir).run();
          case SpawnChurnScenario.NAME -> () -> new SpawnChurnScenario(server.getConnectString(), dir, new Random(seed)).run();
          default -> () -> new PartitionScenario(s, server, dir, quick).run();
        };
        reports.put(s, runOne(s, scenario));
      }
    } finally {
      watchdog.interrupt();
      cleanUp(server);
    }
    System.out.println();
    FaultReport summary = new FaultReport("summary");
    summary.table("", "scenario", "result", "runtime", "failed checks");
    boolean all = true;
    for (FaultReport r : reports.values()) {
      List<String> failed = new ArrayList<>();
      r.checks().stream().filter(c -> !c.pass()).forEach(c -> failed.add(c.name().length() <= SUMMARY_NAME
        ? c.name() : c.name().substring(0, SUMMARY_NAME) + "..."));
      summary.row(r.scenario, r.passed() ? "PASS" : "FAIL", String.format("%.1f s", r.runtime() / 1000.0),
        failed.isEmpty() ? "-" : String.join("; ", failed));
      all &= r.passed();
    }
    summary.check("every scenario passed", all, "total " + (System.currentTimeMillis() - start) / 1000 + " s");
    summary.print();
    return all;
  }

  private static FaultReport runOne(String name, Callable<FaultReport> scenario) {
    long t0 = System.currentTimeMillis();
    FaultReport report;
    try {
      report = scenario.call();
    } catch (Exception | AssertionError e) {
      report = new FaultReport(name);
      report.check("the scenario ran to its end", false, e.toString());
      e.printStackTrace(System.out);
    }
    report.runtime(System.currentTimeMillis() - t0);
    System.out.println();
    report.print();
    // whatever a failed scenario left behind
    for (FaultJvm j : List.copyOf(FaultJvm.ALL)) {
      j.stop(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    }
    return report;
  }

  /** Kills every node JVM still alive and closes ZooKeeper; safe to call twice. */
  private static void cleanUp(TestingServer server) {
    for (FaultJvm j : List.copyOf(FaultJvm.ALL)) {
      j.killNow();
    }
    try {
      server.close();
    } catch (Exception | Error e) {
      // exiting anyway
    }
  }
}
