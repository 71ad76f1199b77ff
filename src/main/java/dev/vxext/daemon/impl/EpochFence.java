package dev.vxext.daemon.impl;

import dev.vxext.cluster.impl.LeaderElection;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The highest leader epoch this node has seen, and the check of every leader command against it: a command
 * with a lower epoch is refused (409, a stale leader); one with a higher epoch is accepted only once the
 * epoch is verified against the cluster counter {@value LeaderElection#EPOCH}, which only a node that won
 * the leader lock advances. So one forged message (an epoch of {@code Long.MAX_VALUE}, say) cannot make this
 * node refuse the real leader for good: it is refused itself, and nothing changes. Confined to the daemon
 * verticle's context.
 */
final class EpochFence {

  private static final Logger log = LoggerFactory.getLogger(EpochFence.class);

  private final Vertx vertx;
  private final String self;
  private long highest;

  EpochFence(Vertx vertx, String self) {
    this.vertx = vertx;
    this.self = self;
  }

  /** @return the highest verified epoch seen */
  long highest() {
    return highest;
  }

  /** This node won an election with {@code epoch} (verified by the election itself). */
  void elected(long epoch) {
    highest = Math.max(highest, epoch);
  }

  /**
   * @param header the command's epoch header, or null
   * @param required whether the command must carry an epoch
   * @return a future completed with the command's epoch (0 when it carries none and needs none) when the
   *   command may proceed; failed with 400 (missing or malformed), 409 (stale, or ahead of the cluster's)
   */
  Future<Long> admit(String header, boolean required) {
    if (header == null) {
      return required ? Future.failedFuture(Protocol.failure(Protocol.BAD_REQUEST, "a leader command needs its epoch"))
        : Future.succeededFuture(0L);
    }
    long epoch;
    try {
      epoch = Long.parseLong(header);
    } catch (NumberFormatException e) {
      return Future.failedFuture(Protocol.failure(Protocol.BAD_REQUEST, "epoch header is not a number"));
    }
    if (epoch < highest) {
      log.warn("[node={}] refused a command of stale leader epoch {} (highest seen {})", self, epoch, highest);
      return Future.failedFuture(stale(epoch));
    }
    if (epoch <= 0) {
      return Future.failedFuture(Protocol.failure(Protocol.BAD_REQUEST, "epoch must be > 0, got " + epoch));
    }
    if (epoch == highest) {
      return Future.succeededFuture(epoch);
    }
    // a new epoch: only a lock holder advances the cluster counter, so a real one is never above it
    return vertx.sharedData().getCounter(LeaderElection.EPOCH).compose(Counter::get).compose(cluster -> {
      if (epoch > cluster) {
        log.warn("[node={}] refused a command with epoch {}, ahead of the cluster's epoch {} (forged?)", self, epoch, cluster);
        return Future.failedFuture(Protocol.failure(Protocol.CONFLICT, "epoch " + epoch + " is ahead of the cluster's leader"
          + " epoch " + cluster + ": refused"));
      }
      if (epoch < highest) {
        return Future.failedFuture(stale(epoch));
      }
      highest = epoch;
      return Future.succeededFuture(epoch);
    }, t -> Future.failedFuture(Protocol.failure(Protocol.NOT_READY, "cannot verify leader epoch " + epoch
      + " (" + t.getMessage() + "); try again soon")));
  }

  private io.vertx.core.eventbus.ReplyException stale(long epoch) {
    return Protocol.failure(Protocol.CONFLICT, "stale leader epoch " + epoch + ": node " + self + " has seen epoch " + highest);
  }
}
