package dev.vxext.addressbook.impl;

import dev.vxext.addressbook.AddressBook;
import dev.vxext.addressbook.AddressBookQuery;
import dev.vxext.addressbook.NodeEntry;
import dev.vxext.addressbook.QueryOptions;
import dev.vxext.process.ProcessId;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link AddressBook} read from the Vert.x local maps that the whereis verticle writes.
 */
public final class LocalMapAddressBook implements AddressBook {

  private final Vertx vertx;
  private final String self;
  private final int replicas;
  private final BookMaps maps;
  private final ConsistentHashPlacement placement = new ConsistentHashPlacement();

  public LocalMapAddressBook(Vertx vertx, String self, int replicas) {
    this.vertx = vertx;
    this.self = self;
    this.replicas = replicas;
    this.maps = new BookMaps(vertx);
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
    if (entry == null) {
      return Optional.ofNullable(local);
    }
    ProcessId best = entry.winner();
    if (local != null && ProcessId.OLDEST_FIRST.compare(local, best) < 0) {
      best = local;
    }
    return Optional.of(best);
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
        return LocalMapAddressBook.lookup(vertx, name, options.timeout());
      }
    };
  }

  /**
   * A node's cluster-wide locate that may run on any thread: it reads only local maps and sends event-bus
   * requests. The whereis verticle publishes it with {@link #publishLocator} while it runs.
   */
  @FunctionalInterface
  public interface DirectLocator extends Shareable {
    /** @return as {@code AddressBookQuery.lookup} */
    Future<ProcessId> locate(String name, long timeout);
  }

  private static final String LOCATOR_MAP = "vxext.whereis.locator";
  private static final String LOCATOR_KEY = "locator";

  /** Publishes this node's direct locator (the whereis verticle, once started). */
  public static void publishLocator(Vertx vertx, DirectLocator locator) {
    vertx.sharedData().<String, DirectLocator>getLocalMap(LOCATOR_MAP).put(LOCATOR_KEY, locator);
  }

  /** Withdraws {@code locator} when it is the published one (the whereis verticle stops). */
  public static void withdrawLocator(Vertx vertx, DirectLocator locator) {
    vertx.sharedData().<String, DirectLocator>getLocalMap(LOCATOR_MAP).remove(LOCATOR_KEY, locator);
  }

  /**
   * Locates {@code name} cluster-wide: on the caller's thread through the published direct locator (no
   * hop through the whereis verticle's context), else by asking the whereis verticle on its local address.
   */
  public static Future<ProcessId> lookup(Vertx vertx, String name, long timeout) {
    try {
      return lookupNow(vertx, name, timeout);
    } catch (RuntimeException e) {
      // the Vert.x instance is closed (no context can be had any more)
      return Future.failedFuture(Protocol.failure(Protocol.NOT_READY, "the cluster extensions are not running on this"
        + " Vert.x instance (" + e.getClass().getSimpleName() + ")"));
    }
  }

  private static Future<ProcessId> lookupNow(Vertx vertx, String name, long timeout) {
    DirectLocator direct = vertx.sharedData().<String, DirectLocator>getLocalMap(LOCATOR_MAP).get(LOCATOR_KEY);
    if (direct != null) {
      Future<ProcessId> found;
      try {
        found = direct.locate(name, timeout);
      } catch (RuntimeException e) {
        found = Future.failedFuture(e);
      }
      if (!found.isComplete()) {
        return found;
      }
      // answered from local maps: complete later on the caller's context, as a reply would, never inline
      ContextInternal ctx = ((VertxInternal) vertx).getOrCreateContext();
      Promise<ProcessId> later = ctx.promise();
      Future<ProcessId> done = found;
      ctx.runOnContext(v -> done.onComplete(later));
      return later.future();
    }
    DeliveryOptions delivery = new DeliveryOptions().setLocalOnly(true).setSendTimeout(timeout)
      .addHeader(Protocol.ACTION_HEADER, "locate").addHeader("timeout", Long.toString(timeout));
    return vertx.eventBus().<JsonObject>request(Protocol.WHEREIS_ADDRESS, new JsonObject().put("name", name), delivery)
      .recover(t -> {
        if (t instanceof ReplyException && ((ReplyException) t).failureType() == ReplyFailure.TIMEOUT) {
          return Future.failedFuture(Protocol.failure(Protocol.TIMEOUT, "locate '" + name + "' timed out after " + timeout + " ms"));
        }
        return Protocol.notRunningIfNoHandlers(t);
      })
      .map(msg -> ProcessId.fromJson(msg.body()));
  }
}
