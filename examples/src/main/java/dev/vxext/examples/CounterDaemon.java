package dev.vxext.examples;

import dev.vxext.daemon.DaemonHandOff;
import dev.vxext.process.ProcessVerticle;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * A daemon: counts the calls it receives, starting at {@code config().start} (default 0) and adding
 * {@code config().step} (default 1). Declared in {@code conf/node-*.json} under the launcher
 * {@code counter}; the leader keeps exactly one instance of each declared name running. When its node
 * leaves gracefully it hands its count to its successor (after a crash the successor starts again from
 * {@code start}).
 */
public class CounterDaemon extends ProcessVerticle implements DaemonHandOff {

  private long count;

  // tag::handoff[]
  @Override
  protected Future<?> onStart() {
    JsonObject handed = config().getJsonObject(DaemonHandOff.CONFIG_KEY);   // from a predecessor that left
    count = handed != null ? handed.getLong("count") : config().getLong("start", 0L);
    return Future.succeededFuture();
  }

  @Override
  public Future<JsonObject> handOff() {                                     // its node leaves gracefully
    return Future.succeededFuture(new JsonObject().put("count", count));
  }
  // end::handoff[]

  @Override
  protected void handle(Message<Object> message) {
    count += config().getLong("step", 1L);
    message.reply(new JsonObject().put("name", name()).put("count", count));
  }
}
