package dev.vxext.benchmarks;

import dev.vxext.testing.Blocking;
import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.apache.curator.test.TestingServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Cost of {@code node.call} and of a remote {@code node.lookup} against raw clustered event-bus requests.
 * <p>
 * Embedded ZooKeeper, 3 clustered nodes (default timings, session timeout 4 s). node-2 runs a process
 * {@code echo} and a plain clustered consumer {@code raw.echo}, both replying the body they got. From node-1: 2000 warm-up requests of each, then 5000 sequential round trips of each,
 * interleaved in blocks of 100; then 50,000 requests with 64 in flight of each; then sequential
 * {@code lookup}s of a name whose directory owners do not include node-1 (so every lookup is a remote
 * directory query, no cache). Prints a Markdown table and exits 0.
 */
public final class CallLatencyBenchmark {

  private static final Logger log = LoggerFactory.getLogger(CallLatencyBenchmark.class);
  private static final int WARMUP = 2000;
  private static final int MEASURED = 5000;
  private static final int BLOCK = 100;
  private static final int THROUGHPUT_REQUESTS = 50_000;
  private static final int IN_FLIGHT = 64;
  private static final int LOOKUPS = 5000;
  private static final String RAW_ADDRESS = "raw.echo";
  private static final long STEP_TIMEOUT_MS = 120_000;

  private final List<ClusterNode> nodes = new ArrayList<>();
  private TestingServer zookeeper;

  /** Replies the body it got, as the raw consumer does: call and raw compare the path only. */
  static final class Echo extends ProcessVerticle {
    @Override
    protected void handle(Message<Object> message) {
      message.reply(message.body());
    }
  }

  private CallLatencyBenchmark() {
  }

  /** Runs the benchmark; no arguments. */
  public static void main(String[] args) {
    CallLatencyBenchmark bench = new CallLatencyBenchmark();
    int code = 0;
    try {
      bench.run();
    } catch (Throwable t) {
      log.debug("benchmark failed", t);
      System.err.println("CallLatencyBenchmark failed: " + t);
      code = 1;
    }
    try {
      bench.closeAll();
    } catch (Throwable t) {
      System.err.println("warning: closing: " + t);
    }
    System.out.flush();
    System.exit(code);
  }

  private void run() throws Exception {
    zookeeper = new TestingServer(true);
    String root = "vxext-bench-call-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
    for (int i = 1; i <= 3; i++) {
      nodes.add(await(ClusterNode.start(new NodeOptions().setNodeName("node-" + i)
        .setZookeeperHosts(zookeeper.getConnectString()).setZookeeperRootPath(root).setSessionTimeout(4000))));
    }
    waitUntil(() -> nodes.stream().allMatch(x -> x.addressBook().availableNodes().size() == 3));
    ClusterNode n1 = nodes.get(0);
    ClusterNode n2 = nodes.get(1);
    ClusterNode n3 = nodes.get(2);
    Context ctx = n1.vertx().getOrCreateContext();

    await(n2.register("echo", Echo::new, new DeploymentOptions()));
    await(n2.vertx().eventBus().consumer(RAW_ADDRESS, m -> m.reply(m.body())).completion());
    String remote = null;
    for (int i = 0; remote == null; i++) {
      List<String> owners = n1.addressBook().owners("target-" + i);
      if (!owners.contains(n1.name())) {
        remote = "target-" + i;
      }
    }
    ProcessId target = await(n3.register(remote, Echo::new, new DeploymentOptions()));
    String remoteName = remote;
    waitUntil(() -> {
      try {
        return await(n1.locate("echo")).equals("node-2") && await(n1.lookup(remoteName)).sameRegistration(target);
      } catch (RuntimeException e) {
        return false;
      }
    });

    JsonObject body = new JsonObject().put("op", "ping").put("payload", "0123456789abcdef");
    Function<Integer, Future<?>> raw = i -> n1.vertx().eventBus().request(RAW_ADDRESS, body);
    Function<Integer, Future<?>> call = i -> n1.call("echo", body);
    Function<Integer, Future<?>> lookup = i -> n1.lookup(remoteName);

    await(BenchSupport.sequential(ctx, raw, WARMUP, null, 0));
    await(BenchSupport.sequential(ctx, call, WARMUP, null, 0));
    long[] rawLat = new long[MEASURED];
    long[] callLat = new long[MEASURED];
    for (int b = 0; b < MEASURED / BLOCK; b++) {
      await(BenchSupport.sequential(ctx, raw, BLOCK, rawLat, b * BLOCK));
      await(BenchSupport.sequential(ctx, call, BLOCK, callLat, b * BLOCK));
    }
    double rawTput = await(throughput(ctx, raw));
    double callTput = await(throughput(ctx, call));
    await(BenchSupport.sequential(ctx, lookup, WARMUP, null, 0));
    long[] lookupLat = new long[LOOKUPS];
    await(BenchSupport.sequential(ctx, lookup, LOOKUPS, lookupLat, 0));

    Arrays.sort(rawLat);
    Arrays.sort(callLat);
    Arrays.sort(lookupLat);
    double rawP50 = us(Blocking.percentile(rawLat, 0.50));
    double rawP99 = us(Blocking.percentile(rawLat, 0.99));
    System.out.println("## Call latency: `node.call` and remote `node.lookup` vs raw event-bus requests");
    System.out.println();
    System.out.printf("3 clustered nodes in one JVM (%d cores), embedded ZooKeeper, default timings, sessionTimeout 4000 ms. "
        + "From node-1 to node-2: %d warm-up each, then %d sequential round trips each, interleaved in blocks of %d; "
        + "throughput: %,d requests with %d in flight each. Lookup target `%s` on node-3, directory owners %s.%n%n",
      Runtime.getRuntime().availableProcessors(), WARMUP, MEASURED, BLOCK, THROUGHPUT_REQUESTS, IN_FLIGHT,
      remoteName, n1.addressBook().owners(remoteName));
    System.out.println("| measurement | samples | p50 (µs) | p99 (µs) | throughput (req/s, 64 in flight) |");
    System.out.println("| --- | ---: | ---: | ---: | ---: |");
    System.out.printf("| (a) raw `eventBus().request(\"raw.echo\")` | %d | %.0f | %.0f | %,.0f |%n", MEASURED, rawP50, rawP99, rawTput);
    System.out.printf("| (b) `node.call(\"echo\")` | %d | %.0f | %.0f | %,.0f |%n",
      MEASURED, us(Blocking.percentile(callLat, 0.50)), us(Blocking.percentile(callLat, 0.99)), callTput);
    System.out.printf("| (c) remote `node.lookup(\"%s\")` (uncached) | %d | %.0f | %.0f | – |%n",
      remoteName, LOOKUPS, us(Blocking.percentile(lookupLat, 0.50)), us(Blocking.percentile(lookupLat, 0.99)));
    System.out.println();
    System.out.println("| ratio | p50 | p99 | throughput |");
    System.out.println("| --- | ---: | ---: | ---: |");
    System.out.printf("| call / raw | %.2f× | %.2f× | %.2f× |%n",
      us(Blocking.percentile(callLat, 0.50)) / rawP50, us(Blocking.percentile(callLat, 0.99)) / rawP99, callTput / rawTput);
    System.out.printf("| remote lookup / raw | %.2f× | %.2f× | – |%n",
      us(Blocking.percentile(lookupLat, 0.50)) / rawP50, us(Blocking.percentile(lookupLat, 0.99)) / rawP99);
  }

  /** {@value #THROUGHPUT_REQUESTS} requests, {@value #IN_FLIGHT} in flight, on {@code ctx}: requests per second. */
  private static Future<Double> throughput(Context ctx, Function<Integer, Future<?>> op) {
    return BenchSupport.throughput(ctx, op, THROUGHPUT_REQUESTS, IN_FLIGHT);
  }

  private void closeAll() {
    BenchSupport.closeQuietly(nodes, zookeeper);
  }


  private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("the cluster did not settle within 30 s");
      }
      Thread.sleep(10);
    }
  }


  private static double us(long nanos) {
    return nanos / 1e3;
  }

  private static <T> T await(Future<T> future) {
    return Blocking.await(future, STEP_TIMEOUT_MS);
  }
}
