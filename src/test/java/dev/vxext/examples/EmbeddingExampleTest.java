package dev.vxext.examples;

import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two applications that built their own clustered Vert.x (plain ZookeeperClusterManager, no wrapper)
 * and embedded the extensions find each other's processes.
 */
class EmbeddingExampleTest {

  @Test
  void embeddedNodesLocateEachOther() {
    String zk = ClusterFixture.zookeeper().getConnectString();
    String root = "vxext-embedding-" + ProcessHandle.current().pid();
    Vertx one = await(EmbeddingExample.start(zk, root, "app-1"));
    Vertx two = await(EmbeddingExample.start(zk, root, "app-2"));
    try {
      Awaits.until(Duration.ofSeconds(10), () -> "app-2".equals(await(EmbeddingExample.locate(one, "inventory.app-2")))
        && "app-1".equals(await(EmbeddingExample.locateWithTheBook(two, "inventory.app-1"))));
      assertThat(await(EmbeddingExample.locate(two, "inventory.app-2"))).isEqualTo("app-2");
    } finally {
      await(one.close());
      await(two.close());
    }
  }
}
