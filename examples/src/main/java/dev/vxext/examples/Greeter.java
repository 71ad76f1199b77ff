package dev.vxext.examples;

import dev.vxext.process.ProcessVerticle;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * A named process that answers {@code {"greeting": "hello <who>", "from": <name>, "node": <config.node>}}, where
 * {@code who} is the body's {@code name} when the body is a JSON object, else the body. Register it with
 * {@code node.register("greeter", Greeter::new, options)} and call it by name from any node.
 */
public class Greeter extends ProcessVerticle {

  @Override
  protected void handle(Message<Object> message) {
    Object body = message.body();
    Object who = body instanceof JsonObject json && json.containsKey("name") ? json.getValue("name") : body;
    message.reply(new JsonObject().put("greeting", "hello " + who).put("from", name())
      .put("node", config().getString("node", "")));
  }
}
