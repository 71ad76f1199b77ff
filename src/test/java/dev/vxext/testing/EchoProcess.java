package dev.vxext.testing;

import dev.vxext.process.ProcessVerticle;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A test process: replies {@code {"from": name, "echo": body}}; a body {@code {"fail": code}} fails the
 * message with that code; every message is also recorded in {@link #RECEIVED} as "name:body".
 */
public class EchoProcess extends ProcessVerticle {

  public static final Queue<String> RECEIVED = new ConcurrentLinkedQueue<>();

  @Override
  protected void handle(Message<Object> message) {
    RECEIVED.add(name() + ":" + message.body());
    if (message.body() instanceof JsonObject body && body.containsKey("fail")) {
      message.fail(body.getInteger("fail"), "failed on purpose by " + name());
      return;
    }
    message.reply(new JsonObject().put("from", name()).put("echo", message.body()));
  }
}
