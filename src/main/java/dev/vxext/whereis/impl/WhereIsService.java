package dev.vxext.whereis.impl;

import dev.vxext.addressbook.NodeEntry;
import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.addressbook.impl.MembershipView;
import dev.vxext.cluster.impl.ClusterMembership;
import dev.vxext.metrics.impl.NodeMetrics;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessNames;
import dev.vxext.process.impl.Forwarder;
import dev.vxext.process.impl.LocalRegistry;
import dev.vxext.protocol.Action;
import dev.vxext.protocol.Protocol;
import dev.vxext.runtime.NodeEndpoint;
import dev.vxext.runtime.NodeRuntime;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The directory service of a node: its process registry, its share of the cluster directory, locate, and
 * call/send forwarding. Runs on the runtime's context (its membership listener runs before a change is
 * published); serves the actions {@code locate}, {@code sync.*}, {@code processes}, {@code watch} on the
 * node address and {@code call}/{@code send} on the node address and the call lanes (thread-safe), and the
 * local addresses {@value Protocol#WHEREIS_ADDRESS} (locate, addressbook, status) and
 * {@value Protocol#REGISTRY_ADDRESS}.
 */
public final class WhereIsService implements ClusterMembership.Listener {

  private static final Logger log = LoggerFactory.getLogger(WhereIsService.class);

  private final NodeRuntime runtime;
  private final Vertx vertx;
  private final String self;
  private final BookMaps maps;
  private final NodeMetrics metrics;
  private final DirectoryStore store;
  private final LocalRegistry registry;
  private final ShardSync sync;
  private final Locator locator;
  private final Forwarder forwarder;
  /** Answers remote owners gave this node's locates (the caller side of the near cache). */
  private final NearCache near;
  /** The nodes this node, as a directory owner, answered names to (the owner side). */
  private final LocateWatchers watchers;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private long timer = -1;

  public WhereIsService(NodeRuntime runtime) {
    this.runtime = runtime;
    this.vertx = runtime.vertx();
    this.self = runtime.name();
    this.maps = runtime.maps();
    this.metrics = runtime.metrics();
    int replicas = runtime.settings().directoryReplicas();
    long requestTimeout = runtime.settings().requestTimeout();
    this.store = new DirectoryStore(maps.directory(), this::duplicates);
    this.sync = new ShardSync(vertx, runtime.context(), self, UUID.randomUUID().toString(), replicas, requestTimeout, maps::view,
      () -> maps.processes().values(), store, metrics);
    this.registry = new LocalRegistry(self, maps.processes(), new LocalRegistry.Listener() {
      @Override
      public void up(ProcessId process) {
        sync.up(process);
      }

      @Override
      public void down(ProcessId process) {
        sync.down(process);
      }
    }, runtime.endpoint().lanes()::laneOf);
    this.near = new NearCache(runtime.settings().syncInterval());
    this.watchers = new LocateWatchers(task -> runtime.context().runOnContext(v -> task.run()), this::sendStale);
    store.onChange(name -> {
      near.invalidate(name);
      watchers.changed(name);
    });
    this.locator = new Locator(vertx, self, replicas, maps::view, store, registry::get, runtime.peers(), near);
    this.forwarder = new Forwarder(vertx, self, registry::get, requestTimeout);
  }

  /**
   * Registers its actions, its local addresses and the cluster-wide lookup with the runtime. Must be called
   * on the runtime's context, after {@code runtime.start()} and before {@code runtime.open()}.
   *
   * @return completed once its local addresses take messages
   */
  public Future<Void> start() {
    Context context = runtime.context();
    NodeEndpoint endpoint = runtime.endpoint();
    runtime.addMembershipListener(this);
    endpoint.handle(Action.LOCATE, context, this::ownerLocate);
    // thread-safe: on whatever thread receives it
    endpoint.handle(Action.LOCATE_STALE, null, this::handleStale);
    endpoint.handle(Action.SYNC_DELTA, context, this::handleSync);
    endpoint.handle(Action.SYNC_FULL, context, this::handleSync);
    endpoint.handle(Action.SYNC_DIGEST, context, this::handleSync);
    endpoint.handle(Action.PROCESSES, context, msg -> {
      JsonArray list = new JsonArray();
      registry.all().forEach(p -> list.add(p.toJson()));
      msg.reply(new JsonObject().put("node", self).put("processes", list));
    });
    endpoint.handle(Action.WATCH, context, registry::watch);
    // calls and sends: thread-safe, on the lane's event loop or the node address's
    endpoint.handle(Action.CALL, null, msg -> forwarder.handle(msg, true));
    endpoint.handle(Action.SEND, null, msg -> forwarder.handle(msg, false));
    consumers.add(vertx.eventBus().localConsumer(Protocol.REGISTRY_ADDRESS, registry::handle));
    consumers.add(vertx.eventBus().localConsumer(Protocol.WHEREIS_ADDRESS, this::handleApi));
    timer = vertx.setPeriodic(runtime.settings().syncInterval(), t -> {
      registry.inspect(vertx.deploymentIDs());
      sync.antiEntropy();
    });
    runtime.lookup(new NodeRuntime.Lookup() {
      @Override
      public Future<ProcessId> lookup(String name, long timeout) {
        long start = System.nanoTime();
        return locator.locate(name, timeout).andThen(ar -> metrics.locate(ar.succeeded() ? "hit"
          : Protocol.hasCode(ar.cause(), Protocol.NOT_FOUND) ? "miss" : "error", start));
      }

      @Override
      public void stale(String name) {
        near.invalidate(name);
      }
    });
    List<Future<Void>> ready = new ArrayList<>();
    consumers.forEach(c -> ready.add(c.completion()));
    return Future.all(ready).<Void>mapEmpty()
      .onSuccess(v -> log.info("[node={}] whereis started ({} nodes known)", self, maps.view().names().size()));
  }

  /**
   * Waits, at most the request timeout, until every process registered here that tells the registry when
   * it stops (those deployed through the node: {@code register}, spawns, conf processes) is gone. Called
   * before {@link #stop()} while Vert.x is closing, when every deployment is undeployed at once, the node's
   * processes too: the registry then stops after them, and none of their notices reaches it while its
   * consumer is being unregistered. Must be called on the runtime's context.
   *
   * @return a future completed when they are gone or the wait is over (never failed)
   */
  public Future<Void> awaitProcessesGone() {
    return registry.notifyingGone().timeout(runtime.settings().requestTimeout(), java.util.concurrent.TimeUnit.MILLISECONDS)
      .otherwiseEmpty();
  }

  /** Stops its timers and consumers and withdraws every registration. Safe to call twice. */
  public Future<Void> stop() {
    // cleared first: a process undeployed from now on sees it is not registered and sends nothing
    maps.clear();
    near.clear();
    for (Action a : List.of(Action.LOCATE, Action.LOCATE_STALE, Action.SYNC_DELTA, Action.SYNC_FULL, Action.SYNC_DIGEST, Action.PROCESSES,
      Action.WATCH, Action.CALL, Action.SEND)) {
      runtime.endpoint().remove(a);
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    sync.close();
    List<Future<Void>> done = new ArrayList<>();
    consumers.forEach(c -> done.add(c.unregister()));
    consumers.clear();
    return Future.join(done).mapEmpty();
  }

  @Override
  public void joined(NodeEntry node, MembershipView view) {
    sync.viewChanged(view, Set.of(node.name()));
  }

  @Override
  public int left(NodeEntry node, MembershipView view) {
    int dropped = store.dropNode(node.name());
    watchers.left(node.name());
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
    near.clear();
    sync.resendAll();
  }

  private void handleApi(Message<Object> msg) {
    String action = msg.headers().get(Protocol.ACTION_HEADER);
    if ("locate".equals(action)) {
      if (!(msg.body() instanceof JsonObject)) {
        msg.fail(Protocol.BAD_REQUEST, "locate needs a JSON object body {\"name\": ...}");
        return;
      }
      long timeout = parseTimeout(msg.headers().get(Protocol.TIMEOUT_HEADER));
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
        .put("directoryEntries", maps.directory().size())
        .put("nearCache", new JsonObject().put("entries", near.size()).put("hits", near.hits())
          .put("watchedNames", watchers.size())));
    } else {
      msg.fail(Protocol.BAD_REQUEST, "unknown action '" + action + "' (expected locate, addressbook or status)");
    }
  }

  /** Answers a locate asked by another node, from this node's own directory share (the name as the body). */
  private void ownerLocate(Message<Object> msg) {
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
      String from = msg.headers().get(Protocol.FROM_HEADER);
      if (from != null && !from.equals(self)) {
        // the asker may cache this answer: told when the name changes here
        watchers.answered(name, from);
      }
      msg.reply(Wire.encodeAnswer(found));
    }
  }

  /** Tells {@code node} that the answers it got for {@code names} (null: every answer) may be stale. */
  private void sendStale(String node, List<String> names) {
    JsonObject body = names == null ? new JsonObject().put("all", true) : new JsonObject().put("names", new JsonArray(names));
    vertx.eventBus().send(Protocol.nodeAddress(node), body,
      new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, Action.LOCATE_STALE.wire()));
  }

  /** An owner says answers it gave this node may be stale. */
  private void handleStale(Message<Object> msg) {
    if (!(msg.body() instanceof JsonObject body)) {
      return;
    }
    if (Boolean.TRUE.equals(body.getValue("all"))) {
      near.clear();
    } else if (body.getValue("names") instanceof JsonArray names) {
      List<String> list = new ArrayList<>(names.size());
      for (Object n : names) {
        if (n instanceof String s) {
          list.add(s);
        }
      }
      near.invalidate(list);
    }
  }

  private void handleSync(Message<Object> msg) {
    String action = msg.headers().get(Protocol.ACTION_HEADER);
    String from = msg.headers().get(Protocol.FROM_HEADER);
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
        runtime.endpoint().refuse(msg, from, e.failureCode(), e.getMessage());
        return;
      }
      msg.fail(e.failureCode(), e.getMessage());
    } catch (RuntimeException e) {
      msg.fail(Protocol.BAD_REQUEST, "malformed " + action + " message: " + e.getMessage());
    }
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
    DirectoryStore.Result result = switch (Action.of(action)) {
      case SYNC_DELTA -> store.applyDelta(from, inc, seq, Wire.decode(from, body.getJsonArray("down"), false),
        Wire.decode(from, body.getJsonArray("up"), true));
      case SYNC_FULL -> store.applyFull(from, inc, seq, Wire.decode(from, body.getJsonArray("up"), true));
      default -> store.checkDigest(from, inc, seq, body.getInteger("count"), body.getLong("digest"));
    };
    msg.reply(result == DirectoryStore.Result.OK ? new JsonObject().put("ok", true) : new JsonObject().put("need", "full"));
  }

  private static int size(JsonArray array) {
    return array == null ? 0 : array.size();
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
      DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, Action.DAEMON_DUPLICATE.wire())
        .setSendTimeout(runtime.settings().requestTimeout());
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
    long fallback = runtime.settings().requestTimeout();
    try {
      long t = header == null ? fallback : Long.parseLong(header);
      return t > 0 ? t : fallback;
    } catch (NumberFormatException e) {
      return fallback;
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
