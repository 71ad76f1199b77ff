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

/**
 * An immutable snapshot of the available nodes and the ring built over them.
 */
public final class MembershipView implements Shareable {

  /** The view before anything is known. */
  public static final MembershipView EMPTY = new MembershipView(0, List.of());

  private final long version;
  private final List<NodeEntry> nodes;
  private final Map<String, NodeEntry> byName;
  private final HashRing ring;

  public MembershipView(long version, Collection<NodeEntry> nodes) {
    List<NodeEntry> sorted = new ArrayList<>(nodes);
    sorted.sort(Comparator.comparing(NodeEntry::name));
    Map<String, NodeEntry> map = new LinkedHashMap<>();
    for (NodeEntry e : sorted) {
      map.put(e.name(), e);
    }
    this.version = version;
    this.nodes = Collections.unmodifiableList(sorted);
    this.byName = Collections.unmodifiableMap(map);
    this.ring = HashRing.of(map.keySet());
  }

  /** @return increases by one with every change */
  public long version() {
    return version;
  }

  /** @return the nodes sorted by name */
  public List<NodeEntry> nodes() {
    return nodes;
  }

  /** @return the node names, sorted */
  public List<String> names() {
    return ring.members();
  }

  /** @return the entry of {@code name}, or null */
  public NodeEntry node(String name) {
    return byName.get(name);
  }

  /** @return true when {@code name} is available */
  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  /** @return the ring over the node names */
  public HashRing ring() {
    return ring;
  }

  /** @return the first {@code replicas} distinct nodes of the ring for {@code name} */
  public List<String> owners(String name, int replicas) {
    return ring.owners(name, replicas);
  }

  @Override
  public String toString() {
    return "MembershipView{v" + version + " " + names() + "}";
  }
}
