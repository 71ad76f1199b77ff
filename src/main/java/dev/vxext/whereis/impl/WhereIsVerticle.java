package dev.vxext.whereis.impl;

import dev.vxext.NodeOptions;
import dev.vxext.addressbook.NodeEntry;
import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.addressbook.impl.LocalMapAddressBook;
import dev.vxext.addressbook.impl.MembershipView;
import dev.vxext.cluster.impl.ClusterMembership;
import dev.vxext.metrics.impl.NodeMetrics;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessNames;
import dev.vxext.process.impl.CallLanes;
import dev.vxext.process.impl.Forwarder;
import dev.vxext.process.impl.LocalRegistry;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The whereis verticle: this node's process registry, its share of the cluster directory, locate, and the
 * node's one clustered address {@code vxext.node.<name>}. All its state is confined to its context.
 */
public final class WhereIsVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(WhereIsVerticle.class);
  /** How long a leaving node waits for each member to acknowledge its notice, at most. */
  static final long LEAVE_NOTICE_MS = 2_000;

  private final NodeOptions options;
  private final String self;
  private BookMaps maps;
  private DirectoryStore store;
  private LocalRegistry registry;
  private ShardSync sync;
  private Locator locator;
  /** {@link Locator#locate} for callers on any thread (it reads only local maps): no hop through this context. */
  private final LocalMapAddressBook.DirectLocator directLocator = (name, timeout) -> {
    long start = System.nanoTime();
    return locator.locate(name, timeout).andThen(ar -> this.metrics.locate(ar.succeeded() ? "hit"
      : Protocol.hasCode(ar.cause(), Protocol.NOT_FOUND) ? "miss" : "error", start));
  };
  private Forwarder forwarder;
  private CallLanes lanes;
  private ClusterMembership membership;
  private NodeMetrics metrics;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  /** When a refusal was last logged, per sender (lanes refuse on their own event loops too). */
  private final Map<String, Long> refusedLogged = new ConcurrentHashMap<>();
  private long timer = -1;
  /** Runs before this verticle stops (the node's graceful leave: it must still answer meanwhile). */
  private final Supplier<Future<?>> beforeStop;
  private Future<Void> leavingNotice;

  public WhereIsVerticle(NodeOptions options) {
    this(options, Future::succeededFuture);
  }

  /**
   * @param beforeStop what must be done before this verticle stops answering (the hand-off of the node's
   *                   daemons); waited for at most the request timeout
   */
  public WhereIsVerticle(NodeOptions options, Supplier<Future<?>> beforeStop) {
    this.options = new NodeOptions(options);
    this.options.validate();
    this.self = options.getNodeName();
    this.beforeStop = beforeStop;
  }

  /**
   * Starts this node's graceful leave: it leaves the ring here and tells every other member, so they ask
   * it nothing more and place nothing new on it, while it still answers until it is gone.
   *
   * @return a future completed once every member acknowledged or did not answer within
   *   {@link #LEAVE_NOTICE_MS} (never failed)
   */
  public synchronized Future<Void> announceLeaving() {
    if (leavingNotice != null) {
      return leavingNotice;
    }
    Promise<Void> done = Promise.promise();
    leavingNotice = done.future();
    if (context == null) {
      done.complete();
      return leavingNotice;
    }
    context.runOnContext(v -> {
      if (membership == null || !membership.leaving(self)) {
        done.complete();
        return;
      }
      List<Future<Object>> told = new ArrayList<>();
      DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, "member.leaving")
        .setSendTimeout(Math.min(LEAVE_NOTICE_MS, options.getRequestTimeout()));
      for (String node : maps.view().names()) {
        if (!node.equals(self)) {
          told.add(vertx.eventBus().request(Protocol.nodeAddress(node), new JsonObject().put("node", self), o)
            .map(m -> (Object) m.body()).otherwiseEmpty());
        }
      }
      Future.join(told).<Void>mapEmpty().onComplete(done);
    });
    return leavingNotice;
  }

  @Override
  public Future<?> start() {
    ClusterManager cm = ((VertxInternal) vertx).clusterManager();
    maps = new BookMaps(vertx);
    maps.clear();
    metrics = NodeMetrics.of(vertx);
    store = new DirectoryStore(maps.directory(), this::duplicates);
    int replicas = options.getDirectoryReplicas();
    sync = new ShardSync(vertx, self, UUID.randomUUID().toString(), replicas, options.getRequestTimeout(),
      maps::view, () -> maps.processes().values(), store, metrics);
    lanes = new CallLanes(vertx, self);
    registry = new LocalRegistry(self, maps.processes(), new LocalRegistry.Listener() {
      @Override
      public void up(ProcessId process) {
        sync.up(process);
      }

      @Override
      public void down(ProcessId process) {
        sync.down(process);
      }
    }, lanes::laneOf);
    locator = new Locator(vertx, self, replicas, maps::view, store, registry::get, maps.peers());
    forwarder = new Forwarder(vertx, self, registry::get, options.getRequestTimeout());
    long reconcile = Math.min(options.getSyncInterval(), cm instanceof dev.vxext.cluster.impl.FanOutClusterManager ? 1000 : 200);
    membership = new ClusterMembership(vertx, context, cm, self, maps, new ClusterMembership.Listener() {
      @Override
      public void joined(NodeEntry node, MembershipView view) {
        sync.viewChanged(view, Set.of(node.name()));
      }

      @Override
      public int left(NodeEntry node, MembershipView view) {
        int dropped = store.dropNode(node.name());
        sync.viewChanged(view, Set.of());
        return dropped;
      }

      @Override
      public void leaving(NodeEntry node, MembershipView view) {
        // off the ring: its directory shares move to the next owners now
        sync.viewChanged(view, Set.of());
      }

      @Override
      public void rejoined() {
        sync.resendAll();
      }

      @Override
      public Future<Void> lost() {
        // the session expired: the cluster may run this node's daemons elsewhere already, under a newer
        // instance. They stop (and leave the registry) before this node is visible again, so no directory
        // owner sees the stale, older instance next to its replacement (the oldest would win)
        DeliveryOptions o = new DeliveryOptions().setLocalOnly(true).addHeader(Protocol.ACTION_HEADER, "fence")
          .setSendTimeout(options.getRequestTimeout());
        return vertx.eventBus().request("vxext.daemon", new JsonObject(), o).<Void>mapEmpty().otherwiseEmpty();
      }
    }, reconcile, options.getSessionTimeout(), new ArrayList<>(options.getLaunchers().keySet()),
      options.getCronJobs().stream().filter(j -> j.getScope() == dev.vxext.cron.CronScope.CLUSTER).map(j -> j.getName()).toList(),
      new io.vertx.core.net.NetClientOptions(options.getEventBusOptions()));
    return membership.start().compose(v -> {
      consumers.add(vertx.eventBus().localConsumer(Protocol.REGISTRY_ADDRESS, registry::handle));
      consumers.add(vertx.eventBus().localConsumer(Protocol.WHEREIS_ADDRESS, this::handleApi));
      consumers.add(vertx.eventBus().consumer(Protocol.nodeAddress(self), this::handleNode));
      timer = vertx.setPeriodic(options.getSyncInterval(), t -> {
        registry.inspect(vertx.deploymentIDs());
        sync.antiEntropy();
      });
      List<Future<Void>> ready = new ArrayList<>();
      consumers.forEach(c -> ready.add(c.completion()));
      ready.add(lanes.start(this::handleLane));
      return Future.all(ready);
    }).onSuccess(v -> LocalMapAddressBook.publishLocator(vertx, directLocator))
      .onSuccess(v -> log.info("[node={}] whereis started ({} nodes known)", self, maps.view().names().size()));
  }

  @Override
  public Future<?> stop() {
    // the node still answers while it leaves (its daemons are handed off first)
    return beforeStop.get().timeout(options.getRequestTimeout(), java.util.concurrent.TimeUnit.MILLISECONDS)
      .transform(ar -> shutdown());
  }

  private Future<?> shutdown() {
    LocalMapAddressBook.withdrawLocator(vertx, directLocator);
    if (timer >= 0) vertx.cancelTimer(timer);
    if (membership != null) membership.stop();
    if (sync != null) sync.close();
    // cleared first: a process undeployed from now on sees it is not registered and sends nothing
    maps.clear();
    List<Future<Void>> done = new ArrayList<>();
    consumers.forEach(c -> done.add(c.unregister()));
    if (lanes != null) done.add(lanes.stop());
    return Future.join(done);
  }

  private void handleApi(Message<Object> msg) {
    String action = msg.headers().get(Protocol.ACTION_HEADER);
    if ("locate".equals(action)) {
      if (!(msg.body() instanceof JsonObject)) {
        msg.fail(Protocol.BAD_REQUEST, "locate needs a JSON object body {\"name\": ...}");
        return;
      }
      long timeout = parseTimeout(msg.headers().get(Forwarder.TIMEOUT_HEADER));
      long start = System.nanoTime();
      locator.locate(((JsonObject) msg.body()).getValue("name") instanceof String s ? s : null, timeout)
        .onSuccess(p -> {
          metrics.locate("hit", start);
          msg.reply(p.toJson());
        })
        .onFailure(t -> {
          metrics.locate(Protocol.hasCode(t, Protocol.NOT_FOUND) ? "miss" : "error", start);
          fail(msg, t);
        });
    } else if ("addressbook".equals(action)) {
      msg.reply(addressBookJson());
    } else if ("status".equals(action)) {
      msg.reply(sync.status().put("node", self).put("nodes", maps.view().names().size())
        .put("member", maps.view().contains(self)).put("processes", registry.all().size())
        .put("directoryEntries", maps.directory().size()));
    } else {
      msg.fail(Protocol.BAD_REQUEST, "unknown action '" + action + "' (expected locate, addressbook or status)");
    }
  }

  private void handleNode(Message<Object> msg) {
    String action = msg.headers().get(Protocol.ACTION_HEADER);
    if (action == null) {
      msg.fail(Protocol.BAD_REQUEST, "missing '" + Protocol.ACTION_HEADER + "' header");
      return;
    }
    String from = msg.headers().get(Protocol.FROM_HEADER);
    if (!"ping".equals(action) && !admitted(msg, action, from)) {
      return;
    }
    switch (action) {
      case "ping" -> msg.reply(new JsonObject().put("node", self));
      case "member.leaving" -> {
        // only a node itself may say it is leaving
        String node = msg.body() instanceof JsonObject b && b.getValue("node") instanceof String n ? n : null;
        if (node == null) {
          msg.fail(Protocol.BAD_REQUEST, "member.leaving needs {\"node\": <its own name>}");
        } else if (!node.equals(from)) {
          refuse(msg, from, Protocol.FORBIDDEN, "'" + from + "' cannot say that '" + node + "' is leaving");
        } else {
          membership.leaving(node);
          msg.reply(new JsonObject().put("ok", true));
        }
      }
      case "processes" -> {
        JsonArray list = new JsonArray();
        registry.all().forEach(p -> list.add(p.toJson()));
        msg.reply(new JsonObject().put("node", self).put("processes", list));
      }
      case "cron.list" -> relayTo("vxext.cron", msg, "list");
      case "daemon.list" -> relay(msg, "list");
      case "watch" -> registry.watch(msg);
      case "daemon.spawn", "daemon.leader", "daemon.duplicate", "daemon.leaving", "daemon.scan" -> relay(msg, action.substring("daemon.".length()));
      case "call" -> forwarder.handle(msg, true);
      case "send" -> forwarder.handle(msg, false);
      case "locate" -> {
        // the name as a string (a {"name": ...} object from older nodes)
        Object body = msg.body();
        String name = body instanceof String s ? s : body instanceof JsonObject j && j.getValue("name") instanceof String s ? s : null;
        if (!ProcessNames.isValid(name)) {
          msg.fail(Protocol.BAD_REQUEST, name == null ? "locate needs the process name as its body"
            : "invalid process name: name " + ProcessNames.problem(name));
          return;
        }
        ProcessId found = locator.ownerAnswer(name);
        if (found == null) {
          msg.fail(Protocol.NOT_FOUND, "node " + self + " knows no process named '" + name + "'");
        } else {
          msg.reply(Wire.encodeAnswer(found));
        }
      }
      case "sync.delta", "sync.full", "sync.digest" -> {
        // a JSON object, sent encoded (a buffer) by ShardSync
        JsonObject body;
        try {
          body = msg.body() instanceof JsonObject j ? j
            : msg.body() instanceof io.vertx.core.buffer.Buffer b ? new JsonObject(b) : null;
        } catch (RuntimeException e) {
          body = null;
        }
        if (body == null) {
          msg.fail(Protocol.BAD_REQUEST, action + " needs a JSON object body");
          return;
        }
        try {
          handleDirectory(action, body, msg);
        } catch (ReplyException e) {
          if (e.failureCode() == Protocol.TOO_LARGE || e.failureCode() == Protocol.FORBIDDEN) {
            refuse(msg, from, e.failureCode(), e.getMessage());
            return;
          }
          msg.fail(e.failureCode(), e.getMessage());
        } catch (RuntimeException e) {
          msg.fail(Protocol.BAD_REQUEST, "malformed " + action + " message: " + e.getMessage());
        }
      }
      default -> msg.fail(Protocol.BAD_REQUEST, "unknown action '" + action + "'");
    }
  }

  /**
   * A call lane's message (see {@link CallLanes}), on the lane's event loop: only {@code call} and
   * {@code send}, from members. Touches only thread-safe state (local maps, the forwarder).
   */
  private void handleLane(Message<Object> msg) {
    String action = msg.headers().get(Protocol.ACTION_HEADER);
    boolean call = "call".equals(action);
    if (!call && !"send".equals(action)) {
      msg.fail(Protocol.BAD_REQUEST, action == null ? "missing '" + Protocol.ACTION_HEADER + "' header"
        : "a call lane takes only 'call' and 'send', not '" + action + "'");
      return;
    }
    if (admitted(msg, action, msg.headers().get(Protocol.FROM_HEADER))) {
      forwarder.handle(msg, call);
    }
  }

  /** @return true when {@code from} is a member; else refuses {@code msg} (403) and returns false */
  private boolean admitted(Message<Object> msg, String action, String from) {
    if (from != null && maps.view().contains(from)) {
      return true;
    }
    refuse(msg, from, Protocol.FORBIDDEN, "node " + self + " refuses '" + action + "' from "
      + (from == null ? "an unnamed sender" : "'" + from + "', which is not a member of its cluster"));
    return false;
  }

  private void handleDirectory(String action, JsonObject body, Message<Object> msg) {
    String from = body.getString("from");
    String inc = body.getString("inc");
    Long seq = body.getLong("seq");
    if (from == null || inc == null || seq == null) {
      throw Protocol.failure(Protocol.BAD_REQUEST, action + " needs from, inc and seq");
    }
    if (!from.equals(msg.headers().get(Protocol.FROM_HEADER))) {
      throw Protocol.failure(Protocol.FORBIDDEN, action + " from '" + msg.headers().get(Protocol.FROM_HEADER) + "' speaks for '" + from + "'");
    }
    int entries = size(body.getJsonArray("up")) + size(body.getJsonArray("down"));
    if (entries > Protocol.MAX_SYNC_BATCH) {
      throw Protocol.failure(Protocol.TOO_LARGE, action + " from '" + from + "' carries " + entries
        + " entries, the maximum is " + Protocol.MAX_SYNC_BATCH);
    }
    DirectoryStore.Result result = switch (action) {
      case "sync.delta" -> store.applyDelta(from, inc, seq, Wire.decode(from, body.getJsonArray("down"), false),
        Wire.decode(from, body.getJsonArray("up"), true));
      case "sync.full" -> store.applyFull(from, inc, seq, Wire.decode(from, body.getJsonArray("up"), true));
      default -> store.checkDigest(from, inc, seq, body.getInteger("count"), body.getLong("digest"));
    };
    msg.reply(result == DirectoryStore.Result.OK ? new JsonObject().put("ok", true) : new JsonObject().put("need", "full"));
  }

  private static int size(JsonArray array) {
    return array == null ? 0 : array.size();
  }

  /** Refuses a message; logged once per sender and minute. */
  private void refuse(Message<Object> msg, String from, int code, String why) {
    long now = System.currentTimeMillis();
    String key = String.valueOf(from);
    Long last = refusedLogged.get(key);
    if (last == null || now - last > 60_000) {
      refusedLogged.put(key, now);
      if (refusedLogged.size() > 10_000) refusedLogged.clear();
      log.warn("[node={}] refused ({}): {} (logged once a minute per sender)", self, code, why);
    }
    msg.fail(code, why);
  }

  /** Hands a command for the daemon service of this node over, and its answer back. */
  private void relay(Message<Object> msg, String action) {
    relayTo("vxext.daemon", msg, action);
  }

  private void relayTo(String address, Message<Object> msg, String action) {
    DeliveryOptions o = new DeliveryOptions().setLocalOnly(true).addHeader(Protocol.ACTION_HEADER, action)
      .setSendTimeout(options.getRequestTimeout());
    String epoch = msg.headers().get("epoch");
    if (epoch != null) o.addHeader("epoch", epoch);
    String from = msg.headers().get(Protocol.FROM_HEADER);
    if (from != null) o.addHeader(Protocol.FROM_HEADER, from);
    vertx.eventBus().request(address, msg.body(), o).onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(ar.result().body());
      } else if (ar.cause() instanceof ReplyException e && e.failureType() == io.vertx.core.eventbus.ReplyFailure.NO_HANDLERS) {
        msg.fail(Protocol.NOT_READY, "the service " + address + " of node " + self + " is not running");
      } else {
        fail(msg, ar.cause());
      }
    });
  }

  /** An owner saw a name on several nodes: tell the nodes of the younger instances. */
  private void duplicates(ProcessId winner, List<ProcessId> losers) {
    // only instances on nodes that are members count (a departed node's stale entry must not win)
    MembershipView view = maps.view();
    List<ProcessId> live = new ArrayList<>();
    if (view.contains(winner.node())) live.add(winner);
    for (ProcessId p : losers) {
      if (view.contains(p.node())) live.add(p);
    }
    if (live.size() < 2) {
      return;
    }
    ProcessId oldest = live.get(0);
    for (ProcessId loser : live.subList(1, live.size())) {
      JsonObject body = new JsonObject().put("name", loser.name()).put("deploymentId", loser.deploymentId())
        .put("winner", oldest.node());
      DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, "daemon.duplicate")
        .setSendTimeout(options.getRequestTimeout());
      vertx.eventBus().request(Protocol.nodeAddress(loser.node()), body, o)
        .onFailure(t -> log.debug("[node={}] duplicate notice to {} failed: {}", self, loser.node(), t.getMessage()));
    }
  }

  private JsonObject addressBookJson() {
    MembershipView view = maps.view();
    JsonArray nodes = new JsonArray();
    view.nodes().forEach(n -> nodes.add(n.toJson()));
    JsonArray processes = new JsonArray();
    registry.all().forEach(p -> processes.add(p.toJson()));
    JsonArray directory = new JsonArray();
    maps.directory().values().forEach(e -> directory.add(e.winner().toJson()));
    return new JsonObject().put("node", self).put("nodes", nodes).put("processes", processes).put("directory", directory);
  }

  private long parseTimeout(String header) {
    try {
      long t = header == null ? options.getRequestTimeout() : Long.parseLong(header);
      return t > 0 ? t : options.getRequestTimeout();
    } catch (NumberFormatException e) {
      return options.getRequestTimeout();
    }
  }

  private static void fail(Message<?> msg, Throwable t) {
    if (t instanceof ReplyException) {
      msg.fail(((ReplyException) t).failureCode(), t.getMessage());
    } else {
      msg.fail(500, String.valueOf(t.getMessage()));
    }
  }
}
