package dev.vxext.daemon.impl;

import dev.vxext.runtime.NodeRuntime;
import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.daemon.DaemonHandOff;
import dev.vxext.daemon.Launcher;
import dev.vxext.metrics.impl.NodeMetrics;
import dev.vxext.process.ExitReason;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessNames;
import dev.vxext.process.impl.ProcessDeployer;
import dev.vxext.protocol.Protocol;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The daemons running on this node: spawns them (idempotent by name), stops a younger duplicate,
 * stops them all when the node fences itself, and hands them off when the node leaves. Confined to the
 * daemon verticle's context.
 */
final class DaemonHost {

  private static final Logger log = LoggerFactory.getLogger(DaemonHost.class);

  private final Vertx vertx;
  private final String self;
  private final Map<String, Launcher> launchers;
  private final BookMaps maps;
  private final long requestTimeout;
  private final Map<String, ProcessId> spawned = new HashMap<>();
  private final Map<String, Future<ProcessId>> inflight = new HashMap<>();
  /** How each daemon running here was spawned ({@code {launcher, args}}), by deployment id: a move re-spawns it so. */
  private final Map<String, JsonObject> spawnedWith = new HashMap<>();
  private final NodeMetrics metrics;
  /** How the daemons of this node end (supervised spawns). */
  private final SpawnHost spawns;
  /** The states its daemons hand off to their successors, and those handed to daemons spawned here. */
  private final HandOffStates states;
  /** The undeploys of every fence so far: a later fence completes only after the earlier ones. */
  private Future<Void> fencing = Future.succeededFuture();
  /** Why this node takes no daemon now (its ZooKeeper connection is suspended or lost), or null. */
  private String refusing;
  private final NodeRuntime runtime;

  DaemonHost(NodeRuntime runtime, Map<String, Launcher> launchers) {
    this.runtime = runtime;
    this.vertx = runtime.vertx();
    this.self = runtime.name();
    this.launchers = launchers;
    this.maps = runtime.maps();
    this.requestTimeout = runtime.settings().requestTimeout();
    this.metrics = runtime.metrics();
    this.spawns = new SpawnHost(runtime, launchers);
    this.states = new HandOffStates(vertx, self, requestTimeout, spawns);
  }

  /** @return the node side of the supervised spawns */
  SpawnHost spawns() {
    return spawns;
  }

  /**
   * While {@code why} is not null this node takes no new daemon (503): it is cut off from ZooKeeper, may be
   * counted gone at any moment, and has stopped (or is about to stop) the daemons it ran.
   */
  void refuse(String why) {
    refusing = why;
  }

  Future<ProcessId> spawn(JsonObject body) {
    if (refusing != null) {
      return Future.failedFuture(Protocol.failure(Protocol.NOT_READY, "node " + self + " takes no daemon now: " + refusing));
    }
    long half = runtime.settings().sessionTimeout() / 2;
    if (!runtime.heardFromZookeeperWithin(half)) {
      // frozen or cut off for half a session: the cluster may count this node gone and place the daemon
      // elsewhere (a request that waited in its socket while it was frozen is answered now, too late)
      return Future.failedFuture(Protocol.failure(Protocol.NOT_READY, "node " + self + " takes no daemon now: it has not"
        + " heard from ZooKeeper for more than " + half + " ms"));
    }
    String launcherName = body.getString("launcher");
    String name = body.getString("name");
    Object args = body.getValue("args");
    Launcher launcher = launcherName == null ? null : launchers.get(launcherName);
    if (launcher == null) {
      return Future.failedFuture(Protocol.failure(Protocol.NOT_FOUND, "node " + self + " offers no launcher '" + launcherName + "'"));
    }
    String problem = ProcessNames.registrationProblem(name);
    if (problem != null) {
      return Future.failedFuture(Protocol.failure(Protocol.BAD_REQUEST, "invalid process name: name " + problem));
    }
    if (args != null && !(args instanceof JsonObject)) {
      return Future.failedFuture(Protocol.failure(Protocol.BAD_REQUEST, "daemon args must be a JSON object"));
    }
    if (body.getValue("handoff") != null && !(body.getValue("handoff") instanceof Boolean)) {
      return Future.failedFuture(Protocol.failure(Protocol.BAD_REQUEST, "spawn's \"handoff\" must be a boolean"));
    }
    boolean handoff = body.getBoolean("handoff", false);
    ProcessId existing = maps.processes().get(name);
    if (existing != null) {
      return Future.succeededFuture(existing);
    }
    Future<ProcessId> running = inflight.get(name);
    if (running != null) {
      return running;
    }
    DeploymentOptions deployment = new DeploymentOptions(launcher.deploymentOptions())
      .setConfig(args == null ? new JsonObject() : ((JsonObject) args).copy());
    // a daemon moved by a graceful leave takes the state its predecessor handed off
    Future<DeploymentOptions> withState = !handoff ? Future.succeededFuture(deployment) : states.take(name)
      .map(state -> state == null ? deployment : deployment.setConfig(deployment.getConfig().copy().put(DaemonHandOff.CONFIG_KEY, state)));
    Future<ProcessId> f = withState.compose(o -> ProcessDeployer.deploy(vertx, name, spawns.wrap(name, launcher), o))
      .recover(t -> {
        ProcessId now = maps.processes().get(name);
        return Protocol.hasCode(t, Protocol.CONFLICT) && now != null ? Future.succeededFuture(now) : Future.failedFuture(t);
      })
      .onSuccess(pid -> {
        if (handoff) {
          states.consumed(name);
        }
        spawns.confirmed(pid, launcherName);
        spawned.put(name, pid);
        spawnedWith.put(pid.deploymentId(), new JsonObject().put("launcher", launcherName).put("args", args));
        hostedChanged();
      })
      .onComplete(ar -> inflight.remove(name));
    inflight.put(name, f);
    return f;
  }

  /**
   * A directory owner saw {@code name} also on {@code winner}, whose instance is older: this one stops,
   * unless {@code winner} is not a member in this node's view (the owner's view may lag: a node the
   * cluster counts as gone may still report an older, stale instance; its replacement must not stop).
   */
  void duplicate(String name, String deploymentId, String winner) {
    ProcessId mine = name == null ? null : spawned.get(name);
    if (mine != null && mine.deploymentId().equals(deploymentId) && mine.equals(maps.processes().get(name))) {
      if (winner == null || !maps.view().contains(winner)) {
        log.info("[node={}] daemon '{}': duplicate notice for an instance on {}, not a member here; kept", self, name, winner);
        return;
      }
      log.warn("[node={}] daemon '{}' also runs on {} and that instance is older: stopping this one", self, name, winner);
      spawned.remove(name);
      spawns.expect(deploymentId);
      stop(mine, ExitReason.DUPLICATE);
      metrics.daemonsFenced(1);
      hostedChanged();
    }
  }

  /**
   * A planned move (rebalancing, action {@code daemon.move}): instance {@code deploymentId} of {@code name}
   * hands its state off (stored for its successor), then stops; the leader spawns it elsewhere once this
   * answers.
   *
   * @return a future completed, once it is undeployed, with {@code {stopped: true, handoff: <state stored>,
   *   launcher, args}}; failed with 404 when that instance does not run here
   */
  Future<JsonObject> move(String name, String deploymentId) {
    ProcessId pid = spawned.get(name);
    JsonObject how = pid == null ? null : spawnedWith.get(pid.deploymentId());
    if (pid == null || how == null || !pid.deploymentId().equals(deploymentId) || !pid.equals(maps.processes().get(name))
      || !vertx.deploymentIDs().contains(deploymentId)) {
      return Future.failedFuture(Protocol.failure(Protocol.NOT_FOUND, "node " + self + " runs no instance " + deploymentId
        + " of daemon '" + name + "'; nothing moved"));
    }
    return states.collect(List.of(pid)).compose(states::store).compose(stored -> {
      if (!pid.equals(spawned.get(name))) {
        // stopped meanwhile (fenced, a duplicate): the leader's reconciliation places it
        return Future.failedFuture(Protocol.failure(Protocol.NOT_FOUND, "daemon '" + name + "' stopped on " + self
          + " during its move; the reconciliation places it"));
      }
      spawned.remove(name);
      spawns.expect(deploymentId);
      return stop(pid, ExitReason.HANDED_OFF).map(v -> {
        hostedChanged();
        log.info("[node={}] daemon '{}' stopped for a move", self, name);
        return how.copy().put("stopped", true).put("handoff", stored.contains(name));
      });
    });
  }

  /**
   * Stops a daemon of this node for {@code reason}: its registration ends first, with that reason (told to
   * whoever awaits its exit), then its deployment is undeployed. Never failed.
   */
  private Future<Void> stop(ProcessId pid, ExitReason reason) {
    JsonObject body = new JsonObject().put("name", pid.name()).put("deploymentId", pid.deploymentId())
      .put("reason", reason.wire());
    return ProcessDeployer.registry(vertx, "retire", body).<Void>mapEmpty().otherwiseEmpty()
      .compose(v -> vertx.undeploy(pid.deploymentId()).otherwiseEmpty());
  }

  /** Publishes how many daemons run here (those spawned here and still registered). */
  private void hostedChanged() {
    spawned.values().removeIf(pid -> !pid.equals(maps.processes().get(pid.name())));
    spawnedWith.keySet().removeIf(id -> spawned.values().stream().noneMatch(pid -> pid.deploymentId().equals(id)));
    metrics.daemonsHosted(spawned.size());
  }

  /**
   * Stops every daemon of this node: another node may already be taking them over.
   *
   * @return completed once they (and those of every earlier fence) are undeployed
   */
  Future<Void> fence(String why) {
    List<Future<Void>> stopping = new ArrayList<>();
    for (ProcessId pid : new ArrayList<>(spawned.values())) {
      if (pid.equals(maps.processes().get(pid.name()))) {
        spawns.expect(pid.deploymentId());
        stopping.add(stop(pid, ExitReason.FENCED));
      }
    }
    spawned.clear();
    hostedChanged();
    if (!stopping.isEmpty()) {
      metrics.daemonsFenced(stopping.size());
      log.warn("[node={}] self-fencing ({}): stopped {} daemon(s)", self, why, stopping.size());
    }
    if (!fencing.isComplete()) {
      stopping.add(fencing);
    }
    fencing = Future.join(stopping).mapEmpty();
    return fencing;
  }

  /**
   * Graceful leave: stop this node's daemons, then tell every other node, so the leader re-places them
   * at once instead of after the settle delay. Bounded by the request timeout.
   */
  Future<Void> handOff(List<String> peers) {
    spawns.closing();
    List<ProcessId> running = new ArrayList<>();
    for (ProcessId pid : new ArrayList<>(spawned.values())) {
      if (vertx.deploymentIDs().contains(pid.deploymentId())) {
        running.add(pid);
      }
    }
    // the states of the daemons that hand one off: taken before they stop, stored while they stop
    return states.collect(running).compose(collected -> handOff(peers, running, states.store(collected)));
  }

  private Future<Void> handOff(List<String> peers, List<ProcessId> running, Future<io.vertx.core.json.JsonArray> stored) {
    List<Future<Void>> stopping = new ArrayList<>();
    for (ProcessId pid : running) {
      stopping.add(stop(pid, ExitReason.HANDED_OFF));
    }
    spawned.clear();
    hostedChanged();
    return Future.join(stopping).compose(v -> stored).compose(handedOff -> {
      List<Future<Void>> told = new ArrayList<>();
      for (String node : peers) {
        if (node.equals(self)) continue;
        DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, dev.vxext.protocol.Action.DAEMON_LEAVING.wire())
          .setSendTimeout(Math.min(2_000, requestTimeout));
        JsonObject notice = new JsonObject().put("node", self).put("handoffs", handedOff);
        told.add(vertx.eventBus().request(Protocol.nodeAddress(node), notice, o).<Void>mapEmpty().otherwiseEmpty());
      }
      if (!stopping.isEmpty()) {
        log.info("[node={}] leaving: stopped {} daemon(s) and handed them off", self, stopping.size());
      }
      return Future.join(told).mapEmpty();
    });
  }

}
