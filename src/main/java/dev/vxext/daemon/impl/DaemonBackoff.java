package dev.vxext.daemon.impl;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * The leader's crash-loop guard: a daemon whose placement failed (its verticle's start failed on every node
 * tried, or no node took it) is tried again after an exponential backoff with jitter, {@value #BASE_MS} ms
 * doubling up to {@value #CAP_MS} ms (±{@value #JITTER_PERCENT} %), not at every reconciliation. A success,
 * or the daemon found running, forgets it. Confined to the daemon verticle's context.
 */
final class DaemonBackoff {

  static final long BASE_MS = 1_000;
  static final long CAP_MS = 60_000;
  static final int JITTER_PERCENT = 20;

  /** One daemon waiting: how many placements failed in a row, when it is tried again, the last error. */
  record Entry(int failures, long retryAt, String lastError) {
  }

  private final Map<String, Entry> entries = new HashMap<>();
  private final Random random;

  DaemonBackoff(Random random) {
    this.random = random;
  }

  /** @return the delay before the next attempt after {@code failures} failures in a row, without jitter */
  static long delay(int failures) {
    int doublings = Math.max(0, Math.min(failures - 1, 16));
    return Math.min(CAP_MS, BASE_MS << doublings);
  }

  /** @return the entry of a daemon that is waiting at {@code now}, or null when it may be tried */
  Entry waiting(String name, long now) {
    Entry e = entries.get(name);
    return e != null && now < e.retryAt() ? e : null;
  }

  /** A placement of {@code name} failed at {@code now}. @return its new entry */
  Entry failed(String name, String error, long now) {
    Entry previous = entries.get(name);
    return failed(name, previous == null ? 1 : previous.failures() + 1, error, now);
  }

  /** {@code name} failed {@code failures} times in a row, the last at {@code now}. @return its new entry */
  Entry failed(String name, int failures, String error, long now) {
    long base = delay(failures);
    long jitter = base * JITTER_PERCENT / 100;
    long wait = base - jitter + (jitter == 0 ? 0 : (long) (random.nextDouble() * 2 * jitter));
    Entry e = new Entry(failures, now + wait, error);
    entries.put(name, e);
    return e;
  }

  /** {@code name} runs (placed, or found running): it starts afresh. */
  void running(String name) {
    entries.remove(name);
  }

  /** @return how many daemons are waiting at {@code now} */
  int waitingCount(long now) {
    return (int) entries.values().stream().filter(e -> now < e.retryAt()).count();
  }

  /** @return the earliest retry time of a waiting daemon after {@code now}, or 0 when none waits */
  long nextRetryAt(long now) {
    return entries.values().stream().mapToLong(Entry::retryAt).filter(t -> t > now).min().orElse(0);
  }
}
