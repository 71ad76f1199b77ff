package dev.vxext.addressbook.impl;

import dev.vxext.addressbook.NodeEntry;
import io.vertx.core.shareddata.Shareable;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * An immutable snapshot of the member nodes and the ring built over them.
 * <p>
 * A member that announced it is leaving (a graceful leave in progress) is still a member (its messages are
 * admitted, its processes still answer until they stop) but no longer on the ring: it owns no directory
 * share, is asked nothing, and nothing new is placed on it.
 */
public final class MembershipView implements Shareable {

  /** The view before anything is known. */
  public static final MembershipView EMPTY = new MembershipView(0, List.of());

  private final long version;
  private final List<NodeEntry> nodes;
  private final Map<String, NodeEntry> byName;
  private final Set<String> leaving;
  private final List<String> names;
  private final HashRing ring;

  public MembershipView(long version, Collection<NodeEntry> nodes) {
    this(version, nodes, Set.of());
  }

  /** @param leaving the names of the members that are leaving (not on the ring) */
  public MembershipView(long version, Collection<NodeEntry> nodes, Set<String> leaving) {
    List<NodeEntry> sorted = new ArrayList<>(nodes);
    sorted.sort(Comparator.comparing(NodeEntry::name));
    Map<String, NodeEntry> map = new LinkedHashMap<>();
    for (NodeEntry e : sorted) {
      map.put(e.name(), e);
    }
    this.version = version;
    this.nodes = Collections.unmodifiableList(sorted);
    this.byName = Collections.unmodifiableMap(map);
    this.names = List.copyOf(map.keySet());
    TreeSet<String> out = new TreeSet<>(leaving);
    out.retainAll(map.keySet());
    this.leaving = Collections.unmodifiableSet(out);
    List<String> onRing = new ArrayList<>(map.keySet());
    onRing.removeAll(out);
    this.ring = HashRing.of(onRing);
  }

  /** @return increases by one with every change */
  public long version() {
    return version;
  }

  /** @return the nodes sorted by name */
  public List<NodeEntry> nodes() {
    return nodes;
  }

  /** @return the member names (leaving ones included), sorted */
  public List<String> names() {
    return names;
  }

  /** @return true when member {@code name} announced it is leaving */
  public boolean leaving(String name) {
    return leaving.contains(name);
  }

  /** @return the names of the members that announced they are leaving, sorted */
  public Set<String> leaving() {
    return leaving;
  }

  /**
   * @return the names of the members that are not leaving and match {@code filter}, sorted: where
   *   something new may be placed (a daemon of a launcher they offer, a cron job they declare)
   */
  public List<String> placeable(Predicate<NodeEntry> filter) {
    List<String> list = new ArrayList<>();
    for (NodeEntry n : nodes) {
      if (!leaving.contains(n.name()) && filter.test(n)) list.add(n.name());
    }
    return list;
  }

  /** @return the entry of {@code name}, or null */
  public NodeEntry node(String name) {
    return byName.get(name);
  }

  /** @return true when {@code name} is a member (leaving or not) */
  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  /** @return the ring over the member names that are not leaving */
  public HashRing ring() {
    return ring;
  }

  /** @return the first {@code replicas} distinct nodes of the ring for {@code name} */
  public List<String> owners(String name, int replicas) {
    return ring.owners(name, replicas);
  }

  @Override
  public String toString() {
    return "MembershipView{v" + version + " " + names + (leaving.isEmpty() ? "" : " leaving " + leaving) + "}";
  }
}
