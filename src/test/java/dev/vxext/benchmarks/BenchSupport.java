package dev.vxext.benchmarks;

import dev.vxext.ClusterNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.apache.curator.test.TestingServer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

import static dev.vxext.testing.ClusterFixture.await;

/** What the cluster benchmarks share: sequential and in-flight request loops, and closing a run's nodes. */
final class BenchSupport {

  /** Sender contexts per measuring node: one per event loop of a 2-core machine's default Vert.x (2 × cores). */
  static final int SENDERS = 4;

  private BenchSupport() {
  }

  /**
   * @return {@code count} event-loop contexts of {@code vertx}, on its event loops in turn. A node has one
   *   connection per peer, on one event loop: a sender on another loop pays a thread hop, one on the same loop
   *   does not. Measuring from one context measures that coincidence (it moved the raw baseline by 2× between
   *   two builds); measuring from a context on every loop measures what an application's verticles see.
   */
  static List<Context> senders(Vertx vertx, int count) {
    List<Context> contexts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      contexts.add(((VertxInternal) vertx).createEventLoopContext());
    }
    return contexts;
  }

  /** Warms {@code op} up with {@code count} requests on each of {@code contexts}. */
  static Future<Void> warmUp(List<Context> contexts, Function<Integer, Future<?>> op, int count) {
    Future<Void> done = Future.succeededFuture();
    for (Context ctx : contexts) {
      done = done.compose(v -> sequential(ctx, op, count, null, 0));
    }
    return done;
  }

  /** Throughput with the requests and the in-flight window split over {@code contexts}, all at once: requests per second. */
  static Future<Double> throughput(List<Context> contexts, Function<Integer, Future<?>> op, int total, int inFlight) {
    int each = total / contexts.size();
    long t0 = System.nanoTime();
    List<Future<Double>> parts = new ArrayList<>();
    for (Context ctx : contexts) {
      parts.add(throughput(ctx, op, each, Math.max(1, inFlight / contexts.size())));
    }
    return Future.all(parts).map(v -> each * contexts.size() / ((System.nanoTime() - t0) / 1e9));
  }

  /** Runs {@code count} requests one after the other on {@code ctx}; stores each round trip (ns) from {@code offset}. */
  static Future<Void> sequential(Context ctx, Function<Integer, Future<?>> op, int count, long[] samples, int offset) {
    Promise<Void> promise = Promise.promise();
    ctx.runOnContext(v -> step(ctx, op, 0, count, samples, offset, promise));
    return promise.future();
  }

  private static void step(Context ctx, Function<Integer, Future<?>> op, int i, int count, long[] samples, int offset,
                           Promise<Void> promise) {
    if (i == count) {
      promise.complete();
      return;
    }
    long t0 = System.nanoTime();
    op.apply(offset + i).onComplete(ar -> {
      long rtt = System.nanoTime() - t0;
      if (ar.failed()) {
        if (samples == null && i == 0 && ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
          ctx.owner().setTimer(5, id -> step(ctx, op, 0, count, samples, offset, promise));
        } else {
          promise.fail(ar.cause());
        }
        return;
      }
      if (samples != null) {
        samples[offset + i] = rtt;
      }
      step(ctx, op, i + 1, count, samples, offset, promise);
    });
  }

  /** {@code total} requests with {@code inFlight} in flight, on {@code ctx}: requests per second. */
  static Future<Double> throughput(Context ctx, Function<Integer, Future<?>> op, int total, int inFlight) {
    Promise<Double> promise = Promise.promise();
    ctx.runOnContext(v -> {
      int[] issued = {0};
      int[] completed = {0};
      long t0 = System.nanoTime();
      Runnable[] next = new Runnable[1];
      next[0] = () -> {
        int i = issued[0]++;
        op.apply(i).onComplete(ar -> {
          if (ar.failed()) {
            promise.tryFail(ar.cause());
            return;
          }
          if (++completed[0] == total) {
            promise.tryComplete(total / ((System.nanoTime() - t0) / 1e9));
          } else if (issued[0] < total) {
            next[0].run();
          }
        });
      };
      for (int k = 0; k < inFlight; k++) {
        next[0].run();
      }
    });
    return promise.future();
  }

  /** Closes {@code nodes} (and forgets them), then {@code zookeeper} when set; failures are printed, not thrown. */
  static void closeQuietly(Collection<ClusterNode> nodes, TestingServer zookeeper) {
    List<Future<Void>> closing = new ArrayList<>();
    nodes.forEach(x -> closing.add(x.close()));
    nodes.clear();
    try {
      await(Future.join(closing));
    } catch (RuntimeException e) {
      System.err.println("warning: closing the nodes: " + e);
    }
    if (zookeeper != null) {
      try {
        zookeeper.close();
      } catch (Exception e) {
        System.err.println("warning: closing ZooKeeper: " + e);
      }
    }
  }
  /** @return the directory entries held by {@code nodes}, summed */
  static long directoryTotal(List<ClusterNode> nodes) {
    long total = 0;
    for (ClusterNode node : nodes) {
      total += (long) node.meterRegistry().get(dev.vxext.metrics.MetricNames.DIRECTORY_ENTRIES).gauge().value();
    }
    return total;
  }

  static double syncBytes(ClusterNode node) {
    return node.meterRegistry().get(dev.vxext.metrics.MetricNames.SYNC_BYTES).counter().count();
  }

  static double syncMessages(ClusterNode node) {
    return node.meterRegistry().find(dev.vxext.metrics.MetricNames.SYNC_MESSAGES).counters().stream()
      .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
  }

  /** Runs {@code count} operations with at most {@code inFlight} at once; fails on the first failure. */
  static void deployAll(int count, int inFlight, Function<Integer, Future<Void>> op) throws InterruptedException {
    java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(inFlight);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
    for (int i = 0; i < count && failure.get() == null; i++) {
      permits.acquire();
      op.apply(i).onComplete(ar -> {
        if (ar.failed()) failure.compareAndSet(null, ar.cause());
        permits.release();
      });
    }
    permits.acquire(inFlight);
    if (failure.get() != null) {
      throw new IllegalStateException(failure.get());
    }
  }

  /** @return the used heap after full collections (the least of four, 300 ms apart) */
  static long heapAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(300);
      used = Math.min(used, java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /** Polls {@code condition} every 20 ms until it holds; fails after {@code timeoutMs} naming {@code what}. */
  static void waitFor(long timeoutMs, String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("timed out waiting: " + what);
      }
      Thread.sleep(20);
    }
  }
}
