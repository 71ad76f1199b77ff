package dev.vxext.whereis;

import dev.vxext.ClusterNode;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.EchoProcess;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The event-bus API ({@code vxext.whereis}) and the node address ({@code vxext.node.<name>}) against
 * malformed and unknown input, on 2 clustered nodes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WhereIsApiTest {

  private ClusterFixture cluster;
  private ClusterNode a;
  private ClusterNode b;

  @BeforeAll
  void start() {
    cluster = ClusterFixture.clustered();
    a = cluster.startAll("api-a", "api-b").get(0);
    b = cluster.node("api-b");
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private Message<JsonObject> request(ClusterNode n, String address, Object body, String action) {
    DeliveryOptions o = new DeliveryOptions();
    if (action != null) o.addHeader(WhereIs.ACTION_HEADER, action);
    return await(n.vertx().eventBus().request(address, body, o));
  }

  private int failureCode(ClusterNode n, String address, Object body, String action) {
    DeliveryOptions o = new DeliveryOptions();
    if (action != null) o.addHeader(WhereIs.ACTION_HEADER, action);
    Throwable t = awaitFailure(n.vertx().eventBus().request(address, body, o));
    assertThat(t).isInstanceOf(ReplyException.class);
    return ((ReplyException) t).failureCode();
  }

  @Test
  void locateOverTheEventBus() {
    ProcessId p = await(b.register("bus-located", EchoProcess::new, new DeploymentOptions()));
    dev.vxext.testing.Awaits.until(java.time.Duration.ofSeconds(5), () -> a.addressBook().owners("bus-located").stream()
      .allMatch(o -> cluster.node(o).addressBook().locateLocal("bus-located").isPresent()));
    JsonObject reply = request(a, WhereIs.ADDRESS, new JsonObject().put("name", "bus-located"), "locate").body();
    assertThat(reply.getString("name")).isEqualTo("bus-located");
    assertThat(reply.getString("node")).isEqualTo("api-b");
    assertThat(reply.getString("deploymentId")).isEqualTo(p.deploymentId());
    assertThat(reply.getLong("startedAt")).isEqualTo(p.startedAt());
    assertThat(failureCode(a, WhereIs.ADDRESS, new JsonObject().put("name", "nobody-here"), "locate")).isEqualTo(WhereIs.NOT_FOUND);
  }

  @Test
  void addressBookOverTheEventBus() {
    JsonObject book = request(a, WhereIs.ADDRESS, new JsonObject(), "addressbook").body();
    assertThat(book.getString("node")).isEqualTo("api-a");
    JsonArray nodes = book.getJsonArray("nodes");
    assertThat(nodes.stream().map(o -> ((JsonObject) o).getString("name"))).containsExactly("api-a", "api-b");
  }

  @Test
  void badRequestsOnTheApiAddress() {
    assertThat(failureCode(a, WhereIs.ADDRESS, new JsonObject(), "explode")).isEqualTo(WhereIs.BAD_REQUEST);
    assertThat(failureCode(a, WhereIs.ADDRESS, new JsonObject(), null)).isEqualTo(WhereIs.BAD_REQUEST);
    assertThat(failureCode(a, WhereIs.ADDRESS, "not json", "locate")).isEqualTo(WhereIs.BAD_REQUEST);
    assertThat(failureCode(a, WhereIs.ADDRESS, new JsonObject(), "locate")).isEqualTo(WhereIs.BAD_REQUEST);
    assertThat(failureCode(a, WhereIs.ADDRESS, new JsonObject().put("name", 42), "locate")).isEqualTo(WhereIs.BAD_REQUEST);
    assertThat(failureCode(a, WhereIs.ADDRESS, new JsonObject().put("name", ""), "locate")).isEqualTo(WhereIs.BAD_REQUEST);
    assertThat(failureCode(a, WhereIs.ADDRESS, new JsonObject().put("name", "y".repeat(200)), "locate")).isEqualTo(WhereIs.BAD_REQUEST);
    assertThat(failureCode(a, WhereIs.REGISTRY_ADDRESS, new JsonObject(), "nope")).isEqualTo(WhereIs.BAD_REQUEST);
    assertThat(failureCode(a, WhereIs.REGISTRY_ADDRESS, "text", "register")).isEqualTo(WhereIs.BAD_REQUEST);
  }

  @Test
  void malformedMessagesToANodeAddressChangeNothing() {
    String address = WhereIs.nodeAddress("api-b");
    int before = b.addressBook().localProcesses().size();
    assertThat(failureCode(a, address, new JsonObject(), null)).isEqualTo(WhereIs.BAD_REQUEST);
    assertThat(failureCode(a, address, new JsonObject(), "self-destruct")).isEqualTo(WhereIs.BAD_REQUEST);
    assertThat(failureCode(a, address, "garbage", "sync.delta")).isEqualTo(WhereIs.BAD_REQUEST);
    assertThat(failureCode(a, address, io.vertx.core.buffer.Buffer.buffer("{not json"), "sync.delta")).isEqualTo(WhereIs.BAD_REQUEST);
    assertThat(failureCode(a, address, new JsonObject().put("from", "api-a"), "sync.full")).isEqualTo(WhereIs.BAD_REQUEST);
    // an entry that is not [name, deploymentId, startedAt, seq]
    JsonObject bad = new JsonObject().put("from", "api-a").put("inc", "x").put("seq", 1)
      .put("up", new JsonArray().add(new JsonArray().add("ok-name")));
    assertThat(failureCode(a, address, bad, "sync.full")).isEqualTo(WhereIs.BAD_REQUEST);
    // a member cannot speak for another node
    JsonObject stranger = new JsonObject().put("from", "intruder").put("inc", "x").put("seq", 1)
      .put("up", new JsonArray().add(new JsonArray().add("fake").add("dep").add(1).add(1)));
    assertThat(failureCode(a, address, stranger, "sync.full")).isEqualTo(WhereIs.FORBIDDEN);
    assertThat(b.addressBook().locateLocal("fake")).isEmpty();
    // too many entries in one sync message
    JsonArray many = new JsonArray();
    for (int i = 0; i <= WhereIs.MAX_SYNC_BATCH; i++) {
      many.add(new JsonArray().add("flood-" + i).add("dep").add(1).add(i));
    }
    JsonObject flood = new JsonObject().put("from", "api-a").put("inc", "x").put("seq", 1).put("up", many);
    assertThat(failureCode(a, address, flood, "sync.full")).isEqualTo(WhereIs.TOO_LARGE);
    assertThat(b.addressBook().locateLocal("flood-1")).isEmpty();
    // a locate without a name, or with an invalid one
    assertThat(failureCode(a, address, new JsonObject(), "locate")).isEqualTo(WhereIs.BAD_REQUEST);
    assertThat(failureCode(a, address, "bad name!", "locate")).isEqualTo(WhereIs.BAD_REQUEST);
    assertThat(failureCode(a, address, "x".repeat(dev.vxext.process.ProcessNames.MAX_LENGTH + 1), "locate")).isEqualTo(WhereIs.BAD_REQUEST);
    // a forwarded call to a process that is not there, and one without a target
    assertThat(failureCode(a, address, "x", "call")).isEqualTo(WhereIs.BAD_REQUEST);
    DeliveryOptions to = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "call").addHeader(WhereIs.TO_HEADER, "ghost");
    Throwable t = awaitFailure(a.vertx().eventBus().request(address, "x", to));
    assertThat(((ReplyException) t).failureCode()).isEqualTo(WhereIs.MISDIRECTED);
    assertThat(b.addressBook().localProcesses()).hasSize(before);
  }

  @Test
  void messagesFromOutsideTheMembershipAreRefused() {
    // a clustered Vert.x on the same ZooKeeper path that does not run the extensions (no node name)
    io.vertx.core.json.JsonObject zk = new io.vertx.core.json.JsonObject()
      .put("zookeeperHosts", ClusterFixture.zookeeper().getConnectString())
      .put("rootPath", cluster.options("x").getZookeeperRootPath());
    io.vertx.core.VertxOptions vo = new io.vertx.core.VertxOptions();
    vo.getEventBusOptions().setHost("127.0.0.1");
    io.vertx.core.Vertx outsider = await(io.vertx.core.Vertx.builder().with(vo)
      .withClusterManager(new io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager(zk)).buildClustered());
    try {
      ProcessId guarded = await(b.register("guarded", EchoProcess::new, new DeploymentOptions()));
      String address = WhereIs.nodeAddress("api-b");
      assertThat(guarded.lane()).isNotEqualTo(ProcessId.NO_LANE);
      for (String from : new String[] {null, "intruder"}) {
        DeliveryOptions o = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "call").addHeader(WhereIs.TO_HEADER, "guarded");
        if (from != null) o.addHeader(WhereIs.FROM_HEADER, from);
        for (String to : new String[] {address, WhereIs.laneAddress("api-b", guarded.lane())}) {
          dev.vxext.testing.Awaits.until(java.time.Duration.ofSeconds(10), () -> {
            Throwable t = awaitFailure(outsider.eventBus().request(to, "hi", o));
            return ((ReplyException) t).failureCode() == WhereIs.FORBIDDEN;
          });
        }
        DeliveryOptions spawn = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "daemon.spawn");
        if (from != null) spawn.addHeader(WhereIs.FROM_HEADER, from);
        Throwable t = awaitFailure(outsider.eventBus().request(address,
          new JsonObject().put("launcher", "any").put("name", "planted"), spawn));
        assertThat(((ReplyException) t).failureCode()).isEqualTo(WhereIs.FORBIDDEN);
      }
      assertThat(b.addressBook().locateLocal("planted")).isEmpty();
      // members still get through
      assertThat(await(a.<JsonObject>call("guarded", "ok")).body().getString("echo")).isEqualTo("ok");
    } finally {
      await(outsider.close());
    }
  }

  @Test
  void anOversizedForwardedMessageIsRefused() {
    await(b.register("big-target", EchoProcess::new, new DeploymentOptions()));
    io.vertx.core.buffer.Buffer huge = io.vertx.core.buffer.Buffer.buffer(new byte[WhereIs.MAX_MESSAGE_BYTES + 1]);
    dev.vxext.testing.Awaits.until(java.time.Duration.ofSeconds(5), () -> {
      Throwable t = awaitFailure(a.call("big-target", huge));
      return ((ReplyException) t).failureCode() == WhereIs.TOO_LARGE;
    });
    assertThat(await(a.<JsonObject>call("big-target", "small")).body().getString("echo")).isEqualTo("small");
  }

  @Test
  void aSecondNodeWithATakenNameFailsToStartAndTheFirstIsUntouched() {
    Throwable t = awaitFailure(ClusterNode.start(cluster.options("api-b")));
    assertThat(t.getMessage()).contains("node name 'api-b' is already used");
    assertThat(a.addressBook().availableNodes()).hasSize(2);
    ProcessId p = await(b.register("still-works", EchoProcess::new, new DeploymentOptions()));
    assertThat(await(a.<JsonObject>call("still-works", "ping")).body().getString("echo")).isEqualTo("ping");
    assertThat(p.node()).isEqualTo("api-b");
  }

  @Test
  void invalidOptionsFailTheStart() {
    Throwable t = awaitFailure(ClusterNode.start(new dev.vxext.NodeOptions()));
    assertThat(t).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nodeName is required");
  }
}
