package dev.vxext.demo;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One node of {@link FailoverDemo}: a child JVM running the real launcher main class
 * {@code dev.vxext.launcher.NodeApplication} with an inline {@code -conf} JSON, its stdout and stderr
 * written to files. Every wait is bounded.
 */
final class NodeJvm {

  /** The fat jar's Main-Class. */
  static final String MAIN = "dev.vxext.launcher.NodeApplication";

  final String name;
  final Path stdout;
  final Path stderr;
  private final Process process;
  private final long startedAt = System.nanoTime();

  private NodeJvm(String name, Process process, Path stdout, Path stderr) {
    this.name = name;
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Reads {@code file} (a {@code conf/node-N.json}) and points it at the demo's ZooKeeper: connect string,
   * root path, a 4 s session timeout, a 1 s settle delay, plus the CLUSTER cron job {@code job} firing
   * every second to {@code trigger}.
   */
  static JsonObject conf(Path file, String zookeeper, String root, String job, String trigger) throws IOException {
    JsonObject conf = new JsonObject(Files.readString(file));
    conf.put("zookeeperHosts", zookeeper).put("zookeeperRootPath", root).put("sessionTimeout", 4000)
      .put("settleDelay", 1000);
    JsonArray cron = conf.getJsonArray("cronJobs", new JsonArray()).copy();
    cron.add(new JsonObject().put("name", job).put("spec", "* * * * * ?").put("dialect", "quartz")
      .put("zone", "UTC").put("triggerProcess", trigger).put("scope", "CLUSTER").put("misfireGrace", 10_000));
    return conf.put("cronJobs", cron);
  }

  /** Starts {@code <java.home>/bin/java -cp <this JVM's classpath> NodeApplication -conf <json>}. */
  static NodeJvm start(String name, JsonObject conf, Path logDir) throws IOException {
    Files.createDirectories(logDir);
    Path out = logDir.resolve(name + ".out").toAbsolutePath();
    Path err = logDir.resolve(name + ".err").toAbsolutePath();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    // INFO for the extensions (elections, placements, cron moves) in the node's own log file
    cmd.add("-Dorg.slf4j.simpleLogger.log.dev.vxext=info");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MAIN);
    cmd.add("-conf");
    cmd.add(conf.encode());
    ProcessBuilder pb = new ProcessBuilder(cmd)
      .redirectOutput(out.toFile())
      .redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("VXEXT_"));
    return new NodeJvm(name, pb.start(), out, err);
  }

  /** @return the operating-system process id */
  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /**
   * Waits until the node prints {@code vxext: node <name> started} on stdout.
   *
   * @return nanoseconds from the start of the JVM to that line
   * @throws IllegalStateException when the JVM exits first or the line does not come within {@code timeoutMs}
   */
  long awaitStarted(long timeoutMs) {
    String expected = "vxext: node " + name + " started";
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    long maxPolls = timeoutMs / DemoTables.POLL_MS + 1;
    for (long i = 0; i < maxPolls && System.nanoTime() < deadline; i++) {
      if (printed(expected)) {
        return System.nanoTime() - startedAt;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with code " + process.exitValue() + " before it started; "
          + "last stderr line: " + lastLine(stderr) + " (see " + stderr + ")");
      }
      DemoTables.pause();
    }
    if (printed(expected)) {
      return System.nanoTime() - startedAt;
    }
    throw new IllegalStateException(name + " did not print '" + expected + "' within " + timeoutMs / 1000
      + " s (see " + stdout + " and " + stderr + ")");
  }

  private boolean printed(String text) {
    try {
      return Files.exists(stdout) && Files.readString(stdout, StandardCharsets.UTF_8).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  /** @return the last non-empty line of a log file, or "(none)" */
  static String lastLine(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (!lines.get(i).isBlank()) {
          return lines.get(i).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // unreadable: fall through
    }
    return "(none)";
  }

  /** Sends SIGKILL (kill -9). */
  void kill() {
    process.destroyForcibly();
  }

  /** Sends SIGTERM: the node leaves the cluster gracefully. */
  void terminate() {
    process.destroy();
  }

  /** Waits at most {@code timeoutMs} for the JVM to exit. @return true when it has exited */
  boolean awaitExit(long timeoutMs) {
    try {
      return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  /** @return the exit code, or -1 while running */
  int exitCode() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  /** Kills the JVM if it still runs and waits for it (bounded); used on failure paths and at JVM exit. */
  void killQuietly(long timeoutMs) {
    if (process.isAlive()) {
      process.destroyForcibly();
      awaitExit(timeoutMs);
    }
  }
}
