package dev.vxext.process;

import dev.vxext.process.impl.DirectDelivery;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * A convenient base for a named process: it consumes on the local event-bus address equal to its
 * registered name and hands each message to {@link #handle(Message)}.
 * <p>
 * Deploy it with {@code ClusterNode.register(name, MyProcess::new, options)}; messages sent with
 * {@code node.call(name, ...)} or {@code node.send(name, ...)} from any node reach {@link #handle(Message)}.
 */
public abstract class ProcessVerticle extends VerticleBase {

  private MessageConsumer<Object> consumer;

  /** @return the name this process is registered under */
  public String name() {
    String name = Processes.nameOf(context);
    if (name == null) {
      throw new IllegalStateException("not deployed through ClusterNode.register or a launcher: no process name");
    }
    return name;
  }

  @Override
  public Future<?> start() throws Exception {
    String name = name();
    MessageConsumer<Object> c = vertx.eventBus().localConsumer(name, this::handle);
    consumer = c;
    c.endHandler(v -> DirectDelivery.remove(vertx, name, c));
    return c.completion().compose(v -> {
      DirectDelivery.add(vertx, name, context, c, this::handle);
      return onStart();
    });
  }

  /**
   * Called once the process consumes its address.
   *
   * @return a future completed when the process is ready
   */
  protected Future<?> onStart() {
    return Future.succeededFuture();
  }

  /**
   * Handles one message sent to this process; reply with {@code message.reply(...)} or fail it with
   * {@code message.fail(code, text)}: callers on other nodes receive the same reply or failure code.
   */
  protected abstract void handle(Message<Object> message);
}
