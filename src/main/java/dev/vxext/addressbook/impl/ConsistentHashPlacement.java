package dev.vxext.addressbook.impl;

import dev.vxext.spi.PlacementStrategy;
import java.util.List;
import java.util.Objects;

/**
 * {@link PlacementStrategy} backed by a {@link HashRing} (the buraksezer/consistent layout used by
 * ergo-extensions). The last ring built is cached together with the member list it was built
 * from, so repeated calls with an equal member list cost a single hash of {@code name}.
 *
 * <p>Thread-safe: the cache is an immutable snapshot published through a volatile field; racing
 * callers may build the same ring twice, which is harmless.
 */
public final class ConsistentHashPlacement implements PlacementStrategy {

  /** Immutable (member list, ring) pair. */
  private static final class Snapshot {
    final List<String> members;
    final HashRing ring;

    Snapshot(List<String> members, HashRing ring) {
      this.members = members;
      this.ring = ring;
    }
  }

  private volatile Snapshot cache;

  /** Creates a placement strategy with an empty cache. */
  public ConsistentHashPlacement() {
  }

  /**
   * Picks the owner of {@code name} on the consistent-hash ring of {@code members}.
   *
   * @param name the entity name (hashed as UTF-8)
   * @param members the current members; duplicates and order do not matter
   * @return the owning member, or null when {@code members} is empty
   * @throws NullPointerException if {@code name}, {@code members} or a member is null
   */
  @Override
  public String choose(String name, List<String> members) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(members, "members");
    if (members.isEmpty()) {
      return null;
    }
    return ring(members).locate(name);
  }

  /** @return the ring's owners of {@code name} among {@code members}, in ring order */
  @Override
  public List<String> candidates(String name, List<String> members) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(members, "members");
    if (members.isEmpty()) {
      return List.of();
    }
    return ring(members).owners(name, members.size());
  }

  /**
   * Returns the ring for {@code members}, reusing the cached one when the list is equal to the
   * one it was built from.
   *
   * @param members the current members
   * @return the ring
   */
  public HashRing ring(List<String> members) {
    Objects.requireNonNull(members, "members");
    Snapshot s = cache;
    if (s != null && (s.members == members || s.members.equals(members))) {
      return s.ring;
    }
    List<String> copy = List.copyOf(members);
    HashRing ring = HashRing.of(copy);
    cache = new Snapshot(copy, ring);
    return ring;
  }
}
