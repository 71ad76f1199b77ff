package dev.vxext.cron.impl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Counter;

/**
 * Claims each cluster cron tick with one cluster counter per job ({@code vxext.cron.<job>}), holding the
 * scheduled time (epoch ms) of the last tick fired: tick T is fired by whoever moves the counter from a
 * value below T to T with compare-and-set, so two nodes that both think they own the job cannot both fire
 * it. One counter round trip per tick, on the critical path of each: the claim of cluster managers other
 * than ZooKeeper (there {@link ClaimAhead} claims ahead), and of a node running alone.
 */
final class TickClaim implements TickClaims {

  private static final int MAX_ATTEMPTS = 20;

  private final Vertx vertx;

  TickClaim(Vertx vertx) {
    this.vertx = vertx;
  }

  static String counterName(String job) {
    return "vxext.cron." + job;
  }

  /**
   * The last fired tick is handled; a job that never fired is scheduled from {@code now}: a node that takes
   * it over then fires the ticks after {@code now} that its predecessor missed.
   */
  @Override
  public Future<Takeover> acquire(String job, long now) {
    return vertx.sharedData().getCounter(counterName(job)).compose(c -> c.get().compose(last -> last > 0
      ? Future.succeededFuture(Takeover.from(last))
      : c.compareAndSet(0, now).compose(set -> set ? Future.succeededFuture(Takeover.from(now)) : c.get().map(Takeover::from))));
  }

  /** @return true when this node won tick {@code scheduledAt}; false when it was already fired */
  @Override
  public Future<Boolean> claim(String job, long scheduledAt) {
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
