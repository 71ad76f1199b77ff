package dev.vxext.addressbook.impl;

import dev.vxext.addressbook.AddressBook;
import dev.vxext.addressbook.AddressBookQuery;
import dev.vxext.addressbook.NodeEntry;
import dev.vxext.addressbook.QueryOptions;
import dev.vxext.process.ProcessId;
import dev.vxext.spi.PlacementStrategy;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link AddressBook} of a node: read from its address book's maps (written by its membership, registry
 * and directory), cluster-wide lookups through its directory service.
 */
public final class LocalMapAddressBook implements AddressBook {

  /** The node's cluster-wide lookup (its directory service). */
  @FunctionalInterface
  public interface Lookup {
    Future<ProcessId> lookup(String name, long timeout);
  }

  private final String self;
  private final int replicas;
  private final BookMaps maps;
  private final Lookup lookup;
  private final PlacementStrategy placement;

  public LocalMapAddressBook(String self, int replicas, BookMaps maps, Lookup lookup, PlacementStrategy placement) {
    this.self = self;
    this.replicas = replicas;
    this.maps = maps;
    this.lookup = lookup;
    this.placement = placement;
  }

  @Override
  public String selfNode() {
    return self;
  }

  @Override
  public List<NodeEntry> availableNodes() {
    return maps.view().nodes();
  }

  @Override
  public String pickNode(String name) {
    Objects.requireNonNull(name, "name");
    return maps.view().ring().locate(name);
  }

  @Override
  public String pickNode(String name, List<String> candidates) {
    return placement.choose(name, candidates);
  }

  @Override
  public List<String> owners(String name) {
    Objects.requireNonNull(name, "name");
    return maps.view().owners(name, replicas);
  }

  @Override
  public Optional<ProcessId> locateLocal(String name) {
    Objects.requireNonNull(name, "name");
    DirectoryEntry entry = maps.directory().get(name);
    ProcessId local = maps.processes().get(name);
    // an instance on a node that is no longer available is skipped at once (its entries are dropped a
    // moment later, when the directory applies the same membership change)
    MembershipView view = maps.view();
    ProcessId best = entry == null ? null : entry.winnerAmong(view::contains);
    if (best == null || (local != null && ProcessId.OLDEST_FIRST.compare(local, best) < 0)) {
      best = local;
    }
    return Optional.ofNullable(best);
  }

  @Override
  public List<ProcessId> localProcesses() {
    List<ProcessId> list = new ArrayList<>(maps.processes().values());
    list.sort(Comparator.comparing(ProcessId::name));
    return list;
  }

  @Override
  public AddressBookQuery query(QueryOptions options) {
    Objects.requireNonNull(options, "options");
    return new AddressBookQuery() {
      @Override
      public Future<String> locate(String name) {
        return lookup(name).map(ProcessId::node);
      }

      @Override
      public Future<ProcessId> lookup(String name) {
        return LocalMapAddressBook.this.lookup.lookup(name, options.timeout());
      }
    };
  }
}
