package dev.vxext.daemon.impl;

import dev.vxext.cluster.LeaderInfo;
import dev.vxext.cluster.MembershipEvent;
import dev.vxext.cluster.impl.LeaderElection;
import dev.vxext.daemon.Launcher;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessNames;
import dev.vxext.protocol.Action;
import dev.vxext.protocol.Protocol;
import dev.vxext.runtime.NodeRuntime;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The daemon service of a node: spawns daemons on request (fenced by the leader epoch), stops a younger
 * duplicate, stops every daemon of this node when it is cut off from ZooKeeper for half the session timeout
 * (since it last heard from it), runs the leader election, and on the leader the reconciliation
 * ({@link DaemonLeader}). Serves the node-address actions {@code daemon.*}; local address
 * {@value Protocol#DAEMON_ADDRESS}, actions {@code list} (the leader's last reconciliation) and {@code scan}
 * (a reconciliation now, on the leader: a follower forwards it there, see {@link DaemonLeader#scanNow()}).
 */
public final class DaemonVerticle extends VerticleBase {

  /** Local address of the daemon service. */
  public static final String ADDRESS = Protocol.DAEMON_ADDRESS;
  /** Local address where leadership changes are published ({@link LeaderInfo} JSON). */

  private static final Logger log = LoggerFactory.getLogger(DaemonVerticle.class);
  private static final List<Action> ACTIONS = List.of(Action.DAEMON_SPAWN, Action.DAEMON_LEADER, Action.DAEMON_DUPLICATE,
    Action.DAEMON_LEAVING, Action.DAEMON_SCAN, Action.DAEMON_LIST, Action.DAEMON_RECONCILE, Action.DAEMON_STOP,
    Action.DAEMON_EXITED, Action.DAEMON_MOVE);

  private final NodeRuntime runtime;
  private final String self;
  /** The launchers this node offers, by name: added and removed at runtime, on this service's context. */
  private final Map<String, Launcher> launchers;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private Future<Void> handOff;
  private LeaderElection election;
  private DaemonLeader leader;
  private DaemonHost host;
  private EpochFence epochs;
  private SelfFencing fencing;
  private SpawnApi spawnApi;
  /** The members as last seen: told of a hand-off. */
  private List<String> peers = List.of();

  public DaemonVerticle(NodeRuntime runtime, Map<String, Launcher> launchers) {
    this.runtime = runtime;
    this.self = runtime.name();
    this.launchers = new TreeMap<>(launchers);
  }

  /**
   * The graceful leave of this node's daemons: it stops leading, announces that it leaves, stops its
   * daemons, then tells every other member they are stopped, so the leader places them at once. Safe to
   * call several times (one hand-off).
   *
   * @return a future completed once the members acknowledged or did not answer in time (never failed)
   */
  public Future<Void> handOff() {
    if (context == null) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      if (handOff == null) {
        election.stop();
        leader.stop();
        fencing.stop();
        handOff = !runtime.settings().clustered() ? Future.succeededFuture()
          : runtime.announceLeaving().transform(ar -> host.handOff(peers));
      }
      handOff.onComplete(done);
    });
    return done.future();
  }

  @Override
  public Future<?> start() {
    runtime.leader(LeaderInfo.UNKNOWN);
    epochs = new EpochFence(vertx, self);
    host = new DaemonHost(runtime, launchers);
    spawnApi = new SpawnApi(runtime);
    leader = new DaemonLeader(runtime, launchers, this::setLeader);
    peers = runtime.view().names();
    election = new LeaderElection(vertx, self, runtime.settings().clustered(), LeaderElection.ATTEMPT_MS,
      new LeaderElection.Listener() {
        @Override
        public void elected(long epoch) {
          epochs.elected(epoch);
          leader.elected(epoch);
        }

        @Override
        public void demoted() {
          leader.demoted();
        }
      });
    fencing = new SelfFencing(vertx, runtime.settings().sessionTimeout(), host, election, runtime::lastContact);
    runtime.addConnectionListener(state -> context.runOnContext(v -> fencing.connection(state)));
    // this node's registration was lost (its session expired): its daemons stop before it is visible again,
    // so no directory owner sees a stale, older instance next to its replacement (the oldest would win)
    runtime.onRegistrationLost(() -> {
      Promise<Void> fenced = Promise.promise();
      context.runOnContext(v -> host.fence("own cluster registration lost").onComplete(fenced));
      return fenced.future();
    });
    for (Action a : ACTIONS) {
      runtime.endpoint().handle(a, context, this::handle);
    }
    runtime.service(DaemonVerticle.class, this);
    MessageConsumer<Object> api = vertx.eventBus().localConsumer(ADDRESS, this::handleLocal);
    MessageConsumer<JsonObject> members = vertx.eventBus().localConsumer(Protocol.MEMBERSHIP_ADDRESS,
      m -> onMembership(MembershipEvent.fromJson(m.body())));
    consumers.add(api);
    consumers.add(members);
    if (runtime.settings().clustered()) {
      fencing.startWatchdog();
    }
    return Future.all(api.completion(), members.completion()).onSuccess(v -> election.start());
  }

  @Override
  public Future<?> stop() {
    // no reconciliation while the node goes away; the lock is released at once for the next leader
    return handOff().timeout(runtime.settings().requestTimeout(), java.util.concurrent.TimeUnit.MILLISECONDS)
      .eventually(this::shutdown);
  }

  private Future<?> shutdown() {
    runtime.service(DaemonVerticle.class, null);
    ACTIONS.forEach(runtime.endpoint()::remove);
    election.stop();
    leader.stop();
    fencing.stop();
    host.spawns().close();
    List<Future<Void>> done = new ArrayList<>();
    consumers.forEach(c -> done.add(c.unregister()));
    runtime.leader(LeaderInfo.UNKNOWN);
    return Future.join(done);
  }

  /**
   * Offers launcher {@code name} on this node from now on: every member is told, the leader reconciles.
   *
   * @return see {@code ClusterNode.addLauncher}
   */
  public Future<Void> addLauncher(String name, Launcher launcher) {
    String problem = ProcessNames.problem(name);
    if (problem != null) {
      return Future.failedFuture(Protocol.failure(Protocol.BAD_REQUEST, "invalid launcher name: name " + problem));
    }
    if (launcher == null) {
      return Future.failedFuture(Protocol.failure(Protocol.BAD_REQUEST, "launcher '" + name
        + "': a Launcher (with its factory) is required, got null"));
    }
    return onContext(() -> {
      if (launchers.containsKey(name)) {
        return Future.failedFuture(Protocol.failure(Protocol.CONFLICT, "node " + self + " already offers launcher '" + name + "'"));
      }
      launchers.put(name, launcher);
      log.info("[node={}] launcher '{}' added", self, name);
      return runtime.advertiseLaunchers(List.copyOf(launchers.keySet()));
    });
  }

  /**
   * Stops offering launcher {@code name} on this node: nothing new of it is placed here; the daemons it
   * started here keep running (see {@code ClusterNode.removeLauncher}).
   *
   * @return see {@code ClusterNode.removeLauncher}
   */
  public Future<Void> removeLauncher(String name) {
    String problem = ProcessNames.problem(name);
    if (problem != null) {
      return Future.failedFuture(Protocol.failure(Protocol.BAD_REQUEST, "invalid launcher name: name " + problem));
    }
    return onContext(() -> {
      if (launchers.remove(name) == null) {
        return Future.failedFuture(Protocol.failure(Protocol.NOT_FOUND, "node " + self + " offers no launcher '" + name + "'"));
      }
      log.info("[node={}] launcher '{}' removed; the daemons it started here keep running", self, name);
      return runtime.advertiseLaunchers(List.copyOf(launchers.keySet()));
    });
  }

  /** Runs {@code action} on this service's context; 503 once it stops. */
  private <T> Future<T> onContext(java.util.function.Supplier<Future<T>> action) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> {
      if (handOff != null) {
        done.fail(Protocol.failure(Protocol.NOT_READY, "node " + self + " is leaving: its launchers no longer change"));
      } else {
        action.get().onComplete(done);
      }
    });
    return done.future();
  }

  /** Sends a spawn request to {@code target} (this node included), fenced by {@code epoch} when &gt; 0. */
  static Future<ProcessId> spawnRequest(NodeRuntime runtime, String target, String launcher, String name,
                                        JsonObject args, long epoch, long timeout) {
    return spawnRequest(runtime, target, launcher, name, args, epoch, timeout, false);
  }

  /** As above; {@code handoff}: the target gives the daemon the state handed off by its predecessor. */
  static Future<ProcessId> spawnRequest(NodeRuntime runtime, String target, String launcher, String name,
                                        JsonObject args, long epoch, long timeout, boolean handoff) {
    DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, Action.DAEMON_SPAWN.wire())
      .setSendTimeout(timeout);
    if (epoch > 0) {
      o.addHeader(Protocol.EPOCH_HEADER, Long.toString(epoch));
    }
    JsonObject body = new JsonObject().put("launcher", launcher).put("name", name).put("args", args);
    if (handoff) {
      body.put("handoff", true);
    }
    return runtime.peers().<JsonObject>request(runtime.vertx(), target, Protocol.nodeAddress(target), body, o)
      .map(m -> ProcessId.fromJson(m.body()));
  }

  private void handleLocal(Message<Object> msg) {
    String action = msg.headers().get(Protocol.ACTION_HEADER);
    if (SpawnApi.handles(action)) {
      spawnApi.handle(action, msg);
    } else if ("list".equals(action)) {
      list(msg);
    } else if ("scan".equals(action)) {
      String invalid = msg.body() == null ? null : reconcileProblem(msg.body());
      if (invalid != null) {
        msg.fail(Protocol.BAD_REQUEST, invalid);
      } else {
        scanOnLeader().onComplete(ar -> reply(msg, ar));
      }
    } else {
      msg.fail(Protocol.BAD_REQUEST, "unknown daemon action '" + action + "' (expected list, scan, spawns or stop)");
    }
  }

  /** @return what is wrong with the body of a reconciliation request ({@code {}}), or null */
  private static String reconcileProblem(Object body) {
    return body instanceof JsonObject json && json.isEmpty() ? null
      : "a reconciliation request takes an empty JSON object {} (or no body), got " + (body instanceof JsonObject ? "keys " + ((JsonObject) body).fieldNames() : "a " + body.getClass().getSimpleName());
  }

  /** A reconciliation now: here when this node leads, else asked of the leader. */
  private Future<JsonObject> scanOnLeader() {
    if (leader.leading()) {
      return leader.scanNow();
    }
    String node = runtime.leader().node();
    if (node == null) {
      return Future.failedFuture(Protocol.failure(Protocol.NOT_READY, "no leader is known yet; try again soon"));
    }
    DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, Action.DAEMON_RECONCILE.wire())
      .setSendTimeout(runtime.settings().scanTimeout());
    return vertx.eventBus().<JsonObject>request(Protocol.nodeAddress(node), new JsonObject(), o).map(Message::body)
      .recover(t -> Future.failedFuture(Protocol.hasCode(t, Protocol.MISDIRECTED)
        ? Protocol.failure(Protocol.NOT_READY, "leadership is changing (" + t.getMessage() + "); try again soon")
        : t instanceof ReplyException e && e.failureType() == ReplyFailure.TIMEOUT
        ? Protocol.failure(Protocol.TIMEOUT, "the leader " + node + " did not end a reconciliation within "
          + runtime.settings().scanTimeout() + " ms") : t));
  }

  private void list(Message<Object> msg) {
    JsonObject report = leader.report();
    if (report == null) {
      msg.fail(Protocol.MISDIRECTED, "node " + self + " is not the leader (the leader is " + runtime.leader().node() + ")");
    } else {
      msg.reply(report);
    }
  }

  /** A {@code daemon.*} action of the node address, on this service's context. */
  private void handle(Message<Object> msg) {
    Action action = Action.of(msg.headers().get(Protocol.ACTION_HEADER));
    if (!(msg.body() instanceof JsonObject body)) {
      msg.fail(Protocol.BAD_REQUEST, "daemon request needs a JSON object body");
      return;
    }
    String from = msg.headers().get(Protocol.FROM_HEADER);
    String invalid = invalid(action, body, from);
    if (invalid != null) {
      msg.fail(Protocol.BAD_REQUEST, invalid);
      return;
    }
    boolean fenced = action == Action.DAEMON_LEADER || action == Action.DAEMON_MOVE;
    epochs.admit(msg.headers().get(Protocol.EPOCH_HEADER), fenced).onComplete(ar -> {
      if (ar.failed()) {
        fail(msg, ar.cause());
      } else {
        dispatch(action, body, msg);
      }
    });
  }

  /**
   * @return what is wrong with a command's body, or null. Commands about a node ({@code leader},
   *   {@code leaving}) may only come from that node itself.
   */
  private static String invalid(Action action, JsonObject body, String from) {
    return switch (action) {
      case DAEMON_SPAWN -> !(body.getValue("launcher") instanceof String) || !(body.getValue("name") instanceof String)
        ? "spawn needs {\"launcher\": <name>, \"name\": <process name>, \"args\": {...}}" : null;
      case DAEMON_LEADER, DAEMON_LEAVING -> !(body.getValue("node") instanceof String node)
        ? (action == Action.DAEMON_LEADER ? "leader" : "leaving") + " needs {\"node\": <name>}"
        : from != null && !from.equals(node) ? "'" + from + "' cannot speak for node '" + node + "'" : null;
      case DAEMON_SCAN -> !(body.getValue("launcher") instanceof String) ? "scan needs {\"launcher\": <name>}" : null;
      case DAEMON_DUPLICATE -> !(body.getValue("name") instanceof String) || !(body.getValue("deploymentId") instanceof String)
        || !(body.getValue("winner") instanceof String) ? "duplicate needs {\"name\", \"deploymentId\", \"winner\"}" : null;
      case DAEMON_LIST -> null;
      case DAEMON_RECONCILE -> reconcileProblem(body);
      case DAEMON_STOP, DAEMON_EXITED -> SpawnHost.invalid(action, body);
      case DAEMON_MOVE -> !(body.getValue("name") instanceof String name) || !(body.getValue("deploymentId") instanceof String)
        || !(body.getValue("to") instanceof String) ? "daemon.move needs {\"name\", \"deploymentId\", \"to\"}"
        : ProcessNames.registrationProblem(name) != null ? "invalid process name: name " + ProcessNames.registrationProblem(name) : null;
      default -> "unknown daemon action '" + action + "'";
    };
  }

  private void dispatch(Action action, JsonObject body, Message<Object> msg) {
    switch (action) {
      case DAEMON_LIST -> list(msg);
      case DAEMON_RECONCILE -> leader.scanNow().onComplete(ar -> reply(msg, ar));
      case DAEMON_SPAWN -> host.spawn(body).onComplete(ar -> reply(msg, ar.map(ProcessId::toJson)));
      case DAEMON_LEADER -> {
        String node = body.getString("node");
        if (!node.equals(self)) {
          runtime.leader(new LeaderInfo(node, epochs.highest(), false));
          runtime.metrics().leadership(node, epochs.highest());
        }
        msg.reply(new JsonObject().put("ok", true));
      }
      case DAEMON_SCAN -> leader.scanForLeader(body.getString("launcher")).onComplete(ar -> reply(msg, ar));
      case DAEMON_LEAVING -> {
        leader.handedOff(body.getString("node"));
        leader.statesHandedOff(body.getValue("handoffs"));
        msg.reply(new JsonObject().put("ok", true));
      }
      case DAEMON_DUPLICATE -> {
        host.duplicate(body.getString("name"), body.getString("deploymentId"), body.getString("winner"));
        msg.reply(new JsonObject().put("ok", true));
      }
      case DAEMON_STOP -> host.spawns().stop(body).onComplete(ar -> reply(msg, ar));
      case DAEMON_MOVE -> host.move(body.getString("name"), body.getString("deploymentId")).onComplete(ar -> reply(msg, ar));
      case DAEMON_EXITED -> {
        leader.exited(body);
        msg.reply(new JsonObject().put("ok", true));
      }
      default -> msg.fail(Protocol.BAD_REQUEST, "unknown daemon action '" + action + "'");
    }
  }

  private static void reply(Message<Object> msg, io.vertx.core.AsyncResult<JsonObject> ar) {
    if (ar.succeeded()) {
      msg.reply(ar.result());
    } else {
      fail(msg, ar.cause());
    }
  }

  private static void fail(Message<Object> msg, Throwable t) {
    msg.fail(Protocol.codeOf(t), String.valueOf(t.getMessage()));
  }

  private void onMembership(MembershipEvent event) {
    peers = event.nodes();
    if (event.type() == MembershipEvent.Type.LEFT) {
      LeaderInfo known = runtime.leader();
      if (event.node().equals(known.node()) && !known.self()) {
        setLeader(LeaderInfo.UNKNOWN);
      }
    }
    leader.membership(event);
  }

  private void setLeader(LeaderInfo info) {
    LeaderInfo previous = runtime.leader();
    runtime.leader(info);
    runtime.metrics().leadership(info.node(), info.epoch());
    if (previous.self() != info.self() || previous.epoch() != info.epoch()) {
      vertx.eventBus().publish(Protocol.LEADERSHIP_ADDRESS, info.toJson(), new DeliveryOptions().setLocalOnly(true));
    }
  }
}
