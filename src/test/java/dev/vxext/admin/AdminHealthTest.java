package dev.vxext.admin;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.testing.Awaits;
import io.vertx.core.json.JsonObject;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /health} follows the node's real state: UP on a connected node, 503 with the failing check
 * named while its ZooKeeper server is down, UP again once it is back. Uses a ZooKeeper server of its own.
 */
class AdminHealthTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> health(int port) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(10)).build(),
      HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthIs503WhileZooKeeperIsDownAndUpAgainAfter() throws Exception {
    try (TestingServer zk = new TestingServer(true)) {
      NodeOptions o = new NodeOptions().setNodeName("health-1").setZookeeperHosts(zk.getConnectString())
        .setZookeeperRootPath("health").setSessionTimeout(20_000).setRequestTimeout(2_000).setSyncInterval(500)
        .setAdmin(new AdminOptions().setPort(0));
      ClusterNode node = await(ClusterNode.start(o));
      try {
        int port = node.adminPort();
        Awaits.until(Duration.ofSeconds(15), () -> health(port).statusCode() == 200);
        zk.stop();
        Awaits.until(Duration.ofSeconds(20), () -> health(port).statusCode() == 503);
        JsonObject down = new JsonObject(health(port).body());
        assertThat(down.getString("outcome")).isEqualTo("DOWN");
        JsonObject cm = down.getJsonArray("checks").stream().map(c -> (JsonObject) c)
          .filter(c -> c.getString("id").equals("cluster-manager")).findFirst().orElseThrow();
        assertThat(cm.getString("status")).isEqualTo("DOWN");
        assertThat(cm.getJsonObject("data").getString("reason")).contains("ZooKeeper");
        zk.restart();
        Awaits.until(Duration.ofSeconds(30), () -> health(port).statusCode() == 200);
      } finally {
        await(node.close());
      }
    }
  }
}
