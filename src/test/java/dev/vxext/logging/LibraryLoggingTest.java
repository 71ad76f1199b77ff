package dev.vxext.logging;

import dev.vxext.testing.Awaits;
import dev.vxext.testing.ChildJvm;
import dev.vxext.testing.ClusterFixture;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The library in an application that logs with slf4j-simple and configures nothing (child JVMs without
 * the tests' simplelogger.properties): ZooKeeper's client does not dump its environment (about 30 INFO
 * lines), and a level the application sets for ZooKeeper is left alone.
 */
class LibraryLoggingTest {

  @Test
  void zookeepersClientEnvironmentIsNotLoggedUnlessTheApplicationAsksForIt(@TempDir Path classes) throws Exception {
    Path main = classes.resolve(LibraryNodeMain.class.getName().replace('.', '/') + ".class");
    Files.createDirectories(main.getParent());
    try (InputStream in = LibraryNodeMain.class.getResourceAsStream(LibraryNodeMain.class.getSimpleName() + ".class")) {
      Files.copy(in, main);
    }
    String classpath = classes + File.pathSeparator + ChildJvm.mainClasspath();
    String zk = ClusterFixture.zookeeper().getConnectString();
    String conf = new JsonObject().put("nodeName", "lib").put("zookeeperHosts", zk)
      .put("zookeeperRootPath", "vxext-library-logging-" + ProcessHandle.current().pid()).put("sessionTimeout", 4000).encode();

    try (ChildJvm quiet = ChildJvm.start(List.of(), classpath, LibraryNodeMain.class.getName(), List.of(conf), Map.of())) {
      Awaits.until(Duration.ofSeconds(60), () -> quiet.printed("library node started"));
      assertThat(quiet.stderr()).as("INFO is on").anyMatch(l -> l.contains(" INFO ") && l.contains("[node=lib]"));
      assertThat(quiet.stderr()).as("ZooKeeper's client environment").noneMatch(l -> l.contains("Client environment"));
    }
    String other = new JsonObject(conf).put("nodeName", "lib-2").put("zookeeperRootPath",
      "vxext-library-logging-2-" + ProcessHandle.current().pid()).encode();
    try (ChildJvm asked = ChildJvm.start(List.of("-Dorg.slf4j.simpleLogger.log.org.apache.zookeeper=info"), classpath,
      LibraryNodeMain.class.getName(), List.of(other), Map.of())) {
      Awaits.until(Duration.ofSeconds(60), () -> asked.printed("library node started"));
      assertThat(asked.stderr()).as("asked for: ZooKeeper's client environment").anyMatch(l -> l.contains("Client environment"));
    }
  }
}
