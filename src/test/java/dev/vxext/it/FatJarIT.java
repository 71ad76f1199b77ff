package dev.vxext.it;

import dev.vxext.testing.Awaits;
import dev.vxext.testing.ChildJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged fat jar runs with the Vert.x launcher: {@code java -jar ...-fat.jar -conf conf/...}
 * (runs in {@code mvn verify}, after packaging).
 */
class FatJarIT {

  @Test
  void theFatJarStartsASingleNodeFromConfAndStopsOnSigterm() throws Exception {
    try (ChildJvm node = ChildJvm.start(FatJar.java("-conf", "conf/single-node.json"), Map.of())) {
      Awaits.until(Duration.ofSeconds(60), () -> node.printed("vxext: node solo started"));
      Awaits.until(Duration.ofSeconds(30), () -> node.stderr().stream().anyMatch(l -> l.contains("daemon 'counter.solo' placed on solo")));
      // the admin server of conf/single-node.json (port 8080): the page and the API come from the jar
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      java.net.http.HttpResponse<String> page = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:8080/")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("app.js");
      java.net.http.HttpResponse<String> located = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:8080/api/locate/counter.solo")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(located.body()).contains("\"node\":\"solo\"");
      node.terminate();
      node.waitFor(Duration.ofSeconds(30));
      assertThat(node.alive()).isFalse();
    }
  }

  @Test
  void theFatJarTellsItsVersionAndHelpsWithoutAConfiguration() throws Exception {
    try (ChildJvm version = ChildJvm.start(FatJar.java("-version"), Map.of())) {
      assertThat(version.waitFor(Duration.ofSeconds(30))).isEqualTo(0);
      Awaits.until(Duration.ofSeconds(5), () -> version.printed("Vert.x "));
      // from the jar's META-INF/maven/dev.vxext/vertx-cluster-extensions/pom.properties
      assertThat(version.stdout().get(0)).matches("vertx-cluster-extensions \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
      assertThat(version.stdout().get(1)).matches("Vert\\.x 5\\..*");
    }
    try (ChildJvm help = ChildJvm.start(FatJar.java("--help"), Map.of())) {
      assertThat(help.waitFor(Duration.ofSeconds(30))).isEqualTo(0);
      Awaits.until(Duration.ofSeconds(5), () -> help.printed("Exit codes"));
      assertThat(help.stdout()).contains("  java -jar vertx-cluster-extensions-<version>-fat.jar -conf node.json [options]");
    }
  }

  /**
   * The development ZooKeeper runs from the jar (ZooKeeper's server needs metrics-core and snappy-java, which
   * its pom declares provided), and a node from the jar joins it, logging with date, time and short names.
   */
  @Test
  void theFatJarRunsADevelopmentZookeeperThatANodeFromTheJarJoins() throws Exception {
    java.util.regex.Pattern listening = java.util.regex.Pattern.compile("vxext: development ZooKeeper listening on 127\\.0\\.0\\.1:(\\d+)");
    try (ChildJvm zk = ChildJvm.start(FatJar.java("zookeeper", "--port", "0"), Map.of())) {
      Awaits.until(Duration.ofSeconds(60), () -> !zk.alive() || zk.stdout().stream().anyMatch(l -> listening.matcher(l).matches()));
      assertThat(zk.alive()).as("the development ZooKeeper runs; stderr: " + zk.stderr()).isTrue();
      java.util.regex.Matcher m = zk.stdout().stream().map(listening::matcher).filter(java.util.regex.Matcher::matches)
        .findFirst().orElseThrow();
      String hosts = "127.0.0.1:" + m.group(1);
      String conf = "{\"nodeName\": \"fat\", \"zookeeperHosts\": \"" + hosts + "\", \"sessionTimeout\": 4000}";
      try (ChildJvm node = ChildJvm.start(FatJar.java("-conf", conf), Map.of())) {
        Awaits.until(Duration.ofSeconds(60), () -> node.printed("vxext: node fat started (cluster " + hosts + ")"));
        Awaits.until(Duration.ofSeconds(10), () -> node.stderr().stream().anyMatch(l -> l.contains("Succeeded in deploying verticle")));
        assertThat(node.stderr()).anyMatch(l -> l.matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3} \\[main\\] INFO"
          + " VertxApplication - Succeeded in deploying verticle"));
        assertThat(node.stderr()).noneMatch(l -> l.contains("Client environment"));
      }
      // what it prints while stopping may be cut off by the pipe's close: check what it did instead
      String banner = String.join("\n", zk.stderr());
      java.util.regex.Matcher data = java.util.regex.Pattern.compile("data in (\\S+) is deleted at exit").matcher(banner);
      assertThat(data.find()).as(banner).isTrue();
      assertThat(Path.of(data.group(1))).isDirectory();
      zk.terminate();
      zk.waitFor(Duration.ofSeconds(30));
      assertThat(Path.of(data.group(1))).as("its temporary data directory").doesNotExist();
    }
  }

  @Test
  void theFatJarRefusesABadConfigurationWithOneLine() throws Exception {
    try (ChildJvm node = ChildJvm.start(FatJar.java("-conf", "conf/does-not-exist.json"), Map.of())) {
      assertThat(node.waitFor(Duration.ofSeconds(30))).isEqualTo(2);
      Awaits.until(Duration.ofSeconds(5), () -> !node.stderr().isEmpty());
      assertThat(node.stderr()).containsExactly("vxext: configuration file conf/does-not-exist.json does not exist");
    }
  }
}
