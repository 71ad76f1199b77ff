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
}
