package dev.vxext.examples;

import dev.vxext.ClusterNode;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two applications that built their own clustered Vert.x (vertx-zookeeper) and run a node on it find each
 * other's processes, through the event-bus API and the Java API; closing a node leaves the application's
 * Vert.x running.
 */
class EmbeddingExampleTest {

  private static <T> T join(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void embeddedNodesLocateEachOther() throws Exception {
    try (TestingServer zookeeper = new TestingServer()) {
      String root = "vxext-embedding-" + ProcessHandle.current().pid();
      ClusterNode one = join(EmbeddingExample.start(zookeeper.getConnectString(), root, "app-1"));
      ClusterNode two = join(EmbeddingExample.start(zookeeper.getConnectString(), root, "app-2"));
      Vertx v1 = one.vertx();
      Vertx v2 = two.vertx();
      try {
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
          "app-2".equals(join(EmbeddingExample.locate(v1, "inventory.app-2")))
            && "app-1".equals(join(EmbeddingExample.locateWithTheJavaApi(v2, "inventory.app-1"))));
        JsonObject stock = join(one.<JsonObject>call("inventory.app-2", "count?")).body();
        assertThat(stock.getInteger("stock")).isEqualTo(42);
        join(one.close());
        // the application's Vert.x still runs; the node is gone from it
        assertThat(ClusterNode.of(v1)).isEmpty();
        assertThat(join(v1.deployVerticle(new AbstractVerticle() { }))).isNotNull();
      } finally {
        join(v1.close());
        join(v2.close());
      }
    }
  }
}
