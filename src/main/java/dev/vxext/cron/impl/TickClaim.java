package dev.vxext.cron.impl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Counter;

/**
 * Claims a cluster cron tick with one cluster counter per job ({@code vxext.cron.<job>}), holding the
 * scheduled time (epoch ms) of the last tick fired. Tick T is fired by whoever moves the counter from a
 * value below T to T with compare-and-set, so two nodes that both think they own the job cannot both
 * fire it, and storage stays one value per job.
 */
final class TickClaim {

  private static final int MAX_ATTEMPTS = 20;

  private final Vertx vertx;

  TickClaim(Vertx vertx) {
    this.vertx = vertx;
  }

  static String counterName(String job) {
    return "vxext.cron." + job;
  }

  /** @return the scheduled time of the last fired tick of {@code job} (0 when it never fired) */
  Future<Long> last(String job) {
    return vertx.sharedData().getCounter(counterName(job)).compose(Counter::get);
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
    return vertx.sharedData().getCounter(counterName(job)).compose(c -> attempt(c, scheduledAt, 0));
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
