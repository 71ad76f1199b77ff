package dev.vxext.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for multi-process tests: its stdout and stderr lines are collected; {@link #close()}
 * kills it (bounded).
 */
public final class ChildJvm implements AutoCloseable {

  private final Process process;
  private final Queue<String> out = new ConcurrentLinkedQueue<>();
  private final Queue<String> err = new ConcurrentLinkedQueue<>();

  private ChildJvm(Process process) {
    this.process = process;
    pump(process.getInputStream(), out);
    pump(process.getErrorStream(), err);
  }

  /** Starts {@code java -cp <this JVM's classpath> <main> args...} with extra environment variables. */
  public static ChildJvm start(String main, List<String> args, Map<String, String> env) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main);
    cmd.addAll(args);
    return start(cmd, env);
  }

  /**
   * Starts {@code java <jvmOptions> -cp <classpath> <main> args...} with extra environment variables.
   */
  public static ChildJvm start(List<String> jvmOptions, String classpath, String main, List<String> args,
                               Map<String, String> env) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(main);
    cmd.addAll(args);
    return start(cmd, env);
  }

  /**
   * @return this JVM's classpath without the test classes and resources (no {@code simplelogger.properties}
   *   of the tests): the classes and dependencies a packaged application sees
   */
  public static String mainClasspath() {
    return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
      .filter(e -> !Path.of(e).endsWith("test-classes"))
      .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
  }

  /** Starts any command. */
  public static ChildJvm start(List<String> command, Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    return new ChildJvm(pb.start());
  }

  private static void pump(java.io.InputStream in, Queue<String> lines) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the process is gone
      }
    }, "child-jvm-pump");
    t.setDaemon(true);
    t.start();
  }

  /** Waits (bounded) for the process to exit. @return its exit code */
  public int waitFor(Duration atMost) throws InterruptedException {
    if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("process did not exit within " + atMost + "; stdout " + out + " stderr " + err);
    }
    return process.exitValue();
  }

  /** @return true when some stdout line contains {@code text} */
  public boolean printed(String text) {
    return out.stream().anyMatch(l -> l.contains(text));
  }

  public List<String> stdout() {
    return List.copyOf(out);
  }

  public List<String> stderr() {
    return List.copyOf(err);
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** Sends SIGTERM (a graceful stop). */
  public void terminate() {
    process.destroy();
  }

  /** Sends SIGKILL. */
  public void kill() {
    process.destroyForcibly();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
