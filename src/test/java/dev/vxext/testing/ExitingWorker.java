package dev.vxext.testing;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link DaemonWorker} that ends on its own when told: a call with {@code {"exit": "clean"}} makes it
 * undeploy itself; {@code {"exit": "fail"}} makes it undeploy itself with a failing {@code stop()} (a crash,
 * see {@code RestartPolicy}). Counts the starts of each name in {@link #STARTS}.
 */
public class ExitingWorker extends DaemonWorker {

  public static final Map<String, AtomicInteger> STARTS = new ConcurrentHashMap<>();

  private volatile boolean failing;

  /** @return how many times {@code name} started */
  public static int starts(String name) {
    AtomicInteger n = STARTS.get(name);
    return n == null ? 0 : n.get();
  }

  @Override
  protected Future<?> onStart() {
    STARTS.computeIfAbsent(name(), k -> new AtomicInteger()).incrementAndGet();
    return super.onStart();
  }

  @Override
  protected void handle(Message<Object> message) {
    if (message.body() instanceof JsonObject body && body.getValue("exit") instanceof String how) {
      failing = how.equals("fail");
      message.reply(new JsonObject().put("exiting", how));
      vertx.undeploy(deploymentID());
      return;
    }
    super.handle(message);
  }

  @Override
  public Future<?> stop() {
    super.stop();
    return failing ? Future.failedFuture("crashed on purpose") : Future.succeededFuture();
  }
}
