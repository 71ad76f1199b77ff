package dev.vxext.it;

import dev.vxext.testing.Awaits;
import dev.vxext.testing.ChildJvm;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's "A local cluster from the jar alone", as written (on free ports): the fat jar's development
 * ZooKeeper, three nodes from {@code conf/node-*.json}, then node-1's {@code greeter} called through node-3's
 * admin API ({@code POST /api/call/greeter}, with the token the README exports).
 */
class LocalClusterIT {

  /** The README's development token. */
  private static final String TOKEN = "local-dev-token-0001";

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void theDevZookeeperAndThreeNodesFromTheJarAnswerACallThroughTheAdminApi() throws Exception {
    int zkPort = freePort();
    List<ChildJvm> jvms = new ArrayList<>();
    try {
      ChildJvm zookeeper = ChildJvm.start(FatJar.java("zookeeper", "--port", String.valueOf(zkPort)), Map.of());
      jvms.add(zookeeper);
      Awaits.until(Duration.ofSeconds(60), () -> zookeeper.printed("development ZooKeeper listening on 127.0.0.1:" + zkPort));
      String root = "vxext-localit-" + ProcessHandle.current().pid();
      int[] admin = new int[4];
      for (int i = 1; i <= 3; i++) {
        admin[i] = freePort();
        jvms.add(ChildJvm.start(FatJar.java("-conf", "conf/node-" + i + ".json"), Map.of(
          "VXEXT_ZOOKEEPER_HOSTS", "127.0.0.1:" + zkPort,
          "VXEXT_ZOOKEEPER_ROOT_PATH", root,
          "VXEXT_ADMIN_PORT", String.valueOf(admin[i]),
          "VXEXT_ADMIN_TOKEN", TOKEN)));
      }
      HttpClient http = HttpClient.newHttpClient();
      URI call = URI.create("http://127.0.0.1:" + admin[3] + "/api/call/greeter");
      JsonObject[] reply = new JsonObject[1];
      Awaits.until(Duration.ofSeconds(90), () -> {
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(call).timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"you\"}")).header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
            .build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() != 200) {
            return false;
          }
          reply[0] = new JsonObject(r.body());
          return true;
        } catch (IOException e) {
          return false;
        }
      });
      assertThat(reply[0].getString("greeting")).isEqualTo("hello you");
      assertThat(reply[0].getString("node")).isEqualTo("node-1");
    } finally {
      for (ChildJvm jvm : jvms) {
        jvm.close();
      }
    }
  }
}
