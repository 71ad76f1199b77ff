package dev.vxext;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every file in conf/ is a valid {@link NodeOptions} JSON that uses only known keys. */
class ConfFilesTest {

  @Test
  void everyConfFileIsValidNodeOptions() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of("conf"))) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).extracting(p -> p.getFileName().toString())
      .contains("single-node.json", "node-1.json", "node-2.json", "node-3.json");
    for (Path f : files) {
      JsonObject json = new JsonObject(Files.readString(f));
      NodeOptions options = new NodeOptions(json);
      options.validate();
      assertThat(options.toJson().fieldNames()).as(f.toString()).containsAll(json.fieldNames());
    }
    assertThat(new NodeOptions(new JsonObject(Files.readString(Path.of("conf/single-node.json")))).isClustered()).isFalse();
    // the example process of the README, registered at start from the configuration
    for (String f : List.of("conf/node-1.json", "conf/single-node.json")) {
      assertThat(new NodeOptions(new JsonObject(Files.readString(Path.of(f)))).getProcesses()).as(f)
        .anySatisfy(p -> {
          assertThat(p.getName()).isEqualTo("greeter");
          assertThat(p.getVerticle()).isEqualTo("dev.vxext.examples.Greeter");
        });
    }
  }
}
