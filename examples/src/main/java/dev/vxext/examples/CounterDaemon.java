package dev.vxext.examples;

import dev.vxext.process.ProcessVerticle;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * A daemon: counts the calls it receives, starting at {@code config().start} (default 0) and adding
 * {@code config().step} (default 1). Declared in {@code conf/node-*.json} under the launcher
 * {@code counter}; the leader keeps exactly one instance of each declared name running.
 */
public class CounterDaemon extends ProcessVerticle {

  private long count;

  @Override
  protected io.vertx.core.Future<?> onStart() {
    count = config().getLong("start", 0L);
    return io.vertx.core.Future.succeededFuture();
  }

  @Override
  protected void handle(Message<Object> message) {
    count += config().getLong("step", 1L);
    message.reply(new JsonObject().put("name", name()).put("count", count));
  }
}
