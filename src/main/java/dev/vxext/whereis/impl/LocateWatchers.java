package dev.vxext.whereis.impl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The owner side of the locate near cache: which nodes this owner answered a name to, so that they are
 * told ({@code locate.stale}) when its directory entry of the name changes. A node is told once per answer:
 * it is forgotten for that name once told (its next locate of the name asks again and is remembered again).
 * Notices are batched per node over one turn of the whereis context.
 * <p>
 * Bounded: beyond {@link #MAX_NAMES} watched names every watcher is told to drop its whole cache
 * ({@code names} null) and the owner starts again empty. Confined to the whereis context.
 */
final class LocateWatchers {

  static final int MAX_NAMES = 100_000;

  private final Map<String, Set<String>> byName = new HashMap<>();
  private final Map<String, List<String>> pending = new LinkedHashMap<>();
  private final Consumer<Runnable> later;
  /** Sends a notice to a node: the names that changed, or null for "everything". */
  private final BiConsumer<String, List<String>> notify;
  private boolean flushScheduled;

  /**
   * @param later runs a task on a later turn of the whereis context
   * @param notify sends a {@code locate.stale} notice to a node
   */
  LocateWatchers(Consumer<Runnable> later, BiConsumer<String, List<String>> notify) {
    this.later = later;
    this.notify = notify;
  }

  /** This owner answered {@code name} to {@code node}. */
  void answered(String name, String node) {
    if (byName.size() >= MAX_NAMES && !byName.containsKey(name)) {
      Set<String> all = new HashSet<>();
      byName.values().forEach(all::addAll);
      byName.clear();
      pending.clear();
      all.forEach(n -> notify.accept(n, null));
    }
    byName.computeIfAbsent(name, k -> new HashSet<>(2)).add(node);
  }

  /** The entry of {@code name} changed in this owner's directory: its watchers are told (soon). */
  void changed(String name) {
    Set<String> nodes = byName.remove(name);
    if (nodes == null) {
      return;
    }
    for (String node : nodes) {
      pending.computeIfAbsent(node, k -> new ArrayList<>()).add(name);
    }
    if (!flushScheduled) {
      flushScheduled = true;
      later.accept(this::flush);
    }
  }

  /** {@code node} left: it watches nothing any more. */
  void left(String node) {
    byName.values().removeIf(nodes -> nodes.remove(node) && nodes.isEmpty());
    pending.remove(node);
  }

  /** @return how many names are watched */
  int size() {
    return byName.size();
  }

  private void flush() {
    flushScheduled = false;
    List<Map.Entry<String, List<String>>> batch = new ArrayList<>(pending.entrySet());
    pending.clear();
    for (Map.Entry<String, List<String>> e : batch) {
      notify.accept(e.getKey(), e.getValue());
    }
  }
}
