package dev.vxext.daemon.impl;

import dev.vxext.daemon.SupervisedSpawn;
import dev.vxext.process.ProcessNames;
import dev.vxext.protocol.Protocol;
import dev.vxext.runtime.NodeRuntime;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The supervised spawns on the daemon service's local address {@value Protocol#DAEMON_ADDRESS}: action
 * {@code spawns} ({@code {}} or {@code {"launcher": <name>}}) answers {@code {"spawns": [SupervisedSpawn
 * JSON...]}}; action {@code stop} ({@code {"launcher": <name>, "name": <process name>}}) answers
 * {@code {"ok": true}} as {@link dev.vxext.daemon.Spawner#stop} does. Bad input fails with 400 and changes
 * nothing; other failures carry the codes of {@code Spawner}.
 */
final class SpawnApi {

  private final NodeRuntime runtime;
  private final SpawnRecords records;

  SpawnApi(NodeRuntime runtime) {
    this.runtime = runtime;
    this.records = new SpawnRecords(runtime.vertx(), runtime.settings().requestTimeout());
  }

  /** @return true for the actions this class serves */
  static boolean handles(String action) {
    return "spawns".equals(action) || "stop".equals(action);
  }

  /** Serves one request; every path replies. */
  void handle(String action, Message<Object> msg) {
    Object raw = msg.body() == null && "spawns".equals(action) ? new JsonObject() : msg.body();
    if (!(raw instanceof JsonObject body)) {
      msg.fail(Protocol.BAD_REQUEST, "daemon action '" + action + "' needs a JSON object body");
      return;
    }
    Object launcher = body.getValue("launcher");
    if ("spawns".equals(action)) {
      if (launcher != null && (!(launcher instanceof String l) || !ProcessNames.isValid(l))) {
        msg.fail(Protocol.BAD_REQUEST, "spawns takes {\"launcher\": <an optional launcher name>}");
        return;
      }
      Future<List<SupervisedSpawn>> list = launcher == null ? records.all() : new SpawnerImpl(runtime, (String) launcher).list();
      reply(msg, list.map(all -> {
        JsonArray array = new JsonArray();
        all.forEach(s -> array.add(s.toJson()));
        return new JsonObject().put("spawns", array);
      }));
      return;
    }
    if (!(launcher instanceof String l) || !ProcessNames.isValid(l) || !(body.getValue("name") instanceof String name)) {
      msg.fail(Protocol.BAD_REQUEST, "stop needs {\"launcher\": <launcher name>, \"name\": <process name>}");
      return;
    }
    reply(msg, new SpawnerImpl(runtime, l).stop(name).map(v -> new JsonObject().put("ok", true)));
  }

  private static void reply(Message<Object> msg, Future<JsonObject> answer) {
    answer.onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(ar.result());
      } else {
        msg.fail(Protocol.codeOf(ar.cause()), String.valueOf(ar.cause().getMessage()));
      }
    });
  }
}
