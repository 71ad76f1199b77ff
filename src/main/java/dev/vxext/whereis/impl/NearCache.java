package dev.vxext.whereis.impl;

import dev.vxext.process.ProcessId;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The caller side of the locate near cache: the answers remote directory owners gave this node, so that a
 * repeated {@code locate} of a name is answered from a local map.
 * <p>
 * An entry is used only while all of this holds:
 * <ul>
 *   <li>the membership view is the one it was cached under (any join, leave or leave notice drops every
 *   entry: owners and live nodes may have changed);</li>
 *   <li>no owner told this node the name changed: an owner that answers a locate remembers the asker and
 *   sends it a {@code locate.stale} notice when its directory entry of the name changes (register,
 *   unregister, a move, a departed node's entries dropped); a change in this node's own share of the
 *   directory drops the name too;</li>
 *   <li>no delivery to it failed with "not here" (the router drops the name before it locates again, so a
 *   stale answer costs at most one failed delivery);</li>
 *   <li>it is younger than its time to live (a backstop for a lost notice).</li>
 * </ul>
 * A notice that crosses the answer it invalidates is not lost: an answer is kept only when no invalidation
 * arrived since its query started (checked again after the entry is stored). Thread-safe.
 */
final class NearCache {

  /** Most entries; beyond it the cache starts again empty. */
  static final int MAX_ENTRIES = 100_000;

  private record Entry(ProcessId process, long view, long expiresAt) {
  }

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  /** Bumped by every invalidation: an answer whose query saw another value is not kept. */
  private final AtomicLong epoch = new AtomicLong();
  private final LongAdder hits = new LongAdder();
  private final long ttl;

  /** @param ttl how long an entry is used at most, ms (0: nothing is cached) */
  NearCache(long ttl) {
    this.ttl = ttl;
  }

  /** @return the cached process of {@code name}, if it is still valid under view version {@code view} */
  ProcessId get(String name, long view) {
    Entry e = entries.get(name);
    if (e == null) {
      return null;
    }
    if (e.view() != view || e.expiresAt() < System.currentTimeMillis()) {
      entries.remove(name, e);
      return null;
    }
    hits.increment();
    return e.process();
  }

  /** @return the epoch to pass to {@link #put} once the query started now answers */
  long epoch() {
    return epoch.get();
  }

  /** Keeps an owner's answer, unless something was invalidated since {@code epoch}. */
  void put(ProcessId process, long view, long epoch) {
    if (ttl <= 0 || this.epoch.get() != epoch) {
      return;
    }
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
    Entry e = new Entry(process, view, System.currentTimeMillis() + ttl);
    entries.put(process.name(), e);
    if (this.epoch.get() != epoch) {
      // an invalidation ran between the check and the put: it may have missed this entry
      entries.remove(process.name(), e);
    }
  }

  /** Forgets {@code name}. */
  void invalidate(String name) {
    epoch.incrementAndGet();
    entries.remove(name);
  }

  /** Forgets {@code names}. */
  void invalidate(Collection<String> names) {
    epoch.incrementAndGet();
    for (String n : names) {
      entries.remove(n);
    }
  }

  /** Forgets everything. */
  void clear() {
    epoch.incrementAndGet();
    entries.clear();
  }

  int size() {
    return entries.size();
  }

  long hits() {
    return hits.sum();
  }
}
