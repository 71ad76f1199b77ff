package dev.vxext.spi;

import java.util.List;

/**
 * Chooses which cluster member hosts a named entity (a process, a daemon, a directory shard).
 *
 * <p>Implementations must be deterministic: for the same {@code name} and the same member set
 * every node of the cluster must obtain the same answer, whatever the order of {@code members},
 * so that nodes agree on placement without coordination. Implementations must be thread-safe.
 */
public interface PlacementStrategy {

  /**
   * Picks the member responsible for {@code name}.
   *
   * @param name the entity name
   * @param members the current members (node names); the order must not matter
   * @return the chosen member, one of {@code members}, or null when {@code members} is empty
   */
  String choose(String name, List<String> members);

  /**
   * The members to try for {@code name}, best first (when the first cannot take it, the next one is
   * tried). Deterministic like {@link #choose}. The default asks {@link #choose} again without the members
   * already picked.
   *
   * @return every member, each once, in the order to try them
   */
  default List<String> candidates(String name, List<String> members) {
    List<String> left = new java.util.ArrayList<>(new java.util.TreeSet<>(members));
    List<String> order = new java.util.ArrayList<>(left.size());
    while (!left.isEmpty()) {
      String next = choose(name, List.copyOf(left));
      if (next == null || !left.remove(next)) {
        // a strategy that answers outside the members: keep the rest in name order
        order.addAll(left);
        break;
      }
      order.add(next);
    }
    return order;
  }
}
