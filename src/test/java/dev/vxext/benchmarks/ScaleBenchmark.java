package dev.vxext.benchmarks;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.addressbook.impl.HashRing;
import dev.vxext.metrics.MetricNames;
import dev.vxext.testing.Blocking;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import org.apache.curator.test.TestingServer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Scale: {@code N} (default 100,000) processes registered over 5 clustered nodes in one JVM, embedded
 * ZooKeeper, default timings ({@code syncInterval} 3000 ms, 2 directory replicas). Measures
 * <ul>
 *   <li>heap per registered process (all nodes: registry + 2 directory replicas + the deployment), against
 *   a baseline of the same number of plain verticle deployments consuming a local address, in the same
 *   run: the difference is what the extensions cost per entry;</li>
 *   <li>registration throughput and the time until every owner holds every entry;</li>
 *   <li>idle sync traffic per node over a 30 s window once converged ({@code vxext.sync.bytes},
 *   {@code vxext.sync.messages});</li>
 *   <li>the time for a 6th node to be fully in sync (its share of the directory complete) and the sync
 *   bytes the re-homing costs.</li>
 * </ul>
 * Arguments: {@code [N]}. Prints Markdown tables.
 */
public final class ScaleBenchmark {

  private static final int NODES = 5;
  private static final int IN_FLIGHT = 256;
  private static final long STEP_TIMEOUT_MS = 600_000;

  private final List<ClusterNode> nodes = new ArrayList<>();
  private TestingServer zookeeper;
  private String root;

  /** A process that only consumes its local address. */
  public static final class Idle extends dev.vxext.process.ProcessVerticle {
    @Override
    protected void handle(io.vertx.core.eventbus.Message<Object> message) {
      message.reply(null);
    }
  }

  /** The baseline: a plain verticle consuming a local address, not registered. */
  public static final class Plain extends AbstractVerticle {
    private final String address;

    Plain(String address) {
      this.address = address;
    }

    @Override
    public void start() {
      vertx.eventBus().localConsumer(address, m -> m.reply(null));
    }
  }

  private ScaleBenchmark() {
  }

  public static void main(String[] args) {
    int n = args.length > 0 && !args[0].isBlank() ? Integer.parseInt(args[0].trim()) : 100_000;
    ScaleBenchmark bench = new ScaleBenchmark();
    int code = 0;
    try {
      bench.run(n);
    } catch (Throwable t) {
      t.printStackTrace();
      code = 1;
    }
    for (ClusterNode node : bench.nodes) {
      try {
        Blocking.await(node.close(), 60_000);
      } catch (Throwable ignored) {
        // exiting
      }
    }
    System.out.flush();
    System.exit(code);
  }

  private ClusterNode start(String name) {
    NodeOptions o = new NodeOptions().setNodeName(name).setZookeeperHosts(zookeeper.getConnectString())
      .setZookeeperRootPath(root).setSessionTimeout(10_000).setRequestTimeout(30_000);
    ClusterNode node = Blocking.await(ClusterNode.start(o), 60_000);
    nodes.add(node);
    return node;
  }

  private void run(int n) throws Exception {
    zookeeper = new TestingServer(true);
    root = "vxext-bench-scale-" + ProcessHandle.current().pid();
    for (int i = 1; i <= NODES; i++) {
      start("node-" + i);
    }
    BenchSupport.waitFor(STEP_TIMEOUT_MS, "5 nodes see each other", () -> nodes.stream().allMatch(x -> x.addressBook().availableNodes().size() == NODES));

    // baseline: n plain deployments, measured, then undeployed
    long empty = BenchSupport.heapAfterGc();
    List<String> plainIds = new ArrayList<>(n);
    long t0 = System.nanoTime();
    BenchSupport.deployAll(n, IN_FLIGHT, i -> {
      ClusterNode node = nodes.get(i % NODES);
      return node.vertx().deployVerticle(new Plain("plain-" + i)).onSuccess(id -> {
        synchronized (plainIds) {
          plainIds.add(node.name() + "/" + id);
        }
      }).mapEmpty();
    });
    long plainMs = (System.nanoTime() - t0) / 1_000_000;
    long plainHeap = BenchSupport.heapAfterGc() - empty;
    BenchSupport.deployAll(plainIds.size(), IN_FLIGHT, i -> {
      String[] parts = plainIds.get(i).split("/", 2);
      return nodes.stream().filter(x -> x.name().equals(parts[0])).findFirst().orElseThrow().vertx().undeploy(parts[1]);
    });
    long emptyAgain = BenchSupport.heapAfterGc();

    // n registered processes
    t0 = System.nanoTime();
    BenchSupport.deployAll(n, IN_FLIGHT, i -> nodes.get(i % NODES).register("p-" + i, Idle::new, new DeploymentOptions()).mapEmpty());
    long registerMs = (System.nanoTime() - t0) / 1_000_000;
    long replicas = NodeOptions.DEFAULT_DIRECTORY_REPLICAS;
    BenchSupport.waitFor(STEP_TIMEOUT_MS, "every owner holds every entry", () -> BenchSupport.directoryTotal(nodes) == n * replicas);
    long convergedMs = (System.nanoTime() - t0) / 1_000_000;
    long registeredHeap = BenchSupport.heapAfterGc() - emptyAgain;

    // idle traffic over 30 s
    double[] bytes0 = new double[NODES];
    double[] msgs0 = new double[NODES];
    for (int i = 0; i < NODES; i++) {
      bytes0[i] = BenchSupport.syncBytes(nodes.get(i));
      msgs0[i] = BenchSupport.syncMessages(nodes.get(i));
    }
    Thread.sleep(30_000);
    double idleBytes = 0;
    double idleMsgs = 0;
    for (int i = 0; i < NODES; i++) {
      idleBytes = Math.max(idleBytes, BenchSupport.syncBytes(nodes.get(i)) - bytes0[i]);
      idleMsgs = Math.max(idleMsgs, BenchSupport.syncMessages(nodes.get(i)) - msgs0[i]);
    }

    // a 6th node joins: time until its share is complete and the total is back to n * replicas
    double joinBytes0 = 0;
    for (ClusterNode node : nodes) joinBytes0 += BenchSupport.syncBytes(node);
    List<String> six = new ArrayList<>();
    for (int i = 1; i <= NODES + 1; i++) six.add("node-" + i);
    HashRing ring = HashRing.of(six);
    int expectedShare = 0;
    for (int i = 0; i < n; i++) {
      if (ring.owners("p-" + i, (int) replicas).contains("node-6")) expectedShare++;
    }
    long j0 = System.nanoTime();
    ClusterNode sixth = start("node-6");
    long joinedMs = (System.nanoTime() - j0) / 1_000_000;
    int share = expectedShare;
    BenchSupport.waitFor(STEP_TIMEOUT_MS, "node-6 holds its share", () -> sixth.meterRegistry().get(MetricNames.DIRECTORY_ENTRIES).gauge().value() >= share);
    long inSyncMs = (System.nanoTime() - j0) / 1_000_000;
    BenchSupport.waitFor(STEP_TIMEOUT_MS, "total back to n * replicas", () -> BenchSupport.directoryTotal(nodes) == n * replicas);
    long settledMs = (System.nanoTime() - j0) / 1_000_000;
    double joinBytes = 0;
    for (ClusterNode node : nodes) joinBytes += BenchSupport.syncBytes(node);
    joinBytes -= joinBytes0;

    System.out.println("## Scale: " + n + " processes over " + NODES + " nodes");
    System.out.println();
    System.out.printf("%d clustered nodes in one JVM (%d cores, -Xmx%d MB), embedded ZooKeeper, syncInterval %d ms, "
        + "%d directory replicas; %d registrations with %d in flight.%n%n", NODES, Runtime.getRuntime().availableProcessors(),
      Runtime.getRuntime().maxMemory() >> 20, NodeOptions.DEFAULT_SYNC_INTERVAL, replicas, n, IN_FLIGHT);
    System.out.println("| measurement | value |");
    System.out.println("| --- | ---: |");
    System.out.printf("| baseline: %d plain verticle deployments (local consumer each) | %.0f bytes heap each, %d ms to deploy |%n", n, plainHeap / (double) n, plainMs);
    System.out.printf("| %d registered processes (deployment + registry + %d directory replicas, all nodes) | %.0f bytes heap each, %d ms to register |%n", n, replicas, registeredHeap / (double) n, registerMs);
    System.out.printf("| **cost of the extensions per registered process** (difference) | **%.0f bytes** |%n", (registeredHeap - plainHeap) / (double) n);
    System.out.printf("| register throughput | %.0f registrations/s |%n", n * 1000.0 / registerMs);
    System.out.printf("| first registration → every owner holds every entry | %d ms |%n", convergedMs);
    System.out.printf("| idle sync traffic, busiest node, 30 s window | %.0f bytes (%.1f B/s), %.0f messages (digests) |%n", idleBytes, idleBytes / 30, idleMsgs);
    System.out.printf("| node-6 joins: start → joined | %d ms |%n", joinedMs);
    System.out.printf("| node-6 joins: start → its share (%d entries) complete | %d ms |%n", share, inSyncMs);
    System.out.printf("| node-6 joins: start → every entry on exactly its new owners | %d ms |%n", settledMs);
    System.out.printf("| re-homing traffic (all nodes) | %.1f MB (%.0f bytes per moved entry) |%n", joinBytes / 1e6, joinBytes / Math.max(1, share));
  }

}
