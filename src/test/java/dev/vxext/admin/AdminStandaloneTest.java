package dev.vxext.admin;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.testing.EchoProcess;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node that runs alone, with the admin server and {@code vertxMetrics}: everything answers, the node is
 * its own leader, and Vert.x's own meters sit next to the {@code vxext.*} ones. Without a token the API
 * is open (loopback only).
 */
class AdminStandaloneTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
      HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aNodeAloneServesTheApiHealthAndVertxMetrics() throws Exception {
    ClusterNode node = await(ClusterNode.start(new NodeOptions().setNodeName("alone").setVertxMetrics(true)
      .setAdmin(new AdminOptions().setPort(0))));
    try {
      int port = node.adminPort();
      await(node.register("echo.solo", EchoProcess::new, new DeploymentOptions()));
      await(node.call("echo.solo", "hi"));

      JsonObject nodes = new JsonObject(get(port, "/api/nodes").body());
      assertThat(nodes.getString("leader")).isEqualTo("alone");
      assertThat(nodes.getJsonArray("nodes")).hasSize(1);
      assertThat(new JsonObject(get(port, "/api/locate/echo.solo").body()).getString("node")).isEqualTo("alone");

      HttpResponse<String> health = get(port, "/health");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).contains("\"mode\":\"standalone\"");

      String metrics = get(port, "/metrics").body();
      assertThat(metrics).contains("vxext_processes_registered{node=\"alone\"} 1.0");
      assertThat(metrics).contains("vertx_eventbus_");
    } finally {
      await(node.close());
    }
    assertThat(node.adminPort()).isEqualTo(-1);
  }
}
