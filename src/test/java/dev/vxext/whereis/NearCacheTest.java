package dev.vxext.whereis;

import dev.vxext.ClusterNode;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.EchoProcess;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The locate near cache on 3 real clustered nodes and an embedded ZooKeeper: a repeated locate of a name
 * another node runs is answered from the caller's cache, and every change of the name (unregister, a move,
 * the process's node or an owner leaving) is seen by the caller. The nodes' sync interval (also the cache's
 * time to live) is far longer than the waits here, so only the owners' notices and the membership
 * changes can make the caller see a change.
 */
class NearCacheTest {

  private static final Duration CONVERGE = Duration.ofSeconds(10);
  /** Longer than any wait of this test: a cached answer does not expire during it. */
  private static final long LONG_SYNC = 120_000;

  private ClusterFixture cluster;
  private ClusterNode a;
  private ClusterNode b;
  private ClusterNode c;

  @BeforeEach
  void start() {
    cluster = ClusterFixture.clustered();
    a = cluster.start(cluster.options("node-a").setSyncInterval(LONG_SYNC));
    b = cluster.start(cluster.options("node-b").setSyncInterval(LONG_SYNC));
    c = cluster.start(cluster.options("node-c").setSyncInterval(LONG_SYNC));
    Awaits.until(Duration.ofSeconds(15), () -> List.of(a, b, c).stream().allMatch(n -> n.addressBook().availableNodes().size() == 3));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  /** @return a name whose two directory owners are {@code b} and {@code c} (so {@code a} asks a remote owner) */
  private String nameOwnedByBAndC(String prefix) {
    for (int i = 0; ; i++) {
      String name = prefix + "-" + i;
      if (!a.addressBook().owners(name).contains("node-a")) {
        return name;
      }
    }
  }

  private ProcessId register(ClusterNode node, String name) {
    return await(node.register(name, EchoProcess::new, new DeploymentOptions()));
  }

  private static Optional<String> locate(ClusterNode from, String name) {
    return ClusterFixture.locate(from, name);
  }

  private static JsonObject nearCache(ClusterNode node) {
    JsonObject status = await(node.vertx().eventBus().<JsonObject>request(WhereIs.ADDRESS, new JsonObject(),
      new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "status"))).body();
    return status.getJsonObject("nearCache");
  }

  /** Locates {@code name} from {@code a} until the answer comes from its near cache. */
  private void awaitCachedOnA(String name, String node) {
    Awaits.until(CONVERGE, () -> {
      long before = nearCache(a).getLong("hits");
      return locate(a, name).equals(Optional.of(node)) && nearCache(a).getLong("hits") > before;
    });
  }

  @Test
  void aRepeatedLocateIsAnsweredFromTheCallersCache() {
    String name = nameOwnedByBAndC("cached");
    register(b, name);
    cluster.awaitLocatedEverywhere(name, "node-b", CONVERGE);
    awaitCachedOnA(name, "node-b");
    assertThat(nearCache(a).getInteger("entries")).isGreaterThanOrEqualTo(1);
    // the owner that answered remembers a
    assertThat(nearCache(b).getInteger("watchedNames") + nearCache(c).getInteger("watchedNames")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void anUnregisteredNameIsNotAnsweredFromTheCache() {
    String name = nameOwnedByBAndC("gone");
    ProcessId p = register(b, name);
    cluster.awaitLocatedEverywhere(name, "node-b", CONVERGE);
    awaitCachedOnA(name, "node-b");
    await(b.vertx().undeploy(p.deploymentId()));
    Awaits.until(CONVERGE, () -> locate(a, name).isEmpty());
    // registered again elsewhere: found there
    register(c, name);
    Awaits.until(CONVERGE, () -> locate(a, name).equals(Optional.of("node-c")));
  }

  @Test
  void aMovedProcessIsFoundWhereItRunsNow() {
    String name = nameOwnedByBAndC("mover");
    ProcessId first = register(b, name);
    cluster.awaitLocatedEverywhere(name, "node-b", CONVERGE);
    awaitCachedOnA(name, "node-b");
    await(b.vertx().undeploy(first.deploymentId()));
    register(c, name);
    Awaits.until(CONVERGE, () -> locate(a, name).equals(Optional.of("node-c")));
    awaitCachedOnA(name, "node-c");
    // a call reaches it on node-c
    assertThat(await(a.<JsonObject>call(name, "x")).body().getString("echo")).isEqualTo("x");
  }

  @Test
  void aProcessOfTheCallerIsNotAnsweredFromTheCacheOnceUnregistered() {
    String name = nameOwnedByBAndC("own");
    ProcessId p = register(a, name);
    cluster.awaitLocatedEverywhere(name, "node-a", CONVERGE);
    awaitCachedOnA(name, "node-a");
    await(a.vertx().undeploy(p.deploymentId()));
    Awaits.until(CONVERGE, () -> locate(a, name).isEmpty());
  }

  @Test
  void theProcessNodeLeavingIsSeenAtOnce() {
    String name = nameOwnedByBAndC("host");
    register(b, name);
    cluster.awaitLocatedEverywhere(name, "node-b", CONVERGE);
    awaitCachedOnA(name, "node-b");
    cluster.close("node-b");
    Awaits.until(CONVERGE, () -> a.addressBook().availableNodes().size() == 2);
    // never the process of a node known gone
    assertThat(locate(a, name)).isEmpty();
  }

  @Test
  void anOwnerLeavingLosesNoChange() {
    String name = nameOwnedByBAndC("owner");
    ProcessId p = register(c, name);
    cluster.awaitLocatedEverywhere(name, "node-c", CONVERGE);
    awaitCachedOnA(name, "node-c");
    cluster.close("node-b");
    Awaits.until(CONVERGE, () -> a.addressBook().availableNodes().size() == 2 && c.addressBook().availableNodes().size() == 2);
    // node-a is now an owner of the name itself
    Awaits.until(CONVERGE, () -> locate(a, name).equals(Optional.of("node-c")));
    await(c.vertx().undeploy(p.deploymentId()));
    Awaits.until(CONVERGE, () -> locate(a, name).isEmpty());
  }
}
