package dev.vxext.security;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.addressbook.NodeEntry;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.EchoProcess;
import dev.vxext.testing.TestCertificates;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Attacks on a cluster secured with mutual TLS on the event bus and ZooKeeper digest ACLs.
 */
class SecurityTest {

  private ClusterFixture cluster;

  @BeforeEach
  void start() {
    cluster = ClusterFixture.clustered();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static JsonObject tls(Path keyStore, Path trustStore) {
    return new JsonObject().put("ssl", true).put("clientAuth", "REQUIRED")
      .put("pfxKeyCertOptions", new JsonObject().put("path", keyStore.toString()).put("password", TestCertificates.PASSWORD))
      .put("pfxTrustOptions", new JsonObject().put("path", trustStore.toString()).put("password", TestCertificates.PASSWORD));
  }

  @Test
  void mutualTlsKeepsOutsidersOffTheEventBus() throws Exception {
    TestCertificates ca = TestCertificates.newCa("vxext-cluster-ca");
    Path member = ca.issue("member");
    List<ClusterNode> nodes = List.of(
      cluster.start(cluster.options("tls-a").setEventBusOptions(tls(member, ca.trustStore()))),
      cluster.start(cluster.options("tls-b").setEventBusOptions(tls(member, ca.trustStore()))),
      cluster.start(cluster.options("tls-c").setEventBusOptions(tls(member, ca.trustStore()))));
    Awaits.until(Duration.ofSeconds(15), () -> nodes.stream().allMatch(n -> n.addressBook().availableNodes().size() == 3));
    ClusterNode b = nodes.get(1);
    await(nodes.get(2).register("secured", EchoProcess::new, new DeploymentOptions()));
    Awaits.until(Duration.ofSeconds(10), () -> "tls-c".equals(await(nodes.get(0).locate("secured"))));
    assertThat(await(nodes.get(0).<JsonObject>call("secured", "over tls")).body().getString("echo")).isEqualTo("over tls");

    // 1. a clustered Vert.x on the same ZooKeeper path with a certificate from another CA, forging a member's name
    TestCertificates rogueCa = TestCertificates.newCa("rogue-ca");
    Path rogue = rogueCa.issue("rogue");
    VertxOptions vo = new VertxOptions();
    vo.getEventBusOptions().setHost("127.0.0.1").setSsl(true).setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED)
      .setKeyCertOptions(new io.vertx.core.net.PfxOptions().setPath(rogue.toString()).setPassword(TestCertificates.PASSWORD))
      .setTrustOptions(new io.vertx.core.net.PfxOptions().setPath(ca.trustStore().toString()).setPassword(TestCertificates.PASSWORD));
    JsonObject zk = new JsonObject().put("zookeeperHosts", ClusterFixture.zookeeper().getConnectString())
      .put("rootPath", cluster.options("x").getZookeeperRootPath());
    Vertx outsider = await(Vertx.builder().with(vo).withClusterManager(new ZookeeperClusterManager(zk)).buildClustered());
    // what reaches the members from the outsider (recorded before the library looks at it)
    List<Object> reached = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (ClusterNode n : nodes) {
      n.vertx().eventBus().addInboundInterceptor(dc -> {
        Object body = dc.message().body();
        if (String.valueOf(body).contains("planted-by-tls") || "steal".equals(body)) reached.add(body);
        dc.next();
      });
    }
    try {
      DeliveryOptions forged = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "daemon.spawn")
        .addHeader(WhereIs.FROM_HEADER, "tls-a").setSendTimeout(3_000);
      JsonObject spawn = new JsonObject().put("launcher", "worker").put("name", "planted-by-tls");
      Throwable refused = awaitFailure(outsider.eventBus().request(WhereIs.nodeAddress("tls-b"), spawn, forged));
      // the rogue certificate fails the TLS handshake: the message never reaches the node (no 403, which
      // would mean it got there), and the outsider's request ends in a timeout
      assertTimedOutUnanswered(refused, "vxext.node.tls-b");
      DeliveryOptions call = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "call")
        .addHeader(WhereIs.TO_HEADER, "secured").addHeader(WhereIs.FROM_HEADER, "tls-a").setSendTimeout(3_000);
      Throwable stolen = awaitFailure(outsider.eventBus().request(WhereIs.nodeAddress("tls-c"), "steal", call));
      assertTimedOutUnanswered(stolen, "vxext.node.tls-c");
      assertThat(reached).as("messages of the outsider that reached a member").isEmpty();
    } finally {
      await(outsider.close());
    }

    // 2. a raw TCP client writing a forged frame to the node's event-bus port
    NodeEntry target = b.addressBook().availableNodes().stream().filter(n -> n.name().equals("tls-b")).findFirst().orElseThrow();
    try (Socket socket = new Socket(target.host(), target.port())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      byte[] frame = ("{\"address\":\"vxext.node.tls-b\",\"headers\":{\"action\":\"daemon.spawn\",\"from\":\"tls-a\"},"
        + "\"body\":{\"launcher\":\"worker\",\"name\":\"planted-by-tcp\"}}").getBytes(StandardCharsets.UTF_8);
      out.write(java.nio.ByteBuffer.allocate(4).putInt(frame.length).array());
      out.write(frame);
      out.flush();
      InputStream in = socket.getInputStream();
      int read;
      try {
        byte[] buf = new byte[256];
        int total = 0;
        // the TLS server answers plaintext with an alert, then closes: read until the end (bounded)
        while ((read = in.read(buf)) >= 0 && total < 1 << 16) {
          total += read;
        }
      } catch (SocketTimeoutException | java.net.SocketException closed) {
        read = -1;
      }
      assertThat(read).isEqualTo(-1);
    }
    for (ClusterNode n : nodes) {
      assertThat(n.addressBook().locateLocal("planted-by-tls")).isEmpty();
      assertThat(n.addressBook().locateLocal("planted-by-tcp")).isEmpty();
    }
    // the members still talk to each other
    assertThat(await(nodes.get(1).<JsonObject>call("secured", "still")).body().getString("echo")).isEqualTo("still");
  }

  /** A request the node never received: it timed out, unanswered (not refused by the node, which would be a 403). */
  private static void assertTimedOutUnanswered(Throwable t, String address) {
    assertThat(t).isInstanceOf(ReplyException.class);
    ReplyException e = (ReplyException) t;
    assertThat(e.failureType()).as(e.getMessage()).isEqualTo(ReplyFailure.TIMEOUT);
    assertThat(e.getMessage()).contains("repliedAddress: " + address);
  }

  @Test
  void aTlsNodeChecksTheCertificateOfTheNodeItConnectsTo() throws Exception {
    TestCertificates ca = TestCertificates.newCa("vxext-cluster-ca-2");
    Path member = ca.issue("member");
    ClusterNode a = cluster.start(cluster.options("tls-server-check").setEventBusOptions(tls(member, ca.trustStore())));
    // a server with a certificate of another CA, which asks no client certificate, subscribes an address
    TestCertificates rogueCa = TestCertificates.newCa("rogue-server-ca");
    Path rogue = rogueCa.issue("rogue");
    VertxOptions vo = new VertxOptions();
    vo.getEventBusOptions().setHost("127.0.0.1").setSsl(true)
      .setKeyCertOptions(new io.vertx.core.net.PfxOptions().setPath(rogue.toString()).setPassword(TestCertificates.PASSWORD));
    JsonObject zk = new JsonObject().put("zookeeperHosts", ClusterFixture.zookeeper().getConnectString())
      .put("rootPath", cluster.options("x").getZookeeperRootPath());
    Vertx rogueServer = await(Vertx.builder().with(vo).withClusterManager(new ZookeeperClusterManager(zk)).buildClustered());
    try {
      List<Object> stolen = new java.util.concurrent.CopyOnWriteArrayList<>();
      await(rogueServer.eventBus().consumer("rogue.inbox", m -> stolen.add(m.body())).completion());
      // the member knows the subscription once it reached its cache; each send tries the rogue server
      Awaits.until(Duration.ofSeconds(10), () -> {
        a.vertx().eventBus().send("rogue.inbox", "secret");
        return ((io.vertx.core.internal.VertxInternal) a.vertx()).clusterManager() != null;
      });
      for (int i = 0; i < 20; i++) {
        a.vertx().eventBus().send("rogue.inbox", "secret " + i);
      }
      org.awaitility.Awaitility.await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
      assertThat(stolen).as("messages a member handed to a server it should not trust").isEmpty();
    } finally {
      await(rogueServer.close());
    }
  }

  @Test
  void zookeeperAclsLockOutClientsWithoutTheCredentials() throws Exception {
    String credentials = "vxext:s3cret-" + ProcessHandle.current().pid();
    NodeOptions a = cluster.options("acl-a").setZookeeperCredentials(credentials);
    NodeOptions b = cluster.options("acl-b").setZookeeperCredentials(credentials);
    ClusterNode na = cluster.start(a);
    ClusterNode nb = cluster.start(b);
    Awaits.until(Duration.ofSeconds(15), () -> na.addressBook().availableNodes().size() == 2);
    await(nb.register("behind-acl", EchoProcess::new, new DeploymentOptions()));
    Awaits.until(Duration.ofSeconds(10), () -> "acl-b".equals(await(na.locate("behind-acl"))));

    String root = "/" + a.getZookeeperRootPath();
    try (CuratorFramework stranger = CuratorFrameworkFactory.newClient(ClusterFixture.zookeeper().getConnectString(),
      new RetryOneTime(100))) {
      stranger.start();
      stranger.blockUntilConnected();
      assertThatThrownBy(() -> stranger.getChildren().forPath(root + "/cluster/nodes"))
        .isInstanceOf(KeeperException.NoAuthException.class);
      assertThatThrownBy(() -> stranger.create().forPath(root + "/cluster/nodes/fake", new byte[0]))
        .isInstanceOf(KeeperException.NoAuthException.class);
      assertThatThrownBy(() -> stranger.getData().forPath(root + "/vxext/names/acl-a"))
        .isInstanceOf(KeeperException.NoAuthException.class);
      assertThatThrownBy(() -> stranger.delete().forPath(root + "/vxext/names/acl-a"))
        .isInstanceOf(KeeperException.NoAuthException.class);
    }
    // a node without the credentials cannot join
    Throwable t = awaitFailure(ClusterNode.start(cluster.options("acl-stranger")));
    // refused by ZooKeeper's ACL when it writes its member entry
    assertThat(t).hasRootCauseInstanceOf(KeeperException.NoAuthException.class);
    assertThat(t.getMessage()).contains("NoAuth for " + root + "/cluster/nodes/");
    assertThat(na.addressBook().availableNodes()).extracting(NodeEntry::name).containsExactly("acl-a", "acl-b");
    assertThatThrownBy(() -> new NodeOptions().setZookeeperCredentials("no-colon")).hasMessageContaining("user:password");
    assertThat(a.toString()).doesNotContain("s3cret");
  }
}
