package dev.vxext.daemon.impl;

import dev.vxext.addressbook.NodeEntry;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The failover gate with real sockets: a lost node whose event-bus port refuses connections opens the gate
 * at once; one that still accepts them, or whose address is unknown, keeps it closed for the delay.
 */
class FailoverGateTest {

  private static final long DELAY = 60_000;

  private Vertx vertx;
  private io.vertx.core.Context context;
  private FailoverGate gate;
  private final AtomicInteger opened = new AtomicInteger();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    gate = new FailoverGate(vertx, "leader", DELAY, opened::incrementAndGet);
  }

  @AfterEach
  void stop() {
    onContext(gate::close);
    await(vertx.close());
  }

  private static NodeEntry node(String name, int port) {
    return new NodeEntry(name, name + "-id", port > 0 ? "127.0.0.1" : null, port, 0, List.of(), List.of());
  }

  /** Runs {@code r} on the gate's context (it is confined to one) and waits for it. */
  private void onContext(Runnable r) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> {
      r.run();
      done.complete();
    });
    await(done.future());
  }

  @Test
  void aRefusedPortOpensTheGateAtOnce() {
    NetServer server = await(vertx.createNetServer().connectHandler(s -> { }).listen(0, "127.0.0.1"));
    int port = server.actualPort();
    await(server.close());
    onContext(() -> gate.lost("crashed", node("crashed", port)));
    await().atMost(Duration.ofSeconds(10)).until(() -> opened.get() == 1);
    onContext(() -> assertThat(gate.closedUntil()).isZero());
  }

  @Test
  void aLiveOrUnknownNodeKeepsTheGateClosedForTheDelay() {
    AtomicInteger accepted = new AtomicInteger();
    NetServer server = await(vertx.createNetServer().connectHandler(s -> accepted.incrementAndGet()).listen(0, "127.0.0.1"));
    long before = System.currentTimeMillis();
    onContext(() -> gate.lost("alive", node("alive", server.actualPort())));
    onContext(() -> gate.lost("unknown", node("unknown", 0)));
    await().atMost(Duration.ofSeconds(10)).until(() -> accepted.get() == 1);
    assertThat(opened.get()).isZero();
    onContext(() -> assertThat(gate.closedUntil()).isGreaterThanOrEqualTo(before + DELAY));
    // a node that comes back (it fenced, then joined again) no longer holds it
    onContext(() -> {
      gate.clear("alive");
      assertThat(gate.closedUntil()).as("the unknown node still holds it").isGreaterThanOrEqualTo(before + DELAY);
      gate.clear("unknown");
      assertThat(gate.closedUntil()).isZero();
    });
  }

  @Test
  void onlyARefusalCountsAsGone() {
    assertThat(FailoverGate.refused(new ConnectException("Connection refused: /127.0.0.1:1"))).isTrue();
    assertThat(FailoverGate.refused(new io.netty.channel.ConnectTimeoutException("connection timed out: /10.0.0.1:1"))).isFalse();
    assertThat(FailoverGate.refused(new ConnectException("No route to host"))).isFalse();
    assertThat(FailoverGate.refused(new RuntimeException("refused"))).isFalse();
  }

  @Test
  void aZeroDelayNeverCloses() {
    FailoverGate open = new FailoverGate(vertx, "leader", 0, opened::incrementAndGet);
    open.lost("x", node("x", 1));
    assertThat(open.closedUntil()).isZero();
    assertThat(opened.get()).isZero();
  }
}
