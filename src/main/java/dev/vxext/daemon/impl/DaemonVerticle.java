package dev.vxext.daemon.impl;

import dev.vxext.NodeOptions;
import dev.vxext.addressbook.NodeEntry;
import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.cluster.LeaderInfo;
import dev.vxext.cluster.MembershipEvent;
import dev.vxext.cluster.impl.ConnectionMonitor;
import dev.vxext.cluster.impl.LeaderElection;
import dev.vxext.daemon.Launcher;
import dev.vxext.metrics.impl.NodeMetrics;
import dev.vxext.process.ProcessId;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Daemons on this node: serves spawn requests (fenced by the leader epoch), stops a younger duplicate,
 * stops every daemon of this node when it is cut off from ZooKeeper for half the session timeout, and
 * runs the leader election; on the leader it schedules the reconciliation ({@link DaemonRecovery}).
 * <p>
 * Local address {@value #ADDRESS}, header {@code action}: {@code spawn}, {@code leader}, {@code duplicate}
 * (other nodes reach it through {@code vxext.node.<name>} with action {@code daemon.<action>}), and
 * {@code fence} (this node only: stop every daemon here, answered once they are undeployed).
 */
public final class DaemonVerticle extends VerticleBase {

  /** Local address of the daemon service. */
  public static final String ADDRESS = "vxext.daemon";
  /** Local address where leadership changes are published ({@link LeaderInfo} JSON). */
  public static final String LEADERSHIP_ADDRESS = "vxext.leadership";
  /** Header carrying the leader epoch of a command. */
  public static final String EPOCH_HEADER = "epoch";

  private static final Logger log = LoggerFactory.getLogger(DaemonVerticle.class);

  private final NodeOptions options;
  private final String self;
  private final Map<String, Launcher> launchers;
  /** Nodes that stopped their daemons for a graceful leave: what they ran counts as gone. */
  private final java.util.Set<String> handedOff = new java.util.HashSet<>();
  /** Runs before this node's daemons are handed off (the node announces it is leaving). */
  private final java.util.function.Supplier<Future<?>> beforeHandOff;
  private Future<Void> handOff;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private BookMaps maps;
  private LeaderElection election;
  private ConnectionMonitor monitor;
  private DaemonRecovery recovery;
  private DaemonHost host;
  private EpochFence epochs;
  private long scanTimer = -1;
  /** When the planned scan ({@link #scanTimer}) runs, epoch ms. */
  private long scanAt;
  private long periodicTimer = -1;
  private long announceTimer = -1;
  private boolean scanning;
  private FailoverGate gate;
  /** Every node as last seen in the view (a lost node's event-bus address is probed by the gate). */
  private final Map<String, NodeEntry> lastSeen = new HashMap<>();
  private long lastHandOffAt;
  /** When this verticle started, and when a node last joined: the view has settled settleDelay after both. */
  private long startedAt;
  private long lastJoinAt;
  /** The members as last seen: the view itself may be cleared by the whereis verticle stopping first. */
  private List<String> peers = List.of();
  private SelfFencing fencing;
  private boolean rescan;
  private NodeMetrics metrics;
  /** When this node last saw a node leave without handing off (0: none pending), for the failover timer. */
  private long lossAt;
  /** The last reconciliation this node ran as leader (for action {@code list}). */
  private DaemonRecovery.Report lastReport;

  public DaemonVerticle(NodeOptions options) {
    this(options, Future::succeededFuture);
  }

  /**
   * @param beforeHandOff what a graceful leave does before the daemons stop (the node announces that it
   *                      is leaving, so nothing new is placed on it)
   */
  public DaemonVerticle(NodeOptions options, java.util.function.Supplier<Future<?>> beforeHandOff) {
    this.options = new NodeOptions(options);
    this.self = options.getNodeName();
    this.launchers = options.getLaunchers();
    this.beforeHandOff = beforeHandOff;
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
        cancel(scanTimer);
        cancel(periodicTimer);
        cancel(announceTimer);
        fencing.stop();
        boolean clustered = ((VertxInternal) vertx).clusterManager() != null;
        handOff = !clustered ? Future.succeededFuture()
          : beforeHandOff.get().transform(ar -> host.handOff(peers));
      }
      handOff.onComplete(done);
    });
    return done.future();
  }

  @Override
  public Future<?> start() {
    ClusterManager cm = ((VertxInternal) vertx).clusterManager();
    startedAt = System.currentTimeMillis();
    maps = new BookMaps(vertx);
    maps.leader(LeaderInfo.UNKNOWN);
    epochs = new EpochFence(vertx, self);
    metrics = NodeMetrics.of(vertx);
    recovery = new DaemonRecovery(vertx, self, launchers, maps, options.getRequestTimeout(), () -> election.epoch(),
      handedOff::contains, () -> gate.closedUntil());
    gate = new FailoverGate(vertx, self, options.getFailoverDelay(), () -> {
      if (election.state() == LeaderElection.State.LEADER) {
        scanSoon();
      }
    });
    rememberView();
    host = new DaemonHost(vertx, self, launchers, maps, options.getRequestTimeout());
    peers = maps.view().names();
    election = new LeaderElection(vertx, self, cm != null, LeaderElection.ATTEMPT_MS, new LeaderElection.Listener() {
      @Override
      public void elected(long epoch) {
        onElected(epoch);
      }

      @Override
      public void demoted() {
        onDemoted();
      }
    });
    MessageConsumer<Object> api = vertx.eventBus().localConsumer(ADDRESS, this::handle);
    MessageConsumer<JsonObject> members = vertx.eventBus().localConsumer(Protocol.MEMBERSHIP_ADDRESS,
      m -> onMembership(MembershipEvent.fromJson(m.body())));
    consumers.add(api);
    consumers.add(members);
    // connection states reach the fencing on this context, after both exist
    monitor = new ConnectionMonitor(context, cm, options.getSessionTimeout(), state -> fencing.connection(state));
    fencing = new SelfFencing(vertx, options.getSessionTimeout(), host, election, monitor::lastContact);
    if (cm != null) {
      fencing.startWatchdog();
    }
    return Future.all(api.completion(), members.completion()).onSuccess(v -> election.start());
  }

  @Override
  public Future<?> stop() {
    // no reconciliation while the node goes away; the lock is released at once for the next leader
    return handOff().timeout(options.getRequestTimeout(), java.util.concurrent.TimeUnit.MILLISECONDS)
      .eventually(this::shutdown);
  }

  /** Keeps {@link #lastSeen} to the nodes of the current view. */
  private void rememberView() {
    lastSeen.clear();
    maps.view().nodes().forEach(n -> lastSeen.put(n.name(), n));
  }

  private Future<?> shutdown() {
    election.stop();
    monitor.close();
    gate.close();
    cancel(scanTimer);
    cancel(periodicTimer);
    fencing.stop();
    List<Future<Void>> done = new ArrayList<>();
    consumers.forEach(c -> done.add(c.unregister()));
    maps.leader(LeaderInfo.UNKNOWN);
    return Future.join(done);
  }

  /** Sends a spawn request to {@code target} (this node included), fenced by {@code epoch} when &gt; 0. */
  static Future<ProcessId> spawnRequest(Vertx vertx, BookMaps maps, String target, String launcher, String name,
                                        JsonObject args, long epoch, long timeout) {
    DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, "daemon.spawn").setSendTimeout(timeout);
    if (epoch > 0) {
      o.addHeader(EPOCH_HEADER, Long.toString(epoch));
    }
    JsonObject body = new JsonObject().put("launcher", launcher).put("name", name).put("args", args);
    return maps.peers().<JsonObject>request(vertx, target, Protocol.nodeAddress(target), body, o)
      .map(m -> ProcessId.fromJson(m.body()));
  }

  private void handle(Message<Object> msg) {
    String action = msg.headers().get(Protocol.ACTION_HEADER);
    if (!(msg.body() instanceof JsonObject body)) {
      msg.fail(Protocol.BAD_REQUEST, "daemon request needs a JSON object body");
      return;
    }
    String from = msg.headers().get(Protocol.FROM_HEADER);
    String invalid = invalid(action == null ? "" : action, body, from);
    if (invalid != null) {
      msg.fail(Protocol.BAD_REQUEST, invalid);
      return;
    }
    epochs.admit(msg.headers().get(EPOCH_HEADER), "leader".equals(action)).onComplete(ar -> {
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
  private static String invalid(String action, JsonObject body, String from) {
    return switch (action) {
      case "spawn" -> !(body.getValue("launcher") instanceof String) || !(body.getValue("name") instanceof String)
        ? "spawn needs {\"launcher\": <name>, \"name\": <process name>, \"args\": {...}}" : null;
      case "leader", "leaving" -> !(body.getValue("node") instanceof String node) ? action + " needs {\"node\": <name>}"
        : from != null && !from.equals(node) ? "'" + from + "' cannot speak for node '" + node + "'" : null;
      case "scan" -> !(body.getValue("launcher") instanceof String) ? "scan needs {\"launcher\": <name>}" : null;
      case "duplicate" -> !(body.getValue("name") instanceof String) || !(body.getValue("deploymentId") instanceof String)
        || !(body.getValue("winner") instanceof String) ? "duplicate needs {\"name\", \"deploymentId\", \"winner\"}" : null;
      case "list", "fence" -> null;
      default -> "unknown daemon action '" + action + "'";
    };
  }

  private void dispatch(String action, JsonObject body, Message<Object> msg) {
    switch (action) {
      case "list" -> {
        if (election.state() != LeaderElection.State.LEADER) {
          msg.fail(Protocol.MISDIRECTED, "node " + self + " is not the leader (the leader is " + maps.leader().node() + ")");
        } else {
          JsonObject list = lastReport == null ? new JsonObject().put("daemons", new io.vertx.core.json.JsonArray())
            : lastReport.toJson();
          msg.reply(list.put("leader", self).put("epoch", election.epoch()));
        }
      }
      case "spawn" -> host.spawn(body).onComplete(ar -> reply(msg, ar.map(ProcessId::toJson)));
      case "leader" -> {
        String node = body.getString("node");
        if (!node.equals(self)) {
          maps.leader(new LeaderInfo(node, epochs.highest(), false));
          metrics.leadership(node, epochs.highest());
        }
        msg.reply(new JsonObject().put("ok", true));
      }
      case "scan" -> recovery.scanForLeader(body.getString("launcher")).onComplete(ar -> reply(msg, ar));
      case "leaving" -> {
        String node = body.getString("node");
        if (!node.equals(self)) {
          handedOff.add(node);
          if (election.state() == LeaderElection.State.LEADER) {
            scanSoon();
          }
        }
        msg.reply(new JsonObject().put("ok", true));
      }
      case "fence" -> host.fence("own cluster registration lost").onComplete(ar -> msg.reply(new JsonObject().put("ok", true)));
      case "duplicate" -> {
        host.duplicate(body.getString("name"), body.getString("deploymentId"), body.getString("winner"));
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
    int code = t instanceof io.vertx.core.eventbus.ReplyException r ? r.failureCode() : 500;
    msg.fail(code, String.valueOf(t.getMessage()));
  }

  private void onElected(long epoch) {
    epochs.elected(epoch);
    setLeader(new LeaderInfo(self, epoch, true));
    announce(null);
    announceTimer = vertx.setPeriodic(options.getSyncInterval(), t -> announce(null));
    long now = System.currentTimeMillis();
    if (!handedOff.isEmpty() || now - lastHandOffAt <= options.getSettleDelay()) {
      // a node (maybe the previous leader) just handed its daemons off: place them now
      scanSoon();
    } else {
      // the first placement waits until the view has settled: this node up, and no node joined, for
      // settleDelay (a cold start spreads the daemons over every node starting with it). A leader that
      // takes over in a running cluster scans at once: a lost leader's daemons wait only for the failover gate
      scheduleScan(Math.max(0, Math.max(startedAt, lastJoinAt) + options.getSettleDelay() - now));
    }
    // a periodic tick during a (long) scan is no change: the next tick comes soon enough
    periodicTimer = vertx.setPeriodic(options.getReconcileInterval(), t -> {
      if (!scanning) scheduleScan(0);
    });
  }

  private void onDemoted() {
    cancel(scanTimer);
    scanTimer = -1;
    cancel(periodicTimer);
    periodicTimer = -1;
    cancel(announceTimer);
    announceTimer = -1;
    setLeader(LeaderInfo.UNKNOWN);
  }

  private void onMembership(MembershipEvent event) {
    peers = event.nodes();
    if (event.type() == MembershipEvent.Type.LEFT) {
      LeaderInfo leader = maps.leader();
      if (event.node().equals(leader.node()) && !leader.self()) {
        setLeader(LeaderInfo.UNKNOWN);
      }
      boolean handedOffFirst = handedOff.remove(event.node());
      if (handedOffFirst) {
        lastHandOffAt = System.currentTimeMillis();
      } else {
        if (lossAt == 0) lossAt = System.currentTimeMillis();
        // a node that did not hand off may still run its daemons (its session expired under it, it is
        // fencing itself): nothing is placed anywhere until the failover delay has passed, whatever
        // triggers the scan, unless the gate finds its process gone
        gate.lost(event.node(), lastSeen.get(event.node()));
      }
      if (election.state() == LeaderElection.State.LEADER) {
        if (handedOffFirst) {
          scanSoon();
        } else {
          scheduleScan(options.getFailoverDelay());
        }
      }
    } else if (event.type() == MembershipEvent.Type.JOINED) {
      lastJoinAt = System.currentTimeMillis();
      handedOff.remove(event.node());
      gate.clear(event.node());
      if (election.state() == LeaderElection.State.LEADER) {
        announce(event.node());
      }
    }
    rememberView();
  }

  /**
   * Tells one node (or every node when {@code node} is null) who leads, with the epoch. Repeated every
   * sync interval; a node that has just joined (its address not reachable yet) is retried sooner.
   */
  private void announce(String node) {
    for (String target : node == null ? maps.view().names() : List.of(node)) {
      if (!target.equals(self)) {
        announceTo(target, node == null ? 0 : 5);
      }
    }
  }

  private void announceTo(String target, int retries) {
    long epoch = election.epoch();
    if (epoch == 0) return;
    DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, "daemon.leader")
      .addHeader(EPOCH_HEADER, Long.toString(epoch)).setSendTimeout(options.getRequestTimeout());
    vertx.eventBus().request(Protocol.nodeAddress(target), new JsonObject().put("node", self), o).onFailure(t -> {
      log.debug("[node={}] leader announcement to {} failed: {}", self, target, t.getMessage());
      if (retries > 0 && maps.view().contains(target)) {
        vertx.setTimer(200, id -> announceTo(target, retries - 1));
      }
    });
  }

  /**
   * Schedules a reconciliation, not before the quiet period after a node loss ends; an earlier
   * schedule is kept (churn cannot postpone it forever).
   */
  private void scheduleScan(long requested) {
    long delay = Math.max(1, Math.max(requested, gate.closedUntil() - System.currentTimeMillis()));
    if (scanning && delay <= 1) {
      rescan = true;
      return;
    }
    long at = System.currentTimeMillis() + delay;
    if (scanTimer >= 0) {
      // a scan is already planned: keep the earlier of the two (a node lost during a cold start's settle
      // delay must not wait for the end of it, nor a hand-off for a failover delay)
      if (at >= scanAt) {
        return;
      }
      cancel(scanTimer);
    }
    scanAt = at;
    scanTimer = vertx.setTimer(delay, t -> {
      scanTimer = -1;
      runScan();
    });
  }

  /** Reconciles now: a node handed its daemons off. */
  /** Scans as soon as the failover gate allows (a later planned scan is brought forward). */
  private void scanSoon() {
    scheduleScan(0);
  }

  private void runScan() {
    if (election.state() != LeaderElection.State.LEADER) return;
    if (scanning) {
      rescan = true;
      return;
    }
    scanning = true;
    recovery.reconcile().onComplete(ar -> {
      scanning = false;
      // its result counts even when a change arrived meanwhile (a scan longer than the interval is not lost)
      if (ar.succeeded()) {
        DaemonRecovery.Report r = ar.result();
        lastReport = r;
        metrics.reconciled(r.declared(), r.running() + r.spawned());
        if (lossAt > 0 && r.failed() == 0 && r.failedLaunchers().isEmpty()) {
          if (r.spawned() > 0) {
            metrics.failover(System.currentTimeMillis() - lossAt);
          }
          lossAt = 0;
        }
        log.info("[node={}] daemon reconciliation: {} declared, {} running, {} spawned, {} failed", self,
          r.declared(), r.running(), r.spawned(), r.failed());
        if (r.failed() > 0 || !r.failedLaunchers().isEmpty()) {
          scheduleScan(Math.min(options.getReconcileInterval(), 1_000));
        } else if (r.nextRetryAt() > 0) {
          // a daemon in backoff is tried again at its time
          scheduleScan(Math.min(options.getReconcileInterval(), r.nextRetryAt() - System.currentTimeMillis()));
        }
      }
      if (rescan) {
        // a change arrived during the scan: reconcile again now, ahead of any retry delay
        rescan = false;
        scanSoon();
      }
    });
  }

  private void setLeader(LeaderInfo info) {
    LeaderInfo previous = maps.leader();
    maps.leader(info);
    metrics.leadership(info.node(), info.epoch());
    if (previous.self() != info.self() || previous.epoch() != info.epoch()) {
      vertx.eventBus().publish(LEADERSHIP_ADDRESS, info.toJson(), new DeliveryOptions().setLocalOnly(true));
    }
  }

  private void cancel(long timer) {
    if (timer >= 0) vertx.cancelTimer(timer);
  }
}
