package dev.vxext.runtime;

import dev.vxext.addressbook.NodeEntry;
import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.addressbook.impl.MembershipView;
import dev.vxext.addressbook.impl.PeerRequests;
import dev.vxext.cluster.LeaderInfo;
import dev.vxext.cluster.impl.ClusterMembership;
import dev.vxext.cluster.impl.ConnectionMonitor;
import dev.vxext.metrics.impl.NodeMetrics;
import dev.vxext.process.ProcessId;
import dev.vxext.protocol.Action;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.core.spi.cluster.ClusterManager;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * One node's runtime (see the package documentation). Built by {@code ExtensionsVerticle} on its context,
 * which is the runtime's context: the membership, the endpoint's node address and the directory service run
 * there. One per Vert.x instance: a second one is refused (409).
 * <p>
 * Lifecycle: {@link #start} (the node name is claimed and the node published), then the services register
 * their actions and listeners, then {@link #open} (the node address and the call lanes take messages), and
 * {@link #close} (safe twice).
 */
public final class NodeRuntime implements Shareable {

  private static final String REGISTRY_MAP = "vxext.runtime";
  private static final String REGISTRY_KEY = "runtime";
  /** How long a leaving node waits for each member to acknowledge its notice, at most, ms. */
  public static final long LEAVE_NOTICE_MS = 2_000;

  /** Finds the process a name runs as, cluster-wide (the directory service provides it). */
  @FunctionalInterface
  public interface Lookup {
    /** @return as {@code ClusterNode.lookup}, on the caller's context */
    Future<ProcessId> lookup(String name, long timeout);

    /**
     * A delivery to where {@code name} was located failed with "not here": a cached answer for it, if any,
     * must not be used again. Thread-safe.
     */
    default void stale(String name) {
    }
  }

  private enum State { NEW, STARTED, OPEN, CLOSED }

  private final Vertx vertx;
  private final Context context;
  private final NodeSettings settings;
  private final ClusterManager cm;
  private final BookMaps maps;
  private volatile LeaderInfo leader = LeaderInfo.UNKNOWN;
  private final NodeMetrics metrics;
  private final PeerRequests peers;
  private final NodeEndpoint endpoint;
  private final ClusterMembership membership;
  private final ConnectionMonitor connection;
  private final Router router;
  private final List<ClusterMembership.Listener> listeners = new CopyOnWriteArrayList<>();
  private final List<Supplier<Future<Void>>> lostHooks = new CopyOnWriteArrayList<>();
  private final List<java.util.function.Consumer<ConnectionMonitor.State>> connectionListeners = new CopyOnWriteArrayList<>();
  private volatile Lookup lookup;
  /** The services a node's owner wired for the facade ({@code ClusterNode}), by type. */
  private final java.util.Map<Class<?>, Object> services = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile Supplier<Future<Void>> leave = Future::succeededFuture;
  private volatile java.util.function.IntSupplier adminPort = () -> -1;
  private volatile String deploymentId;
  private volatile State state = State.NEW;
  private Future<Void> leavingNotice;

  /**
   * @throws IllegalStateException (a 409 failure) when the extensions already run on {@code vertx}
   */
  public NodeRuntime(Vertx vertx, Context context, NodeSettings settings, io.micrometer.core.instrument.MeterRegistry registry) {
    this.vertx = vertx;
    this.context = context;
    this.settings = settings;
    this.cm = ((VertxInternal) vertx).clusterManager();
    LocalMap<String, NodeRuntime> runtimes = vertx.sharedData().getLocalMap(REGISTRY_MAP);
    NodeRuntime other = runtimes.putIfAbsent(REGISTRY_KEY, this);
    if (other != null) {
      throw Protocol.failure(Protocol.CONFLICT, "the cluster extensions already run on this Vert.x instance (node "
        + other.settings.nodeName() + "): deploy them once per Vert.x instance");
    }
    this.maps = new BookMaps(vertx);
    this.maps.clear();
    this.metrics = NodeMetrics.create(registry, settings.nodeName(), maps);
    this.peers = maps.peers();
    this.endpoint = new NodeEndpoint(vertx, settings.nodeName(), name -> maps.view().contains(name));
    long reconcile = Math.min(settings.syncInterval(), cm instanceof dev.vxext.cluster.impl.FanOutClusterManager ? 1000 : 200);
    this.membership = new ClusterMembership(vertx, context, cm, settings.nodeName(), maps, membershipListener(),
      reconcile, settings.sessionTimeout(), settings.launchers(), settings.clusterCronJobs(),
      new NetClientOptions(settings.eventBusOptions()));
    this.connection = new ConnectionMonitor(context, cm, settings.sessionTimeout(),
      s -> connectionListeners.forEach(l -> l.accept(s)));
    this.router = new Router(vertx, settings.nodeName(), settings.requestTimeout(), settings.syncInterval(), maps,
      new Lookup() {
        @Override
        public Future<ProcessId> lookup(String name, long timeout) {
          return NodeRuntime.this.lookup(name, timeout);
        }

        @Override
        public void stale(String name) {
          Lookup l = lookup;
          if (l != null) {
            l.stale(name);
          }
        }
      });
  }

  /** @return the runtime of the extensions running on {@code vertx}, if they do */
  public static Optional<NodeRuntime> of(Vertx vertx) {
    LocalMap<String, NodeRuntime> registry = vertx.sharedData().getLocalMap(REGISTRY_MAP);
    NodeRuntime r = registry.get(REGISTRY_KEY);
    return r == null || r.state == State.CLOSED ? Optional.empty() : Optional.of(r);
  }

  public String name() {
    return settings.nodeName();
  }

  public Vertx vertx() {
    return vertx;
  }

  /** @return the runtime's context (the membership, the node address and the directory run on it) */
  public Context context() {
    return context;
  }

  public NodeSettings settings() {
    return settings;
  }

  /** @return the cluster manager, null when the node runs alone */
  public ClusterManager clusterManager() {
    return cm;
  }

  public BookMaps maps() {
    return maps;
  }

  /** @return the leader as this node knows it, never null (read from any thread) */
  public LeaderInfo leader() {
    return leader;
  }

  /** Records the leader as this node knows it (the daemon service's election does, on this runtime's context). */
  public void leader(LeaderInfo info) {
    leader = java.util.Objects.requireNonNull(info, "info");
    metrics.leader(info.self(), info.epoch());
  }

  public MembershipView view() {
    return maps.view();
  }

  public NodeMetrics metrics() {
    return metrics;
  }

  public PeerRequests peers() {
    return peers;
  }

  public NodeEndpoint endpoint() {
    return endpoint;
  }

  public ClusterMembership membership() {
    return membership;
  }

  /** @return call and send routing */
  public Router router() {
    return router;
  }

  /** @return when this node last heard from ZooKeeper (see {@link ConnectionMonitor#lastContact()}) */
  public long lastContact() {
    return connection.lastContact();
  }

  /** @return true when this node heard from ZooKeeper less than {@code ms} ago (always without ZooKeeper) */
  public boolean heardFromZookeeperWithin(long ms) {
    return connection.heardWithin(ms);
  }

  /** Adds a listener of the membership, called on the runtime's context before the change is published. */
  public void addMembershipListener(ClusterMembership.Listener listener) {
    listeners.add(listener);
  }

  /**
   * Adds what must be done when this node's own cluster registration was lost (its session expired), before
   * it publishes itself again (the daemon service stops its daemons).
   */
  public void onRegistrationLost(Supplier<Future<Void>> hook) {
    lostHooks.add(hook);
  }

  /** Adds a listener of the ZooKeeper connection, called on the runtime's context. */
  public void addConnectionListener(java.util.function.Consumer<ConnectionMonitor.State> listener) {
    connectionListeners.add(listener);
  }

  /**
   * Set by the deployment that owns this runtime: its id (undeploying it stops the node), how the node
   * leaves gracefully, and the admin server's port.
   */
  public void owner(String deploymentId, Supplier<Future<Void>> leave, java.util.function.IntSupplier adminPort) {
    this.deploymentId = deploymentId;
    this.leave = leave;
    this.adminPort = adminPort;
  }

  /** @return the id of the deployment that runs the node (undeploying it stops the node) */
  public String deploymentId() {
    return deploymentId;
  }

  /** @return the node's graceful leave (see {@code ExtensionsVerticle.leave()}); never failed */
  public Future<Void> leave() {
    return leave.get();
  }

  /** @return the admin server's port, -1 when it does not run */
  public int adminPort() {
    return adminPort.getAsInt();
  }

  /**
   * Makes {@code service} available to the facade ({@code ClusterNode}) under {@code type} (the daemon service
   * does, while it runs); {@code null} withdraws it.
   */
  public <T> void service(Class<T> type, T service) {
    if (service == null) {
      services.remove(type);
    } else {
      services.put(type, service);
    }
  }

  /** @return the running service of {@code type}, empty when it does not run */
  public <T> Optional<T> service(Class<T> type) {
    return state == State.CLOSED ? Optional.empty() : Optional.ofNullable(type.cast(services.get(type)));
  }

  /**
   * This node offers {@code launchers} from now on: its entry changes in every member's view (see
   * {@link ClusterMembership#launchers}).
   *
   * @return completed once the change is stored in the cluster manager and the members told
   */
  public Future<Void> advertiseLaunchers(List<String> launchers) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      if (state == State.CLOSED) {
        done.fail(Protocol.failure(Protocol.NOT_READY, "node " + name() + " is closed"));
      } else {
        membership.launchers(launchers).onComplete(done);
      }
    });
    return done.future();
  }

  /** The directory service provides the cluster-wide lookup. */
  public void lookup(Lookup lookup) {
    this.lookup = lookup;
  }

  /**
   * @return the process {@code name} runs as, cluster-wide; 503 when the directory service does not run
   */
  public Future<ProcessId> lookup(String name, long timeout) {
    Lookup l = lookup;
    if (l == null || state == State.CLOSED) {
      return Future.failedFuture(Protocol.failure(Protocol.NOT_READY, "the directory of node " + name() + " is not running"));
    }
    Future<ProcessId> found;
    try {
      found = l.lookup(name, timeout);
    } catch (RuntimeException e) {
      return Future.failedFuture(Protocol.failure(Protocol.NOT_READY, "node " + name() + " cannot look up '" + name
        + "' now (" + e.getClass().getSimpleName() + ")"));
    }
    if (!found.isComplete()) {
      return found;
    }
    // answered from local maps: completed later on the caller's context, as a reply would be, never inline
    try {
      io.vertx.core.internal.ContextInternal ctx = ((VertxInternal) vertx).getOrCreateContext();
      Promise<ProcessId> later = ctx.promise();
      ctx.runOnContext(v -> found.onComplete(later));
      return later.future();
    } catch (RuntimeException e) {
      return Future.failedFuture(Protocol.failure(Protocol.NOT_READY, "the cluster extensions are not running on this"
        + " Vert.x instance (" + e.getClass().getSimpleName() + ")"));
    }
  }

  /**
   * Claims the node name and publishes the node; its own actions ({@code ping}, {@code member.leaving}) are
   * served from {@link #open}. Must be called on the runtime's context.
   *
   * @return a future failed (naming the holder) when the name is taken in the cluster
   */
  public Future<Void> start() {
    state = State.STARTED;
    new MemberActions(name(), endpoint, membership).register(context);
    return membership.start();
  }

  /** The node address and the call lanes take messages. @return completed once registered cluster-wide */
  public Future<Void> open() {
    state = State.OPEN;
    return endpoint.start();
  }

  /**
   * Starts this node's graceful leave: it leaves the ring here and tells every other member, so they ask
   * it nothing more and place nothing new on it, while it still answers until it is gone. Safe to call
   * several times (one notice).
   *
   * @return completed once every member acknowledged or did not answer within {@value #LEAVE_NOTICE_MS} ms
   */
  public synchronized Future<Void> announceLeaving() {
    if (leavingNotice != null) {
      return leavingNotice;
    }
    Promise<Void> done = Promise.promise();
    leavingNotice = done.future();
    context.runOnContext(v -> {
      if (state == State.CLOSED || !membership.leaving(name())) {
        done.complete();
        return;
      }
      List<Future<Object>> told = new ArrayList<>();
      DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, Action.MEMBER_LEAVING.wire())
        .setSendTimeout(Math.min(LEAVE_NOTICE_MS, settings.requestTimeout()));
      for (String node : maps.view().names()) {
        if (!node.equals(name())) {
          told.add(vertx.eventBus().request(Protocol.nodeAddress(node), new JsonObject().put("node", name()), o)
            .map(m -> (Object) m.body()).otherwiseEmpty());
        }
      }
      Future.join(told).<Void>mapEmpty().onComplete(done);
    });
    return leavingNotice;
  }

  /** Stops taking messages, leaves the membership, forgets the runtime. Safe to call twice. */
  public Future<Void> close() {
    if (state == State.CLOSED) {
      return Future.succeededFuture();
    }
    boolean started = state != State.NEW;
    state = State.CLOSED;
    lookup = null;
    // the members drop this node now, also when its Vert.x keeps running (embedded mode)
    Future<Void> withdrawn = started ? withdraw() : Future.succeededFuture();
    return withdrawn.eventually(() -> {
      membership.stop();
      connection.close();
      vertx.sharedData().<String, NodeRuntime>getLocalMap(REGISTRY_MAP).remove(REGISTRY_KEY, this);
      return endpoint.stop().eventually(router::close);
    }).onComplete(ar -> {
      maps.clear();
      metrics.close();
    });
  }

  private Future<Void> withdraw() {
    Promise<Void> withdrawn = Promise.promise();
    context.runOnContext(v -> membership.withdraw().onComplete(withdrawn));
    return withdrawn.future();
  }

  private ClusterMembership.Listener membershipListener() {
    return new ClusterMembership.Listener() {
      @Override
      public void joined(NodeEntry node, MembershipView view) {
        listeners.forEach(l -> l.joined(node, view));
      }

      @Override
      public int left(NodeEntry node, MembershipView view) {
        router.left(node.name());
        int dropped = 0;
        for (ClusterMembership.Listener l : listeners) {
          dropped += l.left(node, view);
        }
        return dropped;
      }

      @Override
      public void leaving(NodeEntry node, MembershipView view) {
        listeners.forEach(l -> l.leaving(node, view));
      }

      @Override
      public void updated(NodeEntry node, MembershipView view) {
        listeners.forEach(l -> l.updated(node, view));
      }

      @Override
      public void rejoined() {
        listeners.forEach(ClusterMembership.Listener::rejoined);
      }

      @Override
      public Future<Void> lost() {
        // the session expired: what the cluster may run elsewhere already is withdrawn first (bounded)
        List<Future<Void>> done = new ArrayList<>();
        lostHooks.forEach(h -> done.add(h.get()));
        Promise<Void> withdrawn = Promise.promise();
        long guard = vertx.setTimer(settings.requestTimeout(), t -> withdrawn.tryComplete());
        Future.join(done).onComplete(ar -> {
          vertx.cancelTimer(guard);
          withdrawn.tryComplete();
        });
        return withdrawn.future();
      }
    };
  }

  @Override
  public String toString() {
    return "NodeRuntime{" + name() + " " + state + "}";
  }
}
