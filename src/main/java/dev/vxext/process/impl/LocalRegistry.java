package dev.vxext.process.impl;

import dev.vxext.process.ExitReason;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessNames;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntBiFunction;

/**
 * The processes registered on this node: name to {@link ProcessId}, unique per node.
 * <p>
 * Confined to the whereis service's context (the node runtime's). Serves the local address {@value WhereIs#REGISTRY_ADDRESS}
 * ({@code reserve}, {@code commit}, {@code release}, {@code register}, {@code unregister},
 * {@code undeployed}, {@code retire}) and reports every change to its {@link Listener}; remembers why the
 * last registrations ended ({@link ExitReason}) for {@link #watch}.
 */
public final class LocalRegistry {

  private static final Logger log = LoggerFactory.getLogger(LocalRegistry.class);

  /** Receives every change, in order. */
  public interface Listener {
    void up(ProcessId process);

    void down(ProcessId process);
  }

  private final String node;
  private final LocalMap<String, ProcessId> processes;
  private final Listener listener;
  private final ToIntBiFunction<String, String> lanes;
  private final Set<String> reserved = new HashSet<>();
  private final Map<String, Integer> missing = new HashMap<>();
  /** Who waits for a registration to end, by name and deployment ({@link #key}): completed with why. */
  private final Map<String, List<Promise<ExitReason>>> watchers = new HashMap<>();
  /** Deployments registered by {@code ProcessDeployer}: they send {@code undeployed} when they stop. */
  private final Set<String> notifying = new HashSet<>();
  /** Why the last {@value ExitReason#REMEMBERED} registrations ended, by name and deployment. */
  private final Map<String, ExitReason> exits = new java.util.LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, ExitReason> eldest) {
      return size() > ExitReason.REMEMBERED;
    }
  };
  private long seq;

  /** @param lanes the call lane of a process (name, deploymentId) at its registration, see {@link CallLanes#laneOf(String, String)} */
  public LocalRegistry(String node, LocalMap<String, ProcessId> processes, Listener listener, ToIntBiFunction<String, String> lanes) {
    this.node = node;
    this.processes = processes;
    this.listener = listener;
    this.lanes = lanes;
  }

  /** @return the registered process of {@code name}, or null */
  public ProcessId get(String name) {
    return processes.get(name);
  }

  /** @return a snapshot of every registered process */
  public List<ProcessId> all() {
    return new ArrayList<>(processes.values());
  }

  /** Handles one request on the registry address; every path replies. */
  public void handle(Message<Object> msg) {
    String action = msg.headers().get(Protocol.ACTION_HEADER);
    try {
      if (!(msg.body() instanceof JsonObject body)) {
        throw Protocol.failure(Protocol.BAD_REQUEST, "registry request needs a JSON object body");
      }
      String name = body.getString("name");
      String deploymentId = body.getString("deploymentId");
      switch (action == null ? "" : action) {
        case "reserve" -> {
          reserve(name);
          msg.reply(new JsonObject().put("name", name));
        }
        case "commit" -> {
          ProcessId pid = commit(name, deploymentId);
          notifying.add(pid.deploymentId());
          msg.reply(pid.toJson());
        }
        case "release" -> {
          reserved.remove(name);
          msg.reply(new JsonObject());
        }
        case "register" -> {
          reserve(name);
          msg.reply(commit(name, deploymentId).toJson());
        }
        case "unregister" -> {
          unregister(name);
          msg.reply(new JsonObject());
        }
        case "undeployed" -> {
          undeployed(deploymentId);
          msg.reply(new JsonObject());
        }
        case "retire" -> {
          retire(name, deploymentId, body.getString("reason"));
          msg.reply(new JsonObject());
        }
        default -> throw Protocol.failure(Protocol.BAD_REQUEST, "unknown registry action '" + action + "'");
      }
    } catch (ReplyException e) {
      msg.fail(e.failureCode(), e.getMessage());
    } catch (ClassCastException e) {
      msg.fail(Protocol.BAD_REQUEST, "malformed registry request: " + e.getMessage());
    }
  }

  private void reserve(String name) {
    String problem = ProcessNames.registrationProblem(name);
    if (problem != null) {
      throw Protocol.failure(Protocol.BAD_REQUEST, "invalid process name: name " + problem);
    }
    ProcessId existing = processes.get(name);
    if (existing != null || reserved.contains(name)) {
      throw Protocol.failure(Protocol.CONFLICT, "process name '" + name + "' is already registered on node " + node
        + (existing == null ? " (being deployed)" : " by deployment " + existing.deploymentId()));
    }
    reserved.add(name);
  }

  private ProcessId commit(String name, String deploymentId) {
    if (name == null || !reserved.remove(name)) {
      throw Protocol.failure(Protocol.BAD_REQUEST, "process name '" + name + "' was not reserved");
    }
    if (deploymentId == null || deploymentId.isEmpty()) {
      throw Protocol.failure(Protocol.BAD_REQUEST, "deploymentId is required: register from a verticle's start()");
    }
    ProcessId pid = new ProcessId(node, name, deploymentId, System.currentTimeMillis(), ++seq, lanes.applyAsInt(name, deploymentId));
    processes.put(name, pid);
    log.debug("[node={}] registered {}", node, pid);
    listener.up(pid);
    return pid;
  }

  private void unregister(String name) {
    ProcessId pid = name == null ? null : processes.remove(name);
    if (pid == null) {
      throw Protocol.failure(Protocol.NOT_FOUND, "no process '" + name + "' is registered on node " + node);
    }
    listener.down(pid);
    notifyWatchers(pid, ExitReason.UNREGISTERED);
  }

  /**
   * Ends the registration of {@code name} by deployment {@code deploymentId} for {@code reason} (the daemon
   * service does, before it stops a daemon: a duplicate, a fence, a hand-off). Nothing happens when that
   * registration is gone already.
   */
  private void retire(String name, String deploymentId, String reason) {
    ExitReason why = ExitReason.of(reason);
    if (name == null || deploymentId == null || why == null) {
      throw Protocol.failure(Protocol.BAD_REQUEST, "retire needs {\"name\", \"deploymentId\", \"reason\"} with a reason of "
        + java.util.Arrays.stream(ExitReason.values()).map(ExitReason::wire).toList());
    }
    ProcessId pid = processes.get(name);
    if (pid != null && pid.deploymentId().equals(deploymentId) && processes.remove(name, pid)) {
      log.debug("[node={}] unregistered {} ({})", node, pid, why.wire());
      listener.down(pid);
      notifyWatchers(pid, why);
    }
  }

  /**
   * Answers {@code msg} ({@code {"name", "deploymentId"}}) once that process is no longer registered
   * here, with why ({@code {"gone": true, "reason": <ExitReason, lower case>}}): at once when it is not
   * (the reason remembered, or {@code unknown}), else when it goes.
   */
  public void watch(Message<Object> msg) {
    if (!(msg.body() instanceof JsonObject body) || body.getString("name") == null || body.getString("deploymentId") == null) {
      msg.fail(Protocol.BAD_REQUEST, "watch needs {\"name\", \"deploymentId\"}");
      return;
    }
    String name = body.getString("name");
    String deploymentId = body.getString("deploymentId");
    ProcessId pid = processes.get(name);
    if (pid == null || !pid.deploymentId().equals(deploymentId)) {
      msg.reply(gone(exits.getOrDefault(key(name, deploymentId), ExitReason.UNKNOWN)));
      return;
    }
    gone(pid).onSuccess(reason -> msg.reply(gone(reason)));
  }

  /**
   * @return a future completed, with why, once {@code pid} is no longer registered here (at once when it
   *   is not: the reason remembered, or {@code UNKNOWN})
   */
  public Future<ExitReason> gone(ProcessId pid) {
    String key = key(pid.name(), pid.deploymentId());
    if (!pid.equals(processes.get(pid.name()))) {
      return Future.succeededFuture(exits.getOrDefault(key, ExitReason.UNKNOWN));
    }
    Promise<ExitReason> gone = Promise.promise();
    watchers.computeIfAbsent(key, k -> new ArrayList<>()).add(gone);
    return gone.future();
  }

  /**
   * @return a future completed once every process registered here that tells the registry when it stops
   *   (those deployed by {@code ProcessDeployer}) is gone
   */
  public Future<Void> notifyingGone() {
    List<Future<ExitReason>> all = new ArrayList<>();
    for (ProcessId pid : all()) {
      if (notifying.contains(pid.deploymentId())) {
        all.add(gone(pid));
      }
    }
    return Future.join(all).mapEmpty();
  }

  private static String key(String name, String deploymentId) {
    return name + '\u0000' + deploymentId;
  }

  private static JsonObject gone(ExitReason reason) {
    return new JsonObject().put("gone", true).put("reason", reason.wire());
  }

  private void notifyWatchers(ProcessId pid, ExitReason reason) {
    String key = key(pid.name(), pid.deploymentId());
    exits.put(key, reason);
    notifying.remove(pid.deploymentId());
    List<Promise<ExitReason>> list = watchers.remove(key);
    if (list != null) {
      list.forEach(p -> p.tryComplete(reason));
    }
  }

  /** Removes every name of a deployment that is gone. */
  public void undeployed(String deploymentId) {
    if (deploymentId == null) return;
    for (ProcessId pid : all()) {
      if (pid.deploymentId().equals(deploymentId) && processes.remove(pid.name(), pid)) {
        log.debug("[node={}] unregistered {} (undeployed)", node, pid);
        listener.down(pid);
        notifyWatchers(pid, ExitReason.UNDEPLOYED);
      }
    }
  }

  /**
   * Periodic inspection: a registration whose deployment is missing from {@code live} twice in a row is
   * removed (twice, so a deployment still starting is not mistaken for a gone one).
   */
  public void inspect(Set<String> live) {
    Set<String> seen = new HashSet<>();
    for (ProcessId pid : all()) {
      if (live.contains(pid.deploymentId())) continue;
      seen.add(pid.deploymentId());
      if (missing.merge(pid.deploymentId(), 1, Integer::sum) >= 2) {
        log.info("[node={}] deployment {} of '{}' vanished; unregistering it", node, pid.deploymentId(), pid.name());
        undeployed(pid.deploymentId());
      }
    }
    missing.keySet().retainAll(seen);
  }

  /** Removes every registration (the extensions stop: the node leaves the cluster), reporting each. */
  public void clear() {
    for (ProcessId pid : all()) {
      if (processes.remove(pid.name(), pid)) {
        listener.down(pid);
        notifyWatchers(pid, ExitReason.NODE_LEFT);
      }
    }
    reserved.clear();
  }
}
