package dev.vxext.cluster.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Counter;
import io.vertx.core.shareddata.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Competes for the cluster-wide lock {@value #LOCK}; the holder is the leader once it has advanced the
 * cluster counter {@value #EPOCH} with get + compareAndSet (vertx-zookeeper's incrementAndGet is not
 * atomic). States: {@code FOLLOWER} (competing), {@code LEADER} (holding, epoch known), {@code PAUSED}
 * (ZooKeeper connection suspended: not competing, not leading), {@code STOPPED}.
 * <p>
 * The lock alone is never trusted: vertx-zookeeper drops it silently on SUSPENDED, so the owner of this
 * election must call {@link #pause()} on SUSPENDED/LOST and {@link #resume()} on RECONNECTED. Confined to
 * one context; the listener is called on edges only.
 */
public final class LeaderElection {

  /** Name of the cluster-wide leader lock. */
  public static final String LOCK = "vxext.leader";
  /**
   * How long one attempt to take the lock waits, ms: short, so that a node that closes while it waits for
   * the lock is not kept (the ZooKeeper client must outlive the attempt); a lock freed meanwhile is taken
   * by the attempt that waits (it is notified), so this costs no failover time.
   */
  public static final long ATTEMPT_MS = 1_000;
  /** Name of the cluster counter holding the last epoch. */
  public static final String EPOCH = "vxext.leader.epoch";

  private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

  /** Election states. */
  public enum State { FOLLOWER, LEADER, PAUSED, STOPPED }

  /** Receives leadership edges. */
  public interface Listener {
    void elected(long epoch);

    void demoted();
  }

  private final Vertx vertx;
  private final String self;
  private final boolean clustered;
  private final long attemptTimeout;
  private final Listener listener;
  private State state = State.FOLLOWER;
  private Lock lock;
  private long epoch;
  private long generation;

  public LeaderElection(Vertx vertx, String self, boolean clustered, long attemptTimeout, Listener listener) {
    this.vertx = vertx;
    this.self = self;
    this.clustered = clustered;
    this.attemptTimeout = attemptTimeout;
    this.listener = listener;
  }

  /** @return the current state */
  public State state() {
    return state;
  }

  /** @return the epoch while leader, else 0 */
  public long epoch() {
    return state == State.LEADER ? epoch : 0;
  }

  /** Starts competing (a node alone is leader at once, epoch 1). */
  public void start() {
    if (!clustered) {
      transition(State.LEADER, 1);
      return;
    }
    compete(generation);
  }

  /** Stops leading and competing until {@link #resume()}: the connection to ZooKeeper is suspended. */
  public void pause() {
    if (state == State.STOPPED || state == State.PAUSED) return;
    generation++;
    dropLock();
    transition(State.PAUSED, 0);
  }

  /** Competes again after a {@link #pause()}. */
  public void resume() {
    if (state != State.PAUSED) return;
    generation++;
    transition(State.FOLLOWER, 0);
    compete(generation);
  }

  /** Gives up leadership for good and releases the lock. */
  public void stop() {
    if (state == State.STOPPED) return;
    generation++;
    dropLock();
    transition(State.STOPPED, 0);
  }

  private void compete(long gen) {
    if (gen != generation || state != State.FOLLOWER) return;
    vertx.sharedData().getLockWithTimeout(LOCK, attemptTimeout).onComplete(ar -> {
      if (gen != generation || state != State.FOLLOWER) {
        if (ar.succeeded()) {
          lock = ar.result();
          dropLock();
        }
        return;
      }
      if (ar.failed()) {
        // timed out waiting for the holder: try again (a short pause if it failed fast)
        vertx.setTimer(100, t -> compete(gen));
        return;
      }
      lock = ar.result();
      advanceEpoch().onComplete(e -> {
        if (gen != generation || state != State.FOLLOWER) {
          return;
        }
        if (e.failed()) {
          log.warn("[node={}] cannot advance the leader epoch ({}); releasing the lock, will compete again", self, e.cause().getMessage());
          dropLock();
          vertx.setTimer(500, t -> compete(gen));
          return;
        }
        transition(State.LEADER, e.result());
      });
    });
  }

  private Future<Long> advanceEpoch() {
    return vertx.sharedData().getCounter(EPOCH).compose(this::casIncrement);
  }

  private Future<Long> casIncrement(Counter counter) {
    return counter.get().compose(v -> counter.compareAndSet(v, v + 1).compose(ok -> {
      if (ok) return Future.succeededFuture(v + 1);
      Promise<Long> retry = Promise.promise();
      vertx.setTimer(10, t -> casIncrement(counter).onComplete(retry));
      return retry.future();
    }));
  }

  private void dropLock() {
    if (lock != null) {
      try {
        lock.release();
      } catch (RuntimeException e) {
        log.debug("[node={}] releasing the leader lock: {}", self, e.getMessage());
      }
      lock = null;
    }
  }

  private void transition(State next, long newEpoch) {
    State previous = state;
    state = next;
    if (next == State.LEADER) {
      epoch = newEpoch;
      log.info("[node={}] election {} -> LEADER (epoch {})", self, previous, newEpoch);
      listener.elected(newEpoch);
    } else if (previous == State.LEADER) {
      log.info("[node={}] election LEADER -> {} (epoch {} ends)", self, next, epoch);
      listener.demoted();
    } else if (previous != next) {
      log.debug("[node={}] election {} -> {}", self, previous, next);
    }
  }
}
