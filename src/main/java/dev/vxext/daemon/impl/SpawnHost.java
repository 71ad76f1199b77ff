package dev.vxext.daemon.impl;

import dev.vxext.daemon.Launcher;
import dev.vxext.daemon.RestartPolicy;
import dev.vxext.daemon.SupervisedSpawn;
import dev.vxext.process.ProcessId;
import dev.vxext.protocol.Action;
import dev.vxext.protocol.Protocol;
import dev.vxext.runtime.NodeRuntime;
import io.vertx.core.Closeable;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node side of supervised spawns: how the daemons running here end. A daemon's deployment ends either
 * because this node stopped it (hand-off, self-fencing, a younger duplicate, {@code stop}, the node or its
 * Vert.x closing: {@link #expect}, {@link #closing}) or on its own; for a supervised spawn that ended on its
 * own, its {@link RestartPolicy} decides: its record is removed (no restart), or the leader is told to start
 * it again with the crash-loop backoff. The record is removed before the registry hears that the process is
 * gone, so a leader that finds the name missing no longer finds its record either. Thread-safe: deployments
 * end on their own contexts.
 */
final class SpawnHost {

  private static final Logger log = LoggerFactory.getLogger(SpawnHost.class);
  /** Local map of this node's launchers' restart policies (launcher name to {@link RestartPolicy#wire()}), for spawners. */
  static final String POLICIES = "vxext.daemon.restart";

  /** A daemon deployed here by {@link DaemonHost#spawn}. */
  private record Running(String name, String launcher, String deploymentId, long startedAt) {
  }

  private final NodeRuntime runtime;
  private final Vertx vertx;
  private final String self;
  private final Map<String, Launcher> launchers;
  private final SpawnRecords records;
  /** Deployments of wrapped daemons whose start succeeded, until the spawn is confirmed ({@link #confirmed}). */
  private final Map<String, String> deployed = new ConcurrentHashMap<>();
  /** The wrapper of each deployment of a daemon here (the first instance's), for its hand-off state. */
  private final Map<String, SupervisedDeployable> instances = new ConcurrentHashMap<>();
  private final Map<String, Running> byDeployment = new ConcurrentHashMap<>();
  private final Map<String, Running> byName = new ConcurrentHashMap<>();
  private final Set<String> expected = ConcurrentHashMap.newKeySet();
  private final Closeable closeHook = completion -> {
    closing();
    completion.succeed();
  };
  private volatile boolean closing;

  SpawnHost(NodeRuntime runtime, Map<String, Launcher> launchers) {
    this.runtime = runtime;
    this.vertx = runtime.vertx();
    this.self = runtime.name();
    this.launchers = launchers;
    this.records = new SpawnRecords(vertx, runtime.settings().requestTimeout());
    LocalMap<String, String> policies = vertx.sharedData().getLocalMap(POLICIES);
    launchers.forEach((name, l) -> policies.put(name, l.restart().wire()));
    // Vert.x closing undeploys every deployment at once: none of those ends is an exit
    ((VertxInternal) vertx).addCloseHook(closeHook);
  }

  /** @return the restart policy of launcher {@code launcher} on the node running {@code vertx}, or null when it offers none */
  static RestartPolicy localPolicy(Vertx vertx, String launcher) {
    String wire = vertx.sharedData().<String, String>getLocalMap(POLICIES).get(launcher);
    return wire == null ? null : RestartPolicy.of(wire);
  }

  /** @return the factory of a daemon of {@code launcher}, wrapped so this node learns how it ends */
  Supplier<Deployable> wrap(String name, Launcher launcher) {
    return () -> new SupervisedDeployable(launcher.factory().get(), name, this);
  }

  /** The node stops deployment {@code deploymentId} itself: its end is no exit. */
  void expect(String deploymentId) {
    expected.add(deploymentId);
  }

  /** The node leaves (or closes): no end from now on is an exit. */
  void closing() {
    closing = true;
  }

  /** The daemon service stops: releases the close hook and the policies. Safe twice. */
  void close() {
    closing();
    ((VertxInternal) vertx).removeCloseHook(closeHook);
    vertx.sharedData().getLocalMap(POLICIES).clear();
  }

  /** A wrapped daemon started (it is not registered yet: {@link #confirmed}). */
  void deployed(String deploymentId, String name, SupervisedDeployable instance) {
    deployed.put(deploymentId, name);
    instances.putIfAbsent(deploymentId, instance);
  }

  /** @return the wrapper of deployment {@code deploymentId} of a daemon here, or null */
  SupervisedDeployable instance(String deploymentId) {
    return instances.get(deploymentId);
  }

  /** {@link DaemonHost#spawn} registered {@code pid}, a daemon of {@code launcher}. */
  void confirmed(ProcessId pid, String launcher) {
    if (pid.name().equals(deployed.remove(pid.deploymentId()))) {
      Running r = new Running(pid.name(), launcher, pid.deploymentId(), System.currentTimeMillis());
      byDeployment.put(pid.deploymentId(), r);
      byName.put(pid.name(), r);
    }
  }

  /**
   * A wrapped daemon's deployment ends, its {@code stop()} done ({@code failed} when it failed).
   *
   * @return a future completed once its end is dealt with (bounded by the request timeout; never failed)
   */
  Future<Void> ended(String deploymentId, boolean failed, String error) {
    deployed.remove(deploymentId);
    instances.remove(deploymentId);
    Running r = byDeployment.remove(deploymentId);
    if (r != null) {
      byName.remove(r.name(), r);
    }
    boolean ours = expected.remove(deploymentId) || closing;
    if (r == null || ours) {
      return Future.succeededFuture();
    }
    return exited(r, failed, error).timeout(2 * runtime.settings().requestTimeout(), TimeUnit.MILLISECONDS).otherwiseEmpty();
  }

  private Future<Void> exited(Running r, boolean failed, String error) {
    String how = failed ? "with a failure (" + error + ")" : "cleanly";
    return records.get(r.name()).compose(record -> {
      if (record == null || !record.launcher().equals(r.launcher())) {
        // a daemon its scanner declares (started again by the next reconciliation), or a stopped spawn
        log.info("[node={}] daemon '{}' ended on its own {}", self, r.name(), how);
        return Future.<Void>succeededFuture();
      }
      Launcher launcher = launchers.get(r.launcher());
      RestartPolicy policy = record.restart() != null ? record.restart()
        : launcher != null ? launcher.restart() : RestartPolicy.DEFAULT;
      if (policy.restarts(failed)) {
        log.info("[node={}] supervised spawn '{}' ended on its own {}: restart policy {} starts it again", self, r.name(),
          how, policy.wire());
        tellLeader(r, failed, error);
        return Future.<Void>succeededFuture();
      }
      return records.remove(record).<Void>map(removed -> {
        log.info("[node={}] supervised spawn '{}' ended on its own {}: restart policy {}, its record is removed", self,
          r.name(), how, policy.wire());
        return null;
      });
    }).onFailure(t -> log.warn("[node={}] supervised spawn '{}' ended on its own {}, and its record could not be handled"
      + " ({}): the leader may start it again", self, r.name(), how, t.getMessage()));
  }

  /** Tells the leader a spawn ended and is to be started again (it applies the backoff); best effort. */
  private void tellLeader(Running r, boolean failed, String error) {
    String leader = runtime.leader().node();
    if (leader == null) {
      return; // the next leader's reconciliation starts it
    }
    JsonObject body = new JsonObject().put("name", r.name()).put("launcher", r.launcher())
      .put("deploymentId", r.deploymentId()).put("failed", failed)
      .put("ranMs", Math.max(0, System.currentTimeMillis() - r.startedAt()));
    if (error != null) {
      body.put("error", error.length() > 500 ? error.substring(0, 500) : error);
    }
    DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, Action.DAEMON_EXITED.wire())
      .setSendTimeout(runtime.settings().requestTimeout());
    vertx.eventBus().request(Protocol.nodeAddress(leader), body, o)
      .onFailure(t -> log.debug("[node={}] could not tell leader {} that '{}' ended: {}", self, leader, r.name(), t.getMessage()));
  }

  /**
   * Action {@code daemon.stop}: undeploys this node's instance of a daemon of the given launcher.
   *
   * @return a future completed with {@code {stopped}} once it is undeployed (false: it does not run here);
   *   failed with 409 when the name runs here as a daemon of another launcher
   */
  Future<JsonObject> stop(JsonObject body) {
    String name = body.getString("name");
    String launcher = body.getString("launcher");
    String deploymentId = body.getValue("deploymentId") instanceof String id ? id : null;
    Running r = byName.get(name);
    if (r == null || (deploymentId != null && !deploymentId.equals(r.deploymentId()))) {
      return Future.succeededFuture(new JsonObject().put("stopped", false));
    }
    if (!r.launcher().equals(launcher)) {
      return Future.failedFuture(Protocol.failure(Protocol.CONFLICT, "'" + name + "' runs on " + self + " as a daemon of launcher '"
        + r.launcher() + "', not '" + launcher + "': not stopped"));
    }
    expect(r.deploymentId());
    log.info("[node={}] stopping supervised spawn '{}' on request", self, name);
    return vertx.undeploy(r.deploymentId()).transform(ar -> Future.succeededFuture(new JsonObject().put("stopped", true)));
  }

  /** @return what is wrong with the body of {@code daemon.stop} or {@code daemon.exited}, or null */
  static String invalid(Action action, JsonObject body) {
    String problem = dev.vxext.process.ProcessNames.problem(body.getValue("name") instanceof String n ? n : null);
    if (action == Action.DAEMON_STOP) {
      return !(body.getValue("launcher") instanceof String) || !(body.getValue("name") instanceof String)
        || (body.getValue("deploymentId") != null && !(body.getValue("deploymentId") instanceof String))
        ? "daemon.stop needs {\"launcher\": <name>, \"name\": <process name>, \"deploymentId\": <optional>}"
        : problem != null ? "invalid process name: name " + problem : null;
    }
    return !(body.getValue("name") instanceof String) || !(body.getValue("launcher") instanceof String)
      || !(body.getValue("deploymentId") instanceof String) || !(body.getValue("failed") instanceof Boolean) || !(body.getValue("ranMs") instanceof Number)
      || (body.getValue("error") != null && !(body.getValue("error") instanceof String))
      ? "daemon.exited needs {\"name\", \"launcher\", \"deploymentId\", \"failed\": <boolean>, \"ranMs\": <number>, \"error\": <optional>}"
      : problem != null ? "invalid process name: name " + problem : null;
  }
}
