package dev.vxext.it;

import dev.vxext.testing.Awaits;
import dev.vxext.testing.ChildJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
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
  void theFatJarRefusesABadConfigurationWithOneLine() throws Exception {
    try (ChildJvm node = ChildJvm.start(FatJar.java("-conf", "conf/does-not-exist.json"), Map.of())) {
      assertThat(node.waitFor(Duration.ofSeconds(30))).isEqualTo(2);
      Awaits.until(Duration.ofSeconds(5), () -> !node.stderr().isEmpty());
      assertThat(node.stderr()).containsExactly("vxext: configuration file conf/does-not-exist.json does not exist");
    }
  }
}
