package dev.vxext.examples;

import dev.vxext.process.ProcessVerticle;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trigger process of a cron job: logs every tick it receives
 * ({@code {job, scheduledAt, firedAt, node}}) and answers calls with how many it has seen.
 */
public class TickLogger extends ProcessVerticle {

  private static final Logger log = LoggerFactory.getLogger(TickLogger.class);

  private long ticks;

  @Override
  protected void handle(Message<Object> message) {
    if (message.body() instanceof JsonObject tick && tick.containsKey("job")) {
      ticks++;
      log.info("tick {} of job {} fired by {} ({} ms late)", tick.getLong("scheduledAt"), tick.getString("job"),
        tick.getString("node"), tick.getLong("firedAt") - tick.getLong("scheduledAt"));
      if (message.replyAddress() != null) message.reply(null);
    } else {
      message.reply(new JsonObject().put("ticks", ticks));
    }
  }
}
