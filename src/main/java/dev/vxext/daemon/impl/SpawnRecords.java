package dev.vxext.daemon.impl;

import dev.vxext.daemon.SupervisedSpawn;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The records of the supervised spawns, in the cluster manager's map {@value #MAP}: key {@code {"spawn":
 * <name>}}, value {@link SupervisedSpawn#toJson()}. Both are JSON objects, so the cluster manager stores them
 * in their JSON form (vertx-zookeeper would write a {@code String} key with Java serialization). No TTL: on
 * ZooKeeper they are persistent znodes, kept while the whole cluster is down; on Hazelcast they live as long
 * as one member does.
 * <p>
 * Every operation completes within the request timeout (vertx-zookeeper's map leaves a future pending on
 * some ZooKeeper errors); a failure is a 503 that says to try again. An entry that is not a valid record is
 * ignored. Usable from any context.
 */
final class SpawnRecords {

  /** The name of the cluster-wide map. */
  static final String MAP = "vxext.spawns";
  /**
   * An entry that is never removed: vertx-zookeeper deletes a map's parent znode with its last entry, and its
   * {@code entries()} then never completes; this entry keeps the parent.
   */
  private static final JsonObject ANCHOR = new JsonObject().put("anchor", MAP);

  private final Vertx vertx;
  private final long timeout;
  private volatile Future<AsyncMap<JsonObject, JsonObject>> map;
  private volatile boolean anchored;

  SpawnRecords(Vertx vertx, long timeout) {
    this.vertx = vertx;
    this.timeout = timeout;
  }

  private static JsonObject key(String name) {
    return new JsonObject().put("spawn", name);
  }

  /** @return a future completed with the record of {@code name}, or null when there is none */
  Future<SupervisedSpawn> get(String name) {
    return bounded(map().compose(m -> m.get(key(name))), "read the record of '" + name + "'")
      .map(json -> record(name, json));
  }

  /**
   * Records {@code spawn} unless {@code spawn.name()} has a record already.
   *
   * @return a future completed with the record in place: {@code spawn} itself, or the one that was there first
   */
  Future<SupervisedSpawn> create(SupervisedSpawn spawn) {
    JsonObject value = spawn.toJson();
    return bounded(map().compose(m -> m.putIfAbsent(key(spawn.name()), value)
      // two racing creations may both be told they put (vertx-zookeeper reads, then creates): read back
      .compose(previous -> m.get(key(spawn.name())))), "record spawn '" + spawn.name() + "'")
      .compose(json -> {
        SupervisedSpawn now = record(spawn.name(), json);
        return now != null ? Future.succeededFuture(now) : Future.failedFuture(Protocol.failure(Protocol.NOT_READY,
          "the record of spawn '" + spawn.name() + "' is unreadable or was removed meanwhile; try again"));
      });
  }

  /** Removes the record of {@code spawn} if it is still that one. @return true when it was removed */
  Future<Boolean> remove(SupervisedSpawn spawn) {
    return bounded(map().compose(m -> m.removeIfPresent(key(spawn.name()), spawn.toJson())), "remove the record of '"
      + spawn.name() + "'");
  }

  /** @return a future completed with every record, by name */
  Future<List<SupervisedSpawn>> all() {
    return bounded(map().compose(m -> anchor(m).compose(v -> m.entries())), "read the spawn records").map(entries -> {
      List<SupervisedSpawn> list = new ArrayList<>();
      for (Map.Entry<JsonObject, JsonObject> e : entries.entrySet()) {
        Object key = e.getKey();
        if (key instanceof JsonObject k && k.getValue("spawn") instanceof String name) {
          SupervisedSpawn s = record(name, e.getValue());
          if (s != null) {
            list.add(s);
          }
        }
      }
      list.sort(Comparator.comparing(SupervisedSpawn::name));
      return list;
    });
  }

  private Future<Void> anchor(AsyncMap<JsonObject, JsonObject> m) {
    if (anchored) {
      return Future.succeededFuture();
    }
    return m.putIfAbsent(ANCHOR, new JsonObject()).<Void>mapEmpty().onSuccess(v -> anchored = true);
  }

  /** @return the record stored for {@code name}, or null when {@code json} is none or not valid */
  private static SupervisedSpawn record(String name, Object json) {
    if (!(json instanceof JsonObject j)) {
      return null;
    }
    SupervisedSpawn s = SupervisedSpawn.fromJson(j);
    return s != null && s.name().equals(name) ? s : null;
  }

  private Future<AsyncMap<JsonObject, JsonObject>> map() {
    Future<AsyncMap<JsonObject, JsonObject>> m = map;
    if (m != null && m.succeeded()) {
      return m;
    }
    Future<AsyncMap<JsonObject, JsonObject>> f = vertx.sharedData().getAsyncMap(MAP);
    map = f;
    return f;
  }

  private <T> Future<T> bounded(Future<T> op, String what) {
    return op.timeout(timeout, TimeUnit.MILLISECONDS).recover(t -> Future.failedFuture(Protocol.failure(Protocol.NOT_READY,
      "cannot " + what + " in the cluster manager now (" + t.getMessage() + "); try again soon")));
  }
}
