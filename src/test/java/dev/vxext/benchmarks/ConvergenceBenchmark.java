package dev.vxext.benchmarks;

import dev.vxext.testing.Blocking;
import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.process.ProcessVerticle;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.apache.curator.test.TestingServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Directory convergence: the time from the moment {@code register} completes on one node to the moment
 * the name is locatable from all three nodes, against the round trip of a raw clustered event-bus request.
 * <p>
 * Embedded ZooKeeper, 3 clustered nodes with default timings (session timeout 4 s). Registration {@code i}
 * runs on node {@code i % 3}, one at a time. When it completes, every node starts an asynchronous locate
 * loop on its own context (a 404 retries after a 1 ms timer, nothing sleeps) and records when it first
 * succeeds; the sample is the latest of the three. Arguments: {@code [N]} measured registrations
 * (default 1000, at least 100 for a meaningful p99). Prints a Markdown table and exits 0.
 */
public final class ConvergenceBenchmark {

  private static final Logger log = LoggerFactory.getLogger(ConvergenceBenchmark.class);
  private static final int WARMUP_REGISTRATIONS = 100;
  private static final int RAW_WARMUP = 500;
  private static final int RAW_REQUESTS = 2000;
  private static final int RAW_BLOCK = 100;
  private static final String RAW_ADDRESS = "bench.raw";
  private static final long STEP_TIMEOUT_MS = 30_000;

  private final List<ClusterNode> nodes = new ArrayList<>();
  private final List<Context> contexts = new ArrayList<>();
  private TestingServer zookeeper;

  /** A process that does nothing but exist (it replies with its name). */
  static final class Idle extends ProcessVerticle {
    @Override
    protected void handle(Message<Object> message) {
      message.reply(name());
    }
  }

  private ConvergenceBenchmark() {
  }

  /** Runs the benchmark; {@code args[0]} is the number of measured registrations. */
  public static void main(String[] args) {
    int n = 1000;
    if (args.length > 0 && !args[0].isBlank()) {
      try {
        n = Integer.parseInt(args[0].trim());
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 1) {
        System.err.println("usage: ConvergenceBenchmark [N>=1] (default 1000)");
        System.exit(2);
      }
    }
    if (n < 100) {
      System.err.println("warning: N=" + n + " < 100, p99 is not meaningful");
    }
    ConvergenceBenchmark bench = new ConvergenceBenchmark();
    int code = 0;
    try {
      bench.run(n);
    } catch (Throwable t) {
      log.debug("benchmark failed", t);
      System.err.println("ConvergenceBenchmark failed: " + t);
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

  private void run(int n) throws Exception {
    zookeeper = new TestingServer(true);
    String root = "vxext-bench-conv-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
    for (int i = 1; i <= 3; i++) {
      NodeOptions o = new NodeOptions().setNodeName("node-" + i).setZookeeperHosts(zookeeper.getConnectString())
        .setZookeeperRootPath(root).setSessionTimeout(4000);
      ClusterNode node = await(ClusterNode.start(o));
      nodes.add(node);
      // a context of this node's own Vert.x instance, created from the main thread, runs its locate loops
      contexts.add(node.vertx().getOrCreateContext());
    }
    long deadline = System.currentTimeMillis() + STEP_TIMEOUT_MS;
    while (!nodes.stream().allMatch(x -> x.addressBook().availableNodes().size() == 3)) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("the 3 nodes did not see each other within " + STEP_TIMEOUT_MS + " ms");
      }
      Thread.sleep(10);
    }

    for (int i = 0; i < WARMUP_REGISTRATIONS; i++) {
      await(sample("warm-" + i, nodes.get(i % 3)));
    }
    long[] conv = new long[n];
    long wall = System.nanoTime();
    for (int i = 0; i < n; i++) {
      conv[i] = await(sample("conv-" + i, nodes.get(i % 3)));
    }
    wall = System.nanoTime() - wall;

    ClusterNode n1 = nodes.get(0);
    ClusterNode n2 = nodes.get(1);
    await(n2.vertx().eventBus().consumer(RAW_ADDRESS, m -> m.reply(m.body())).completion());
    long[] raw = await(rawRoundTrips(n1));

    Arrays.sort(conv);
    Arrays.sort(raw);
    double convP50 = ms(Blocking.percentile(conv, 0.50));
    double rawP50 = ms(Blocking.percentile(raw, 0.50));
    System.out.println("## Directory convergence: register → locatable from all 3 nodes");
    System.out.println();
    System.out.printf("3 clustered nodes in one JVM (%d cores), embedded ZooKeeper, default timings (syncInterval %d ms, "
        + "directoryReplicas %d), sessionTimeout 4000 ms; %d warm-up + %d measured sequential registrations "
        + "(%.1f s); raw baseline: %d sequential requests node-1 → node-2 (from 4 sender contexts, one per event loop) after %d warm-up.%n%n",
      Runtime.getRuntime().availableProcessors(), NodeOptions.DEFAULT_SYNC_INTERVAL, NodeOptions.DEFAULT_DIRECTORY_REPLICAS,
      WARMUP_REGISTRATIONS, n, wall / 1e9, RAW_REQUESTS, RAW_WARMUP);
    System.out.println("| measurement | samples | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |");
    System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
    System.out.printf("| convergence (register done → locate OK on all 3 nodes) | %d | %.3f | %.3f | %.3f | %.3f |%n",
      n, convP50, ms(Blocking.percentile(conv, 0.90)), ms(Blocking.percentile(conv, 0.99)), ms(conv[conv.length - 1]));
    System.out.printf("| raw `eventBus().request` RTT node-1 → node-2 | %d | %.3f | %.3f | %.3f | %.3f |%n",
      raw.length, rawP50, ms(Blocking.percentile(raw, 0.90)), ms(Blocking.percentile(raw, 0.99)), ms(raw[raw.length - 1]));
    System.out.println();
    System.out.println("| ratio | value |");
    System.out.println("| --- | ---: |");
    System.out.printf("| convergence p50 / raw RTT p50 | %.1f× |%n", convP50 / rawP50);
  }

  /**
   * Registers {@code name} on {@code on}; once that completes, every node locates it in a loop.
   *
   * @return nanoseconds from register completion to the last node's first successful locate
   */
  private Future<Long> sample(String name, ClusterNode on) {
    return on.register(name, Idle::new, new DeploymentOptions()).compose(pid -> {
      long registered = System.nanoTime();
      String expected = pid.node();
      Promise<Long> done = Promise.promise();
      AtomicInteger pending = new AtomicInteger(nodes.size());
      long[] latest = {0};
      for (int k = 0; k < nodes.size(); k++) {
        ClusterNode node = nodes.get(k);
        contexts.get(k).runOnContext(v -> locateUntilFound(node, name, expected, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STEP_TIMEOUT_MS))
          .onComplete(ar -> {
            if (ar.failed()) {
              done.tryFail(ar.cause());
              return;
            }
            synchronized (latest) {
              latest[0] = Math.max(latest[0], ar.result());
            }
            if (pending.decrementAndGet() == 0) {
              synchronized (latest) {
                done.tryComplete(latest[0] - registered);
              }
            }
          }));
      }
      return done.future();
    });
  }

  /** Runs on {@code node}'s context: locate, and on 404 retry after 1 ms. Completes with the success time. */
  private static Future<Long> locateUntilFound(ClusterNode node, String name, String expected, long deadline) {
    Promise<Long> promise = Promise.promise();
    attempt(node, name, expected, deadline, promise);
    return promise.future();
  }

  private static void attempt(ClusterNode node, String name, String expected, long deadline, Promise<Long> promise) {
    node.locate(name).onComplete(ar -> {
      long now = System.nanoTime();
      if (ar.succeeded() && expected.equals(ar.result())) {
        promise.complete(now);
      } else if (ar.failed() && !WhereIs.hasCode(ar.cause(), WhereIs.NOT_FOUND)) {
        promise.fail(new IllegalStateException(node.name() + " locate " + name + " failed: " + ar.cause(), ar.cause()));
      } else if (now > deadline) {
        promise.fail(new IllegalStateException(node.name() + " could not locate " + name + " within " + STEP_TIMEOUT_MS + " ms"));
      } else {
        node.vertx().setTimer(1, id -> attempt(node, name, expected, deadline, promise));
      }
    });
  }

  /**
   * Sequential raw requests from {@code from}, in blocks of 100 from {@value BenchSupport#SENDERS} sender
   * contexts in turn (one per event loop, see {@link BenchSupport#senders}): warm-up first, then the measured ones.
   */
  private static Future<long[]> rawRoundTrips(ClusterNode from) {
    List<Context> senders = BenchSupport.senders(from.vertx(), BenchSupport.SENDERS);
    Function<Integer, Future<?>> op = i -> from.vertx().eventBus().request(RAW_ADDRESS, new JsonObject().put("name", "raw-" + i));
    long[] samples = new long[RAW_REQUESTS];
    Future<Void> done = BenchSupport.warmUp(senders, op, RAW_WARMUP / senders.size());
    for (int b = 0; b < RAW_REQUESTS / RAW_BLOCK; b++) {
      int block = b;
      done = done.compose(v -> BenchSupport.sequential(senders.get(block % senders.size()), op, RAW_BLOCK, samples, block * RAW_BLOCK));
    }
    return done.map(v -> samples);
  }


  private void closeAll() {
    BenchSupport.closeQuietly(nodes, zookeeper);
  }



  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static <T> T await(Future<T> future) {
    return Blocking.await(future, STEP_TIMEOUT_MS);
  }
}
