package dev.vxext.cron.impl;

import dev.vxext.cluster.impl.FanOutClusterManager;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.Counter;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.KeeperException;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Claims a cluster cron tick with one cluster counter per job ({@code vxext.cron.<job>}), holding the
 * scheduled time (epoch ms) of the last tick fired. Tick T is fired by whoever moves the counter from a
 * value below T to T with compare-and-set, so two nodes that both think they own the job cannot both
 * fire it, and storage stays one value per job.
 * <p>
 * On ZooKeeper the counter is the znode {@code /counters/vxext.cron.<job>} of the Vert.x ZooKeeper counter
 * (8 bytes, big-endian, as Curator's {@code DistributedAtomicLong} stores it), read and written here with
 * Curator's asynchronous API: claims of many jobs are pipelined instead of queued one after the other on
 * the worker pool (the Vert.x counter runs each call as an ordered blocking task, ~5 round trips per
 * claim). The compare-and-set is a {@code setData} with the znode version last read, so it fails when
 * anyone wrote in between. The version this node last wrote is remembered per job: while it still owns
 * the job, the next claim is a single versioned write, and a stale version (another node fired) costs a
 * read and a retry. Claims of one job run one at a time in the order asked (claims of different jobs are
 * pipelined): with several ticks of a job in flight (a node running late), a later tick's write could
 * otherwise land while an earlier tick is retrying and skip it. Other cluster managers use the Vert.x counter.
 */
final class TickClaim {

  private static final int MAX_ATTEMPTS = 20;
  private static final String ZK_COUNTERS = "/counters/";

  private final Vertx vertx;
  private final Context context;
  private final CuratorFramework curator;
  /** Per job, the znode version and value this node last read or wrote (only used on {@link #context}). */
  private final Map<String, Known> known = new HashMap<>();
  /** Per job, the last claim asked for (only used on {@link #context}). */
  private final Map<String, Future<Boolean>> tails = new HashMap<>();

  private record Known(int version, long value) {
  }

  /** Call on the context that will use it: results are delivered there. */
  TickClaim(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    ClusterManager cm = ((VertxInternal) vertx).clusterManager();
    ClusterManager inner = cm instanceof FanOutClusterManager ? ((FanOutClusterManager) cm).delegate() : cm;
    this.curator = inner instanceof ZookeeperClusterManager ? ((ZookeeperClusterManager) inner).getCuratorFramework() : null;
  }

  static String counterName(String job) {
    return "vxext.cron." + job;
  }

  /** @return the scheduled time of the last fired tick of {@code job} (0 when it never fired) */
  Future<Long> last(String job) {
    if (curator == null) {
      return vertx.sharedData().getCounter(counterName(job)).compose(Counter::get);
    }
    return read(job).map(k -> k == null ? 0L : k.value);
  }

  /**
   * Records that {@code job} is scheduled from {@code from} (epoch ms) when it never fired: a node that
   * takes the job over then fires the ticks after {@code from} that its predecessor missed.
   */
  Future<Void> start(String job, long from) {
    return vertx.sharedData().getCounter(counterName(job)).compose(c -> c.compareAndSet(0, from)).mapEmpty();
  }

  /** @return true when this node won tick {@code scheduledAt}; false when it was already fired */
  Future<Boolean> claim(String job, long scheduledAt) {
    if (curator == null) {
      return vertx.sharedData().getCounter(counterName(job)).compose(c -> attempt(c, scheduledAt, 0));
    }
    // one claim per job at a time, in the order asked: a later tick's write must not overtake an earlier
    // tick's retry (the earlier tick would then lose to its successor and never fire)
    Future<Boolean> previous = tails.get(job);
    Future<Boolean> claimed = previous == null ? claimNow(job, scheduledAt)
      : previous.transform(ar -> claimNow(job, scheduledAt));
    tails.put(job, claimed);
    claimed.onComplete(ar -> tails.remove(job, claimed));
    return claimed;
  }

  private Future<Boolean> claimNow(String job, long scheduledAt) {
    Known k = known.get(job);
    if (k != null && k.value < scheduledAt) {
      // the value this node saw last is still there if the version is: one versioned write
      return write(job, k.version, scheduledAt, 0);
    }
    return readAndWrite(job, scheduledAt, 0);
  }

  private Future<Boolean> readAndWrite(String job, long scheduledAt, int attempt) {
    return read(job).compose(k -> {
      if (k == null) {
        return create(job, scheduledAt, attempt);
      }
      if (k.value >= scheduledAt) {
        return Future.succeededFuture(false);
      }
      return write(job, k.version, scheduledAt, attempt);
    });
  }

  /** @return the counter's version and value; null when the znode does not exist */
  private Future<Known> read(String job) {
    Promise<Known> promise = Promise.promise();
    background(promise, e -> {
      if (e.getResultCode() == KeeperException.Code.NONODE.intValue()) {
        promise.complete(null);
      } else if (e.getResultCode() != KeeperException.Code.OK.intValue()) {
        promise.fail(KeeperException.create(KeeperException.Code.get(e.getResultCode()), e.getPath()));
      } else {
        Known k = new Known(e.getStat().getVersion(), decode(e.getData()));
        known.put(job, k);
        promise.complete(k);
      }
    }, cb -> curator.getData().inBackground(cb).forPath(path(job)));
    return promise.future();
  }

  private Future<Boolean> write(String job, int version, long scheduledAt, int attempt) {
    Promise<Boolean> promise = Promise.promise();
    background(promise, e -> {
      int rc = e.getResultCode();
      if (rc == KeeperException.Code.OK.intValue()) {
        known.put(job, new Known(e.getStat().getVersion(), scheduledAt));
        promise.complete(true);
      } else if (rc == KeeperException.Code.BADVERSION.intValue() || rc == KeeperException.Code.NONODE.intValue()) {
        // someone wrote since that version was seen: read again and decide
        known.remove(job);
        retry(job, scheduledAt, attempt).onComplete(promise);
      } else {
        known.remove(job);
        promise.fail(KeeperException.create(KeeperException.Code.get(rc), e.getPath()));
      }
    }, cb -> curator.setData().withVersion(version).inBackground(cb).forPath(path(job), encode(scheduledAt)));
    return promise.future();
  }

  private Future<Boolean> create(String job, long scheduledAt, int attempt) {
    Promise<Boolean> promise = Promise.promise();
    background(promise, e -> {
      int rc = e.getResultCode();
      if (rc == KeeperException.Code.OK.intValue()) {
        // a new znode has version 0
        known.put(job, new Known(0, scheduledAt));
        promise.complete(true);
      } else if (rc == KeeperException.Code.NODEEXISTS.intValue()) {
        retry(job, scheduledAt, attempt).onComplete(promise);
      } else {
        promise.fail(KeeperException.create(KeeperException.Code.get(rc), e.getPath()));
      }
    }, cb -> curator.create().creatingParentContainersIfNeeded().inBackground(cb).forPath(path(job), encode(scheduledAt)));
    return promise.future();
  }

  private Future<Boolean> retry(String job, long scheduledAt, int attempt) {
    if (attempt + 1 >= MAX_ATTEMPTS) {
      return Future.failedFuture("could not claim tick " + scheduledAt + " after " + MAX_ATTEMPTS + " attempts");
    }
    return readAndWrite(job, scheduledAt, attempt + 1);
  }

  private interface Call {
    void start(org.apache.curator.framework.api.BackgroundCallback callback) throws Exception;
  }

  /** Starts a background Curator call; its event is handled on {@link #context}. */
  private void background(Promise<?> promise, java.util.function.Consumer<CuratorEvent> onEvent, Call call) {
    try {
      call.start((client, event) -> context.runOnContext(v -> {
        try {
          onEvent.accept(event);
        } catch (RuntimeException ex) {
          promise.tryFail(ex);
        }
      }));
    } catch (Exception e) {
      promise.tryFail(e);
    }
  }

  private static String path(String job) {
    return ZK_COUNTERS + counterName(job);
  }

  static byte[] encode(long value) {
    return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
  }

  static long decode(byte[] data) {
    if (data == null || data.length == 0) {
      return 0;
    }
    if (data.length != Long.BYTES) {
      throw new IllegalStateException("corrupt cron counter: " + data.length + " bytes");
    }
    return ByteBuffer.wrap(data).getLong();
  }

  private Future<Boolean> attempt(Counter counter, long scheduledAt, int attempt) {
    return counter.get().compose(previous -> {
      if (previous >= scheduledAt) {
        return Future.succeededFuture(false);
      }
      return counter.compareAndSet(previous, scheduledAt).compose(won -> {
        if (won) return Future.succeededFuture(true);
        if (attempt + 1 >= MAX_ATTEMPTS) {
          return Future.failedFuture("could not claim tick " + scheduledAt + " after " + MAX_ATTEMPTS + " attempts");
        }
        return attempt(counter, scheduledAt, attempt + 1);
      });
    });
  }
}
