package dev.vxext.examples;

import dev.vxext.ClusterNode;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two applications that built their own clustered Vert.x and run a node on it find each other's
 * processes, through the event-bus API and the Java API; closing a node leaves the application's Vert.x
 * running.
 */
class EmbeddingExampleTest {

  @Test
  void embeddedNodesLocateEachOther() {
    String zk = ClusterFixture.zookeeper().getConnectString();
    String root = "vxext-embedding-" + ProcessHandle.current().pid();
    ClusterNode one = await(EmbeddingExample.start(zk, root, "app-1"));
    ClusterNode two = await(EmbeddingExample.start(zk, root, "app-2"));
    Vertx v1 = one.vertx();
    Vertx v2 = two.vertx();
    try {
      Awaits.until(Duration.ofSeconds(10), () -> "app-2".equals(await(EmbeddingExample.locate(v1, "inventory.app-2")))
        && "app-1".equals(await(EmbeddingExample.locateWithTheJavaApi(v2, "inventory.app-1"))));
      assertThat(await(EmbeddingExample.locate(v2, "inventory.app-2"))).isEqualTo("app-2");
      assertThat(await(one.<JsonObject>call("inventory.app-2", "count?")).body().getInteger("stock")).isEqualTo(42);
      await(one.close());
      // the application's Vert.x still runs; the node is gone from it
      assertThat(ClusterNode.of(v1)).isEmpty();
      assertThat(await(v1.deployVerticle(new io.vertx.core.AbstractVerticle() { }))).isNotNull();
    } finally {
      await(v1.close());
      await(v2.close());
    }
  }
}
