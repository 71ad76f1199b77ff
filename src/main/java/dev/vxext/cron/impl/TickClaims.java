package dev.vxext.cron.impl;

import io.vertx.core.Future;

/**
 * How this node wins the ticks of the cluster jobs it owns, so that each tick fires once in the cluster
 * even while nodes disagree about who owns a job. Two implementations: {@link ClaimAhead} on ZooKeeper
 * (ticks claimed ahead in batches, fired from local timers) and {@link TickClaim} on other cluster
 * managers (one compare-and-set of a cluster counter per tick). Used on one context (the cron verticle's).
 */
interface TickClaims {

  /**
   * What a node that takes a job over may fire: every tick at or before {@code handledThrough} was fired (or
   * counted missed) by a previous owner; the ticks in ({@code uncertainFrom}, {@code uncertainThrough}]
   * (epoch ms; an empty range when equal) were claimed by an owner that died before it recorded whether it
   * fired them: they are counted missed, never fired a second time. The ticks after both are due.
   */
  record Takeover(long handledThrough, long uncertainFrom, long uncertainThrough) {

    static Takeover from(long handledThrough) {
      return new Takeover(handledThrough, handledThrough, handledThrough);
    }

    /** @return the instant after which every tick is this owner's to fire */
    long dueAfter() {
      return Math.max(handledThrough, uncertainThrough);
    }
  }

  /** Takes {@code job} over at {@code now} (epoch ms); waits while a live previous owner still holds its ticks. */
  Future<Takeover> acquire(String job, long now);

  /** @return true when this node may fire tick {@code scheduledAt} of {@code job}; false when it is not this node's */
  Future<Boolean> claim(String job, long scheduledAt);

  /**
   * @return true while this node holds {@code job} or is taking it over; false once another node took it
   *   over (this node was frozen or cut off meanwhile): it must be taken over again to fire
   */
  default boolean holds(String job) {
    return true;
  }

  /** The next tick of {@code job} this node will fire, when its timer is set. */
  default void scheduled(String job, long scheduledAt) {
  }

  /** Tick {@code scheduledAt} of {@code job} is settled here: handed to delivery, or counted missed. */
  default void settled(String job, long scheduledAt) {
  }

  /** This node stops firing {@code job}: the ticks it claimed and did not fire become the next owner's. */
  default Future<Void> release(String job) {
    return Future.succeededFuture();
  }

  /** Releases every job; safe twice. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
