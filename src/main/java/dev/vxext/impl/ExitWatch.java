package dev.vxext.impl;

import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.cluster.MembershipEvent;
import dev.vxext.process.ExitReason;
import dev.vxext.process.ProcessId;
import dev.vxext.protocol.Action;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

import java.util.function.BooleanSupplier;

/**
 * Waits for a process to be gone and tells why ({@code awaitExit}, {@code awaitExitReason}): asks the node
 * that runs it ({@link Action#WATCH}, answered with the reason once its registration ends), and listens
 * for that node leaving the cluster. A watch that times out or fails while the node is still a member is
 * asked again.
 */
final class ExitWatch {

  /** How long one watch request waits for its answer before it is asked again, ms. */
  private static final long WATCH_TIMEOUT = 3_600_000;

  private final Vertx vertx;
  private final String self;
  private final BookMaps maps;
  private final BooleanSupplier open;

  /** @param open whether this node is still open (a closed one stops watching) */
  ExitWatch(Vertx vertx, String self, BookMaps maps, BooleanSupplier open) {
    this.vertx = vertx;
    this.self = self;
    this.maps = maps;
    this.open = open;
  }

  /** @return a future completed with why {@code process} is gone (at once when its node is not a member) */
  Future<ExitReason> exitOf(ProcessId process) {
    Promise<ExitReason> gone = Promise.promise();
    if (!maps.view().contains(process.node())) {
      gone.complete(ExitReason.NODE_LEFT);
      return gone.future();
    }
    MessageConsumer<JsonObject> left = vertx.eventBus().localConsumer(Protocol.MEMBERSHIP_ADDRESS, m -> {
      MembershipEvent e = MembershipEvent.fromJson(m.body());
      if (e.type() == MembershipEvent.Type.LEFT && e.node().equals(process.node())) {
        gone.tryComplete(ExitReason.NODE_LEFT);
      }
    });
    watch(process, gone);
    return gone.future().andThen(ar -> left.unregister());
  }

  private void watch(ProcessId process, Promise<ExitReason> gone) {
    if (gone.future().isComplete()) return;
    DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, Action.WATCH.wire()).setSendTimeout(WATCH_TIMEOUT);
    JsonObject body = new JsonObject().put("name", process.name()).put("deploymentId", process.deploymentId());
    vertx.eventBus().<Object>request(Protocol.nodeAddress(process.node()), body, o).onComplete(ar -> {
      if (ar.succeeded()) {
        gone.tryComplete(reason(ar.result().body()));
      } else if (ar.cause() instanceof ReplyException e && e.failureType() == ReplyFailure.NO_HANDLERS
        && !maps.view().contains(process.node())) {
        gone.tryComplete(ExitReason.NODE_LEFT);
      } else if (open.getAsBoolean()) {
        vertx.setTimer(ar.cause() instanceof ReplyException e && e.failureType() == ReplyFailure.TIMEOUT ? 1 : 500,
          t -> watch(process, gone));
      } else {
        gone.tryFail(Protocol.failure(Protocol.NOT_READY, "node " + self + " is closed"));
      }
    });
  }

  /** @return the reason in a watch answer; {@link ExitReason#UNKNOWN} when it names none */
  private static ExitReason reason(Object answer) {
    ExitReason r = answer instanceof JsonObject json ? ExitReason.of(json.getString("reason")) : null;
    return r == null ? ExitReason.UNKNOWN : r;
  }
}
