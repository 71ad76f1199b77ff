package dev.vxext.launcher;

import dev.vxext.testing.Awaits;
import dev.vxext.testing.ChildJvm;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code java -jar ...-fat.jar zookeeper}: a development ZooKeeper from the jar alone, in child JVMs. A node
 * joins it; SIGTERM stops it and deletes its temporary data; a busy port or a bad argument is one line.
 */
class DevZookeeperTest {

  private static final String MAIN = NodeApplication.class.getName();
  private static final Pattern LISTENING = Pattern.compile("vxext: development ZooKeeper listening on 127\\.0\\.0\\.1:(\\d+)");
  private static final Pattern DATA = Pattern.compile(".*data in (\\S+) is deleted at exit.*");

  private static void assertRefused(List<String> args, String expected) throws Exception {
    try (ChildJvm jvm = ChildJvm.start(MAIN, args, Map.of())) {
      assertThat(jvm.waitFor(Duration.ofSeconds(30))).as("exit code; stdout " + jvm.stdout()).isEqualTo(2);
      Awaits.until(Duration.ofSeconds(5), () -> !jvm.stderr().isEmpty());
      assertThat(jvm.stderr()).as("stderr").hasSize(1);
      assertThat(jvm.stderr().get(0)).startsWith("vxext: ").contains(expected);
    }
  }

  @Test
  void aNodeJoinsTheDevelopmentZookeeperWhichStopsOnSigtermAndDeletesItsData() throws Exception {
    try (ChildJvm zk = ChildJvm.start(MAIN, List.of("zookeeper", "--port", "0"), Map.of())) {
      Awaits.until(Duration.ofSeconds(60), () -> zk.stdout().stream().anyMatch(l -> LISTENING.matcher(l).matches()));
      Matcher listening = zk.stdout().stream().map(LISTENING::matcher).filter(Matcher::matches).findFirst().orElseThrow();
      int port = Integer.parseInt(listening.group(1));
      assertThat(port).isPositive();
      String banner = String.join("\n", zk.stderr());
      assertThat(banner).contains("WARN").contains("for development only").contains("no replication")
        .contains("production needs a ZooKeeper ensemble");
      Matcher data = zk.stderr().stream().map(DATA::matcher).filter(Matcher::matches).findFirst().orElseThrow();
      Path dataDir = Path.of(data.group(1));
      assertThat(dataDir).isDirectory();

      String conf = new JsonObject().put("nodeName", "dev-1").put("zookeeperHosts", "127.0.0.1:" + port)
        .put("sessionTimeout", 4000).encode();
      try (ChildJvm node = ChildJvm.start(MAIN, List.of("-conf", conf), Map.of())) {
        Awaits.until(Duration.ofSeconds(60), () -> node.printed("node dev-1 started (cluster 127.0.0.1:" + port + ")"));
      }
      zk.terminate();
      zk.waitFor(Duration.ofSeconds(30));
      assertThat(dataDir).as("the temporary data directory").doesNotExist();
      assertThat(zk.stderr()).as("stderr after SIGTERM").noneMatch(l -> l.contains("Exception"));
    }
  }

  @Test
  void aBusyPortOrABadArgumentIsOneLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertRefused(List.of("zookeeper", "--port", String.valueOf(port)), "port " + port + " on 127.0.0.1 is in use");
    }
    assertRefused(List.of("zookeeper", "--port", "two"), "zookeeper --port: 'two' is not a port");
    assertRefused(List.of("zookeeper", "--prot", "2181"), "zookeeper: unknown option '--prot' — did you mean '--port'?");
  }

  @Test
  void itsHelpNeedsNothingElse() throws Exception {
    try (ChildJvm jvm = ChildJvm.start(MAIN, List.of("zookeeper", "--help"), Map.of())) {
      assertThat(jvm.waitFor(Duration.ofSeconds(30))).isEqualTo(0);
      Awaits.until(Duration.ofSeconds(5), () -> jvm.printed("--dir"));
      assertThat(String.join("\n", jvm.stdout()))
        .contains("java -jar vertx-cluster-extensions-<version>-fat.jar zookeeper [--port 2181] [--dir <dataDir>]")
        .contains("development only");
    }
  }
}
