package dev.vxext.examples;

import dev.vxext.process.ProcessVerticle;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * A named process that answers {@code {"greeting": "hello <body>", "from": <name>}}. Register it with
 * {@code node.register("greeter", Greeter::new, options)} and call it by name from any node.
 */
public class Greeter extends ProcessVerticle {

  @Override
  protected void handle(Message<Object> message) {
    message.reply(new JsonObject().put("greeting", "hello " + message.body()).put("from", name())
      .put("node", config().getString("node", "")));
  }
}
