package dev.vxext.addressbook.impl;

import dev.vxext.process.ProcessId;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

/**
 * The Vert.x local maps that hold the address book of one Vert.x instance. Values are immutable and
 * {@code Shareable}, so readers get the stored instance without a copy; readers on any thread never lock.
 * <p>
 * One writer per map, each on the node runtime's context: the view ({@code vxext.addressbook}) by the
 * membership, the processes ({@code vxext.processes}) by the local registry and the directory
 * ({@code vxext.directory}) by the directory store, both of the whereis service, which runs on that
 * context. The node runtime empties them when it starts and when it closes. The peers map
 * ({@code vxext.peers}) holds one thread-safe request tracker, put once by whoever uses it first. Nothing
 * else writes here: the daemon and cron services only read (the leader a node knows is a field of the
 * runtime, not an entry of these maps).
 */
public final class BookMaps {

  static final String VIEW_MAP = "vxext.addressbook";
  static final String VIEW_KEY = "view";
  static final String PROCESSES_MAP = "vxext.processes";
  static final String DIRECTORY_MAP = "vxext.directory";
  static final String PEERS_MAP = "vxext.peers";
  static final String PEERS_KEY = "requests";

  private final LocalMap<String, MembershipView> view;
  private final LocalMap<String, ProcessId> processes;
  private final LocalMap<String, DirectoryEntry> directory;
  private final LocalMap<String, PeerRequests> peers;

  public BookMaps(Vertx vertx) {
    this.view = vertx.sharedData().getLocalMap(VIEW_MAP);
    this.processes = vertx.sharedData().getLocalMap(PROCESSES_MAP);
    this.directory = vertx.sharedData().getLocalMap(DIRECTORY_MAP);
    this.peers = vertx.sharedData().getLocalMap(PEERS_MAP);
  }

  /** @return the current membership view, never null */
  public MembershipView view() {
    MembershipView v = view.get(VIEW_KEY);
    return v == null ? MembershipView.EMPTY : v;
  }

  public void view(MembershipView v) {
    view.put(VIEW_KEY, v);
  }

  /** @return name to process, for the processes registered on this node */
  public LocalMap<String, ProcessId> processes() {
    return processes;
  }

  /** @return name to entry, for the directory entries this node owns */
  public LocalMap<String, DirectoryEntry> directory() {
    return directory;
  }

  /** @return the requests in flight to other nodes (one tracker per Vert.x instance, created on first use) */
  public PeerRequests peers() {
    PeerRequests p = peers.get(PEERS_KEY);
    if (p == null) {
      PeerRequests created = new PeerRequests();
      p = peers.putIfAbsent(PEERS_KEY, created);
      if (p == null) p = created;
    }
    return p;
  }

  /** Empties every map (when the extensions stop). */
  public void clear() {
    view.clear();
    processes.clear();
    directory.clear();
  }
}
