package dev.vxext.process.impl;

import dev.vxext.protocol.Protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the ids of the messages a node delivered (those sent with an id, see
 * {@code Protocol.ONCE_HEADER}), so that a sender that retries after an uncertain failure (a timeout, a node
 * that left while the message was in flight) does not deliver one twice: cron ticks. Bounded: the newest
 * {@value #CAPACITY} ids, none older than {@value #TTL_MS} ms. Thread-safe (lanes run on several event loops).
 */
final class OnceFilter {

  static final int CAPACITY = 100_000;
  static final long TTL_MS = 3_600_000;

  private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > CAPACITY;
    }
  };

  /** @return true the first time {@code id} is offered (deliver it), false for a repeat (do not) */
  synchronized boolean first(String id, long now) {
    while (!seen.isEmpty()) {
      Map.Entry<String, Long> eldest = seen.entrySet().iterator().next();
      if (now - eldest.getValue() <= TTL_MS) break;
      seen.remove(eldest.getKey());
    }
    return seen.putIfAbsent(id, now) == null;
  }
}
