package dev.vxext.testing;

import dev.vxext.process.ProcessVerticle;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A daemon for tests. Counts its live instances per name across every node of the JVM, and records
 * the highest count ever seen, so a test can assert a daemon never ran twice at any moment.
 */
public class DaemonWorker extends ProcessVerticle {

  public static final Map<String, AtomicInteger> LIVE = new ConcurrentHashMap<>();
  public static final Map<String, Integer> MAX = new ConcurrentHashMap<>();
  public static final Set<String> STARTED = ConcurrentHashMap.newKeySet();

  /** Forgets everything (call before a test). */
  public static void reset() {
    LIVE.clear();
    MAX.clear();
    STARTED.clear();
  }

  /** @return the largest number of simultaneous instances any daemon name ever had */
  public static int maxConcurrent() {
    return MAX.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  @Override
  protected Future<?> onStart() {
    int now = LIVE.computeIfAbsent(name(), k -> new AtomicInteger()).incrementAndGet();
    MAX.merge(name(), now, Math::max);
    STARTED.add(name());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    AtomicInteger live = LIVE.get(name());
    if (live != null) live.decrementAndGet();
    return Future.succeededFuture();
  }

  @Override
  protected void handle(Message<Object> message) {
    message.reply(new JsonObject().put("name", name()).put("config", config()));
  }
}
