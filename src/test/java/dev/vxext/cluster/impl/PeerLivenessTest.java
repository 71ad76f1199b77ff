package dev.vxext.cluster.impl;

import dev.vxext.addressbook.NodeEntry;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The liveness watch with real sockets: a member whose connections close and whose port then refuses
 * connections is proven gone at once; one whose connection closes while its port still accepts is not;
 * one proven gone that listens again is back, unless another member took its name or address.
 */
class PeerLivenessTest {

  private Vertx vertx;
  private Context context;
  private PeerLiveness liveness;
  private final List<String> gone = new CopyOnWriteArrayList<>();
  private final List<String> back = new CopyOnWriteArrayList<>();
  private final AtomicBoolean replaced = new AtomicBoolean();
  private final List<NetSocket> accepted = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    liveness = new PeerLiveness(vertx, "watcher", new NetClientOptions(), gone::add, back::add, n -> replaced.get());
  }

  @AfterEach
  void stop() {
    onContext(liveness::close);
    await(vertx.close());
  }

  private static NodeEntry node(String name, int port) {
    return new NodeEntry(name, name + "-id", "127.0.0.1", port, 0, List.of(), List.of());
  }

  private void onContext(Runnable r) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      r.run();
      done.complete();
    });
    await(done.future());
  }

  private NetServer listen(int port) {
    return await(vertx.createNetServer().connectHandler(accepted::add).listen(port, "127.0.0.1"));
  }

  /** What a crash does: the listening socket closes and the kernel closes every connection. */
  private void crash(NetServer server) {
    await(server.close());
    accepted.forEach(NetSocket::close);
    accepted.clear();
  }

  @Test
  void aMemberWhosePortRefusesConnectionsIsProvenGoneAtOnce() {
    NetServer server = listen(0);
    int port = server.actualPort();
    onContext(() -> liveness.watch(node("crashy", port)));
    await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() == 1);
    long crashed = System.currentTimeMillis();
    crash(server);
    await().atMost(Duration.ofSeconds(10)).until(() -> gone.contains("crashy-id"));
    System.out.printf("LIVENESS proven gone %d ms after the crash%n", System.currentTimeMillis() - crashed);
    onContext(() -> assertThat(liveness.proven("crashy-id")).isTrue());
    assertThat(back).isEmpty();
  }

  @Test
  void aClosedConnectionToALivePortProvesNothing() {
    NetServer server = listen(0);
    onContext(() -> liveness.watch(node("alive", server.actualPort())));
    await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() == 1);
    accepted.get(0).close();
    // the watch connects again: the node is alive
    await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() == 2);
    assertThat(gone).isEmpty();
    onContext(() -> assertThat(liveness.proven("alive-id")).isFalse());
    await(server.close());
  }

  @Test
  void aMemberProvenGoneThatListensAgainIsBackAfterTwoProbes() {
    NetServer server = listen(0);
    int port = server.actualPort();
    onContext(() -> liveness.watch(node("flaky", port)));
    await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() == 1);
    crash(server);
    await().atMost(Duration.ofSeconds(10)).until(() -> gone.contains("flaky-id"));
    NetServer again = listen(port);
    await().atMost(Duration.ofSeconds(10)).until(() -> back.contains("flaky-id"));
    // two probes accepted before it is believed back, then the new watch (connected just after)
    await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() >= 3);
    assertThat(accepted.size()).as("probes before it was believed back, then the new watch").isGreaterThanOrEqualTo(3);
    onContext(() -> assertThat(liveness.proven("flaky-id")).isFalse());
    await(again.close());
  }

  @Test
  void aMemberProvenGoneWhoseAddressAnotherMemberTookStaysGone() {
    NetServer server = listen(0);
    int port = server.actualPort();
    onContext(() -> liveness.watch(node("old", port)));
    await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() == 1);
    crash(server);
    await().atMost(Duration.ofSeconds(10)).until(() -> gone.contains("old-id"));
    replaced.set(true);
    NetServer other = listen(port);
    await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() >= 1);
    // no more probes once it is known replaced; it stays gone until the cluster manager forgets it
    int probes = accepted.size();
    await().pollDelay(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(5)).until(() -> true);
    assertThat(accepted.size()).isEqualTo(probes);
    assertThat(back).isEmpty();
    onContext(() -> {
      assertThat(liveness.proven("old-id")).isTrue();
      liveness.retainOnly(java.util.Set.of());
      assertThat(liveness.proven("old-id")).isFalse();
    });
    await(other.close());
  }

  @Test
  void onlyARefusalCountsAsProof() {
    assertThat(PeerLiveness.refused(new java.net.ConnectException("Connection refused: /127.0.0.1:1"))).isTrue();
    assertThat(PeerLiveness.refused(new io.netty.channel.ConnectTimeoutException("connection timed out"))).isFalse();
    assertThat(PeerLiveness.refused(new java.net.ConnectException("No route to host"))).isFalse();
  }
}
