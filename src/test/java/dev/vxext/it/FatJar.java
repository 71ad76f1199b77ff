package dev.vxext.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The fat jar that the examples project builds (the root build's invoker run), and commands that run it. */
final class FatJar {

  private FatJar() {
  }

  static Path path() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("examples", "target"))) {
      return s.filter(p -> p.getFileName().toString().endsWith("-fat.jar")).findFirst()
        .orElseThrow(() -> new AssertionError("no *-fat.jar in examples/target/: run mvn verify (it builds examples/)"));
    }
  }

  /** @return {@code java -Xmx256m -jar <fat jar> args...} */
  static List<String> java(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-jar", path().toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }
}
