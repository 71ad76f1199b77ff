package dev.vxext.daemon.impl;

import dev.vxext.daemon.DaemonHandOff;
import dev.vxext.process.ProcessId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * State handed from a daemon to its successor across a planned move ({@link DaemonHandOff}), through the
 * cluster manager's map {@value #MAP} (key {@code {"handoff": <name>}}, value {@code {state, from, at}}):
 * <ul>
 *   <li>the leaving node collects the states before its daemons stop ({@link #collect}), stores them while
 *   they stop ({@link #store}) and names them in its {@code daemon.leaving} notice;</li>
 *   <li>the leader remembers those names ({@link #announced}) and flags their next spawn request
 *   ({@link #pending});</li>
 *   <li>the node spawning a flagged daemon takes the state into its config ({@link #take}) and removes it once
 *   the daemon runs ({@link #consumed}).</li>
 * </ul>
 * Every operation is bounded; a failure only means no state (logged). Host side thread-safe as far as the map
 * goes; the leader side is confined to the daemon verticle's context.
 */
final class HandOffStates {

  private static final Logger log = LoggerFactory.getLogger(HandOffStates.class);
  static final String MAP = "vxext.handoffs";
  /** Most names one leaving notice may announce. */
  static final int MAX_ANNOUNCED = 100_000;

  private final Vertx vertx;
  private final String self;
  private final long timeout;
  /** The node's daemons (host side), or null (leader side). */
  private final SpawnHost host;
  /** Leader side: names whose state was handed off, with when the notice came. */
  private final Map<String, Long> announced = new LinkedHashMap<>();

  HandOffStates(Vertx vertx, String self, long requestTimeout, SpawnHost host) {
    this.vertx = vertx;
    this.self = self;
    this.timeout = Math.max(1, requestTimeout / 4);
    this.host = host;
  }

  private static JsonObject key(String name) {
    return new JsonObject().put("handoff", name);
  }

  /** @return the states of those of {@code daemons} that hand one off (at most {@link DaemonHandOff#MAX_BYTES} each), by name */
  Future<Map<String, JsonObject>> collect(List<ProcessId> daemons) {
    Map<String, JsonObject> states = new HashMap<>();
    List<Future<Void>> all = new ArrayList<>();
    for (ProcessId pid : daemons) {
      SupervisedDeployable d = host.instance(pid.deploymentId());
      if (d == null || !d.handsOff()) {
        continue;
      }
      all.add(d.handOff().timeout(timeout, TimeUnit.MILLISECONDS).transform(ar -> {
        if (ar.failed()) {
          log.warn("[node={}] daemon '{}' handed no state off: {}", self, pid.name(), ar.cause().getMessage());
        } else if (ar.result() != null) {
          int bytes = ar.result().encode().getBytes(StandardCharsets.UTF_8).length;
          if (bytes > DaemonHandOff.MAX_BYTES) {
            log.warn("[node={}] daemon '{}' handed off a state of {} bytes, the limit is {}: refused, its successor"
              + " starts without one", self, pid.name(), bytes, DaemonHandOff.MAX_BYTES);
          } else {
            synchronized (states) {
              states.put(pid.name(), ar.result());
            }
          }
        }
        return Future.<Void>succeededFuture();
      }));
    }
    return Future.join(all).transform(ar -> Future.succeededFuture(states));
  }

  /** Stores {@code states}. @return the names stored (never failed) */
  Future<JsonArray> store(Map<String, JsonObject> states) {
    JsonArray stored = new JsonArray();
    if (states.isEmpty()) {
      return Future.succeededFuture(stored);
    }
    long now = System.currentTimeMillis();
    return map().compose(m -> {
      List<Future<Void>> puts = new ArrayList<>();
      states.forEach((name, state) -> puts.add(m.put(key(name), new JsonObject().put("state", state).put("from", self).put("at", now))
        .timeout(timeout, TimeUnit.MILLISECONDS)
        .onSuccess(v -> {
          synchronized (stored) {
            stored.add(name);
          }
        })
        .onFailure(t -> log.warn("[node={}] the state of daemon '{}' could not be stored ({}): its successor starts without one",
          self, name, t.getMessage()))));
      return Future.join(puts);
    }).transform(ar -> Future.succeededFuture(stored));
  }

  /** @return the state handed off to {@code name}, or null when none is there (or it is too old, or unreadable) */
  Future<JsonObject> take(String name) {
    return map().compose(m -> m.get(key(name))).timeout(timeout, TimeUnit.MILLISECONDS).transform(ar -> {
      if (ar.failed()) {
        log.warn("[node={}] the state handed off to '{}' could not be read ({}): it starts without one", self, name,
          ar.cause().getMessage());
        return Future.succeededFuture();
      }
      JsonObject entry = ar.result();
      if (entry == null || !(entry.getValue("state") instanceof JsonObject state) || !(entry.getValue("at") instanceof Number at)
        || System.currentTimeMillis() - at.longValue() > DaemonHandOff.MAX_AGE_MS) {
        return Future.succeededFuture();
      }
      return Future.succeededFuture(state);
    });
  }

  /** The successor of {@code name} runs: its state is removed (best effort). */
  void consumed(String name) {
    map().compose(m -> m.remove(key(name))).timeout(timeout, TimeUnit.MILLISECONDS)
      .onFailure(t -> log.debug("[node={}] the state handed off to '{}' was not removed: {}", self, name, t.getMessage()));
  }

  /** Leader side: a leaving node handed off the states of {@code names} (a JSON array of names; anything else is ignored). */
  void announced(Object names) {
    if (!(names instanceof JsonArray array)) {
      return;
    }
    long now = System.currentTimeMillis();
    announced.values().removeIf(at -> now - at > DaemonHandOff.MAX_AGE_MS);
    for (int i = 0; i < Math.min(array.size(), MAX_ANNOUNCED); i++) {
      if (array.getValue(i) instanceof String name && announced.size() < MAX_ANNOUNCED) {
        announced.put(name, now);
      }
    }
  }

  /** Leader side: @return true when the next spawn of {@code name} is to take a state handed off to it */
  boolean pending(String name) {
    Long at = announced.get(name);
    return at != null && System.currentTimeMillis() - at <= DaemonHandOff.MAX_AGE_MS;
  }

  /** Leader side: {@code name} was placed. */
  void placed(String name) {
    announced.remove(name);
  }

  private Future<AsyncMap<JsonObject, JsonObject>> map() {
    return vertx.sharedData().getAsyncMap(MAP);
  }
}
