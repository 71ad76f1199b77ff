package dev.vxext.testing;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link TcpProxy}: forwarding, a blackhole that holds bytes both ways and delivers them on heal, refuse
 * (the process behind looks crashed) and heal on the same port, and {@code blackholeFrom} between two
 * clustered Vert.x nodes, each behind its own event-bus proxy (advertised with {@code clusterPublicPort}).
 */
class TcpProxyTest {

  private static final int READ_TIMEOUT_MS = 300;

  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception ignored) {
        // closing anyway
      }
    }
  }

  @Test
  void forwardsBothWays() throws Exception {
    TcpProxy proxy = track(TcpProxy.start("echo", echoServer()));
    try (Socket s = connect(proxy)) {
      assertThat(roundTrip(s, "hello")).isEqualTo("hello");
      assertThat(roundTrip(s, "again")).isEqualTo("again");
      assertThat(proxy.connections()).isEqualTo(1);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> proxy.connections() == 0);
  }

  @Test
  void blackholeHoldsBytesAndHealDeliversThem() throws Exception {
    TcpProxy proxy = track(TcpProxy.start("echo", echoServer()));
    try (Socket open = connect(proxy)) {
      assertThat(roundTrip(open, "before")).isEqualTo("before");
      proxy.blackhole();
      write(open, "held");
      assertThatThrownBy(() -> read(open, 4)).isInstanceOf(SocketTimeoutException.class);
      // a new connection is accepted (a partition does not refuse) but nothing flows either
      try (Socket fresh = connect(proxy)) {
        write(fresh, "new!");
        assertThatThrownBy(() -> read(fresh, 4)).isInstanceOf(SocketTimeoutException.class);
        proxy.heal();
        open.setSoTimeout(5_000);
        fresh.setSoTimeout(5_000);
        assertThat(read(open, 4)).isEqualTo("held");
        assertThat(read(fresh, 4)).isEqualTo("new!");
      }
      assertThat(roundTrip(open, "after")).isEqualTo("after");
    }
  }

  @Test
  void refuseLooksCrashedAndHealListensAgainOnTheSamePort() throws Exception {
    TcpProxy proxy = track(TcpProxy.start("echo", echoServer()));
    int port = proxy.port();
    try (Socket open = connect(proxy)) {
      assertThat(roundTrip(open, "one")).isEqualTo("one");
      proxy.refuse();
      open.setSoTimeout(5_000);
      assertThat(endOrReset(open)).isTrue();
      // refused (polled: a connect to a free loopback port can, rarely, connect to itself)
      Awaits.until(java.time.Duration.ofSeconds(5), () -> {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
          return false;
        } catch (ConnectException e) {
          return true;
        }
      });
      proxy.heal();
      assertThat(proxy.port()).isEqualTo(port);
      try (Socket again = connect(proxy)) {
        assertThat(roundTrip(again, "two")).isEqualTo("two");
      }
    }
  }

  @Test
  void closeRefusesAndHealDoesNotReopen() throws Exception {
    TcpProxy proxy = TcpProxy.start("echo", echoServer());
    int port = proxy.port();
    proxy.close();
    proxy.heal();
    assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
      .isInstanceOf(ConnectException.class);
  }

  @Test
  void blackholeFromCutsOneSenderOnly() throws Exception {
    TestingServer zk = track(new TestingServer(true));
    String root = "tcp-proxy-test-" + System.nanoTime();
    int portA = freePort();
    int portB = freePort();
    TcpProxy proxyA = track(TcpProxy.startEventBus("a", portA));
    TcpProxy proxyB = track(TcpProxy.startEventBus("b", portB));
    Vertx a = clustered(zk, root, portA, proxyA.port());
    Vertx b = clustered(zk, root, portB, proxyB.port());
    String idA = ((VertxInternal) a).clusterManager().getNodeId();
    List<String> atA = new CopyOnWriteArrayList<>();
    List<String> atB = new CopyOnWriteArrayList<>();
    a.eventBus().<String>consumer("a.in", m -> {
      atA.add(m.body());
      m.reply("a:" + m.body());
    }).completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    b.eventBus().<String>consumer("b.in", m -> {
      atB.add(m.body());
      m.reply("b:" + m.body());
    }).completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    // subscriptions spread through ZooKeeper asynchronously: wait until both ways answer
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() ->
      "b:x".equals(request(a, "b.in", "x")) && "a:y".equals(request(b, "a.in", "y")));

    proxyB.blackholeFrom(idA);
    // a's messages to b are held: a request times out, a send does not arrive
    assertThatThrownBy(() -> request(a, "b.in", "cut-request"))
      .hasCauseInstanceOf(ReplyException.class)
      .cause().satisfies(t -> assertThat(((ReplyException) t).failureType()).isEqualTo(ReplyFailure.TIMEOUT));
    a.eventBus().send("b.in", "held-send");
    // b still reaches a: its sends arrive (a's replies to b travel on a's connection: held as well)
    b.eventBus().send("a.in", "from-b");
    await().atMost(Duration.ofSeconds(5)).until(() -> atA.contains("from-b"));
    assertThat(atB).doesNotContain("cut-request", "held-send");

    proxyB.heal();
    // what was held arrives intact and in order; requests work again
    await().atMost(Duration.ofSeconds(10)).until(() -> atB.contains("held-send"));
    assertThat(atB.indexOf("cut-request")).isLessThan(atB.indexOf("held-send"));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() ->
      "b:z".equals(request(a, "b.in", "z")) && "a:w".equals(request(b, "a.in", "w")));
  }

  private Vertx clustered(TestingServer zk, String root, int port, int publicPort) throws Exception {
    JsonObject config = new JsonObject().put("zookeeperHosts", zk.getConnectString()).put("rootPath", root)
      .put("sessionTimeout", 10_000).put("connectTimeout", 3_000)
      .put("retry", new JsonObject().put("initialSleepTime", 100).put("intervalTimes", 1_000).put("maxTimes", 3));
    VertxOptions options = new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(port)
      .setClusterPublicHost("127.0.0.1").setClusterPublicPort(publicPort));
    Vertx v = Vertx.builder().with(options).withClusterManager(new ZookeeperClusterManager(config)).buildClustered()
      .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    closeables.add(() -> v.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    return v;
  }

  /** @return the reply to a request with a 1 s timeout; throws on failure */
  private static String request(Vertx from, String address, String body) throws Exception {
    return from.eventBus().<String>request(address, body, new DeliveryOptions().setSendTimeout(1_000))
      .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).body();
  }

  private <T extends AutoCloseable> T track(T c) {
    closeables.add(c);
    return c;
  }

  /** @return the port of a loopback echo server (one thread per connection), closed after the test */
  private int echoServer() throws IOException {
    ServerSocket server = track(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    Thread accept = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          closeables.add(s);
          Thread echo = new Thread(() -> {
            byte[] buf = new byte[1024];
            try (s) {
              InputStream in = s.getInputStream();
              OutputStream out = s.getOutputStream();
              for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                out.write(buf, 0, n);
                out.flush();
              }
            } catch (IOException e) {
              // closed
            }
          }, "echo");
          echo.setDaemon(true);
          echo.start();
        } catch (IOException e) {
          return;
        }
      }
    }, "echo-accept");
    accept.setDaemon(true);
    accept.start();
    return server.getLocalPort();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static Socket connect(TcpProxy proxy) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    s.setSoTimeout(READ_TIMEOUT_MS);
    return s;
  }

  private static String roundTrip(Socket s, String text) throws IOException {
    write(s, text);
    int timeout = s.getSoTimeout();
    s.setSoTimeout(5_000);
    try {
      return read(s, text.length());
    } finally {
      s.setSoTimeout(timeout);
    }
  }

  private static void write(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
  }

  /** Reads exactly {@code n} bytes (ASCII) within the socket's timeout. */
  private static String read(Socket s, int n) throws IOException {
    byte[] buf = new byte[n];
    int got = 0;
    InputStream in = s.getInputStream();
    while (got < n) {
      int r = in.read(buf, got, n - got);
      if (r < 0) {
        throw new IOException("closed after " + got + " bytes");
      }
      got += r;
    }
    return new String(buf, StandardCharsets.US_ASCII);
  }

  /** @return true when the connection ends (EOF or reset) within the socket's timeout */
  private static boolean endOrReset(Socket s) {
    try {
      return s.getInputStream().read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
