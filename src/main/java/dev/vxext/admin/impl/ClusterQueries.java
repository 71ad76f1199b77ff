package dev.vxext.admin.impl;

import dev.vxext.addressbook.NodeEntry;
import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.runtime.NodeRuntime;
import dev.vxext.protocol.Action;
import dev.vxext.addressbook.impl.MembershipView;
import dev.vxext.cluster.LeaderInfo;
import dev.vxext.process.ProcessNames;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The answers of the admin API, gathered over the event bus from this node's services and, for
 * cluster-wide lists, from every member's node address (a member that does not answer within the request
 * timeout is listed under {@code unreachable}). Failures are {@code ReplyException}s with the codes of
 * {@link WhereIs}.
 */
final class ClusterQueries {

  /** Most daemons whose current node is looked up for one {@code /api/daemons} answer. */
  static final int MAX_DAEMONS_SHOWN = 1_000;

  private final NodeRuntime runtime;
  private final Vertx vertx;
  private final String self;
  private final long timeout;
  private final BookMaps maps;

  ClusterQueries(NodeRuntime runtime) {
    this.runtime = runtime;
    this.vertx = runtime.vertx();
    this.self = runtime.name();
    this.timeout = runtime.settings().requestTimeout();
    this.maps = runtime.maps();
  }

  /** @return the members, the leader marked */
  JsonObject nodes() {
    MembershipView view = maps.view();
    LeaderInfo leader = runtime.leader();
    JsonArray nodes = new JsonArray();
    for (NodeEntry n : view.nodes()) {
      nodes.add(n.toJson().put("leader", n.name().equals(leader.node())).put("self", n.name().equals(self)));
    }
    return new JsonObject().put("self", self).put("leader", leader.node()).put("epoch", leader.epoch()).put("nodes", nodes);
  }

  /** @return the processes registered on {@code node}, or on every member when it is null */
  Future<JsonObject> processes(String node) {
    List<String> targets;
    if (node == null) {
      targets = maps.view().names();
    } else {
      String problem = ProcessNames.problem(node);
      if (problem != null) {
        return Future.failedFuture(Protocol.failure(Protocol.BAD_REQUEST, "invalid node name: name " + problem));
      }
      if (!maps.view().contains(node)) {
        return Future.failedFuture(Protocol.failure(Protocol.NOT_FOUND, "no node named '" + node + "' in the cluster"));
      }
      targets = List.of(node);
    }
    return gather(targets, Action.PROCESSES, null).map(answers -> {
      JsonArray processes = new JsonArray();
      answers.answered.forEach((n, body) -> ((JsonObject) body).getJsonArray("processes", new JsonArray()).forEach(processes::add));
      return new JsonObject().put("processes", processes).put("unreachable", answers.unreachable());
    });
  }

  /** @return where {@code name} runs */
  Future<JsonObject> locate(String name) {
    String problem = ProcessNames.problem(name);
    if (problem != null) {
      return Future.failedFuture(Protocol.failure(Protocol.BAD_REQUEST, "invalid process name: name " + problem));
    }
    return runtime.lookup(name, timeout).map(p -> p.toJson());
  }

  /**
   * @return the daemons as the leader last reconciled them, with the node each runs on now; the counts
   *   {@code running}, {@code missing} and {@code unknown} are those of the listed daemons now, and
   *   {@code reconciliation} holds what the leader's last reconciliation did ({@code running}: found
   *   running, {@code spawned}, {@code failed}, {@code backoff})
   */
  Future<JsonObject> daemons() {
    LeaderInfo leader = runtime.leader();
    if (leader.node() == null) {
      return Future.failedFuture(Protocol.failure(Protocol.NOT_READY, "no leader is known yet"));
    }
    DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, Action.DAEMON_LIST.wire()).setSendTimeout(timeout);
    return vertx.eventBus().<JsonObject>request(Protocol.nodeAddress(leader.node()), new JsonObject(), o)
      .recover(t -> Future.failedFuture(Protocol.hasCode(t, Protocol.MISDIRECTED)
        ? Protocol.failure(Protocol.NOT_READY, "leadership is changing: " + t.getMessage()) : t))
      .compose(m -> {
        JsonObject report = m.body();
        JsonArray daemons = report.getJsonArray("daemons", new JsonArray());
        List<Future<Void>> lookups = new ArrayList<>();
        for (int i = 0; i < Math.min(daemons.size(), MAX_DAEMONS_SHOWN); i++) {
          JsonObject d = daemons.getJsonObject(i);
          lookups.add(runtime.lookup(d.getString("name"), timeout).transform(ar -> {
            if (ar.succeeded()) {
              d.put("node", ar.result().node()).put("state", "running");
            } else if (Protocol.hasCode(ar.cause(), Protocol.NOT_FOUND)) {
              d.putNull("node").put("state", "missing");
            } else {
              d.put("state", "unknown");
            }
            return Future.<Void>succeededFuture();
          }));
        }
        if (daemons.size() > MAX_DAEMONS_SHOWN) {
          report.put("daemons", new JsonArray(daemons.getList().subList(0, MAX_DAEMONS_SHOWN))).put("truncated", true);
        }
        return Future.join(lookups).map(v -> counted(report));
      });
  }

  /**
   * The leader's counts are those of its last reconciliation: a daemon it placed counts as spawned, not as
   * running, so they would contradict the states just looked up; they move under {@code reconciliation}.
   */
  private static JsonObject counted(JsonObject report) {
    JsonObject reconciliation = new JsonObject();
    for (String key : List.of("running", "spawned", "failed", "backoff")) {
      if (report.containsKey(key)) {
        reconciliation.put(key, report.remove(key));
      }
    }
    Map<String, Integer> states = new TreeMap<>(Map.of("running", 0, "missing", 0, "unknown", 0));
    for (Object o : report.getJsonArray("daemons", new JsonArray())) {
      states.merge(((JsonObject) o).getString("state", "unknown"), 1, Integer::sum);
    }
    states.forEach(report::put);
    return report.put("reconciliation", reconciliation);
  }

  /** @return every node's cron jobs, merged by job name */
  Future<JsonObject> cron() {
    return gather(maps.view().names(), Action.CRON_LIST, null).map(answers -> {
      Map<String, JsonObject> jobs = new TreeMap<>();
      answers.answered.forEach((node, body) -> {
        for (Object o : (JsonArray) body) {
          JsonObject job = (JsonObject) o;
          JsonObject merged = jobs.computeIfAbsent(job.getString("name"), k -> job.copy()
            .put("nodes", new JsonArray()).put("fired", 0L).put("missed", 0L).put("nextFireAt", 0L));
          merged.getJsonArray("nodes").add(node);
          merged.put("fired", merged.getLong("fired") + job.getLong("fired", 0L));
          merged.put("missed", merged.getLong("missed") + job.getLong("missed", 0L));
          long next = job.getLong("nextFireAt", 0L);
          if (next > 0 && (merged.getLong("nextFireAt") == 0 || next < merged.getLong("nextFireAt"))) {
            merged.put("nextFireAt", next);
          }
        }
      });
      return new JsonObject().put("jobs", new JsonArray(new ArrayList<>(jobs.values()))).put("unreachable", answers.unreachable());
    });
  }

  /** The answers of several nodes to one action. */
  private record Answers(Map<String, Object> answered, JsonArray unreachable) {
  }

  private Future<Answers> gather(List<String> nodes, Action action, JsonObject body) {
    Map<String, Object> answered = new LinkedHashMap<>();
    JsonArray unreachable = new JsonArray();
    List<Future<Void>> all = new ArrayList<>();
    DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, action.wire()).setSendTimeout(timeout);
    for (String node : nodes) {
      all.add(vertx.eventBus().request(Protocol.nodeAddress(node), body == null ? new JsonObject() : body, o)
        .transform(ar -> {
          if (ar.succeeded()) {
            answered.put(node, ((Message<?>) ar.result()).body());
          } else {
            unreachable.add(new JsonObject().put("node", node).put("error", String.valueOf(ar.cause().getMessage())));
          }
          return Future.<Void>succeededFuture();
        }));
    }
    return Future.join(all).map(v -> new Answers(answered, unreachable));
  }
}
