package dev.vxext.fault;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One JVM of a {@link FaultNode} for the fault suite: its stderr (the library's log, INFO for
 * {@code dev.vxext}) goes to {@code <logDir>/<node>-<incarnation>.log}, its stdout protocol lines are read
 * here and copied, stamped with this host's time, to {@code <node>-<incarnation>.out}. Signals are sent
 * with {@code kill}. Every JVM started is tracked in {@link #ALL} so a shutdown hook can kill it.
 */
final class FaultJvm {

  /** Every JVM started and not yet reaped, for the runner's shutdown hook. */
  static final Set<FaultJvm> ALL = ConcurrentHashMap.newKeySet();

  private static final int MAX_LINES = 100_000;
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  /** One {@code LEADERSHIP} line: when it was read and what it said. */
  record Leadership(long at, boolean leader) {
  }

  /**
   * The lifetime of one daemon instance in this JVM, from its {@code UP} and {@code DOWN} lines (the
   * node's own clock); {@code down} is -1 while it runs. An instance whose JVM ended without a
   * {@code DOWN} line (SIGKILL) ended with its JVM: see {@link #lives()}.
   */
  record Life(String daemon, String deploymentId, String host, long up, long down) {
    /** @return true when it had not stopped at {@code t} (it started before) */
    boolean runsAt(long t) {
      return up <= t && (down < 0 || down > t);
    }

    @Override
    public String toString() {
      return daemon + "@" + host + "/" + deploymentId + "[" + clock(up) + ".." + (down < 0 ? "running" : clock(down)) + "]";
    }
  }

  final String name;
  final int incarnation;
  final long startedAt;
  final Path log;
  final Path out;
  final Process process;
  final CompletableFuture<Long> ready = new CompletableFuture<>();
  private final List<Leadership> leadership = new ArrayList<>();
  private final java.util.Map<String, long[]> lives = new java.util.LinkedHashMap<>();
  private volatile String nodeId;
  private volatile int adminPort = -1;
  private volatile long exitedAt = -1;
  private volatile long sessionTimeout = -1;
  private volatile boolean frozen;
  private volatile long killedAt = -1;

  private FaultJvm(String name, int incarnation, long startedAt, Path log, Path out, Process process) {
    this.name = name;
    this.incarnation = incarnation;
    this.startedAt = startedAt;
    this.log = log;
    this.out = out;
    this.process = process;
  }

  /**
   * Starts {@code java -cp <this JVM's classpath> dev.vxext.fault.FaultNode args...}.
   *
   * @param startedAt the start time already recorded as the incarnation's start
   */
  static FaultJvm start(String name, int incarnation, long startedAt, List<String> args, Path logDir) throws IOException {
    Files.createDirectories(logDir);
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-Dorg.slf4j.simpleLogger.log.dev.vxext=" + System.getProperty("faults.nodeLogLevel", "info"),
      "-Dorg.slf4j.simpleLogger.log.dev.vxext.daemon.impl.DaemonRecovery=debug",
      "-Dorg.slf4j.simpleLogger.log.org.apache.curator.framework.state.ConnectionStateManager=info",
      "-Dorg.slf4j.simpleLogger.log.org.apache.zookeeper.ClientCnxn=info",
      "-cp", System.getProperty("java.class.path"), FaultNode.class.getName()));
    command.addAll(args);
    Path log = logDir.resolve(name + "-" + incarnation + ".log").toAbsolutePath();
    Path out = logDir.resolve(name + "-" + incarnation + ".out").toAbsolutePath();
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("VXEXT_"));
    FaultJvm jvm = new FaultJvm(name, incarnation, startedAt, log, out, pb.start());
    ALL.add(jvm);
    jvm.process.onExit().thenRun(jvm::exited);
    Thread reader = new Thread(jvm::readStdout, "stdout-" + name + "-" + incarnation);
    reader.setDaemon(true);
    reader.start();
    return jvm;
  }

  private void readStdout() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
         BufferedWriter copy = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      for (int i = 0; i < MAX_LINES; i++) {
        String line = in.readLine();
        if (line == null) {
          break;
        }
        long now = System.currentTimeMillis();
        copy.write(clock(now) + " " + line + "\n");
        copy.flush();
        if (line.startsWith("LEADERSHIP " + name + " ")) {
          synchronized (leadership) {
            leadership.add(new Leadership(now, line.endsWith(" true")));
          }
        } else if (line.startsWith("SESSION " + name + " ")) {
          sessionTimeout = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        } else if (line.equals("READY " + name)) {
          ready.complete(now);
        } else if (line.startsWith("NODEID " + name + " ")) {
          nodeId = line.substring(line.lastIndexOf(' ') + 1);
        } else if (line.startsWith("ADMIN " + name + " ")) {
          adminPort = Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
        } else if (line.startsWith("UP ") || line.startsWith("DOWN ")) {
          life(line.split(" "));
        }
      }
    } catch (IOException | RuntimeException e) {
      // the JVM is gone
    }
    ready.completeExceptionally(new IllegalStateException(name + "#" + incarnation + " ended its output before READY"));
  }

  /** Records an {@code UP|DOWN <daemon> <deploymentId> <epoch ms>} line. */
  private void life(String[] parts) {
    if (parts.length != 4) {
      return;
    }
    long t = Long.parseLong(parts[3]);
    synchronized (lives) {
      long[] life = lives.computeIfAbsent(parts[1] + " " + parts[2], k -> new long[] {-1, -1});
      if (parts[0].equals("UP")) {
        life[0] = t;
      } else {
        life[1] = t;
      }
    }
  }

  /**
   * @return every daemon instance this JVM ran, by start time; an instance without a {@code DOWN} line
   *   ended when the JVM was killed or exited (-1 while the JVM lives)
   */
  List<Life> lives() {
    long end = killedAt > 0 ? killedAt : exitedAt;
    List<Life> list = new ArrayList<>();
    synchronized (lives) {
      lives.forEach((k, v) -> {
        if (v[0] > 0) {
          String[] key = k.split(" ");
          list.add(new Life(key[0], key[1], id(), v[0], v[1] >= 0 ? v[1] : end));
        }
      });
    }
    list.sort(java.util.Comparator.comparingLong(Life::up));
    return list;
  }

  /** @return the cluster node id the node printed, or null */
  String nodeId() {
    return nodeId;
  }

  /** @return the admin port the node printed, or -1 */
  int adminPort() {
    return adminPort;
  }

  /** @return when the JVM was seen to exit, epoch ms, or -1 */
  long exitedAt() {
    return exitedAt;
  }

  /**
   * SIGTERM (a graceful leave: the node's shutdown hook closes it).
   *
   * @return the time the signal was sent
   */
  long terminate() throws IOException, InterruptedException {
    long at = System.currentTimeMillis();
    signal("-TERM");
    return at;
  }

  /**
   * Closes the node's stdin (EOF: the node closes cleanly and exits 0).
   *
   * @return the time stdin was closed
   */
  long closeStdin() {
    long at = System.currentTimeMillis();
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already gone
    }
    return at;
  }

  /** Waits at most {@code ms} for the JVM to exit (and records when it did). @return true when it has */
  boolean awaitExit(long ms) throws InterruptedException {
    boolean exited = process.waitFor(ms, TimeUnit.MILLISECONDS);
    if (exited) {
      exited();
    }
    return exited;
  }

  /** Records the exit time once: the first of the exit callback and a wait that saw it. */
  private synchronized void exited() {
    if (exitedAt < 0) {
      exitedAt = System.currentTimeMillis();
    }
  }

  /** @return {@code HH:mm:ss.SSS} of an epoch-ms time, as the node logs print it */
  static String clock(long epochMs) {
    return CLOCK.format(LocalTime.ofInstant(Instant.ofEpochMilli(epochMs), ZoneId.systemDefault()));
  }

  /** @return {@code node#incarnation} */
  String id() {
    return name + "#" + incarnation;
  }

  long pid() {
    return process.pid();
  }

  /** @return true when the JVM printed READY */
  boolean isReady() {
    return ready.isDone() && !ready.isCompletedExceptionally();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** @return true while the JVM is SIGSTOPped (by {@link #freeze()}) */
  boolean frozen() {
    return frozen;
  }

  /** @return the negotiated session timeout the node printed, or -1 */
  long sessionTimeout() {
    return sessionTimeout;
  }

  /** @return true when the node's last {@code LEADERSHIP} line said it leads */
  boolean saysLeader() {
    synchronized (leadership) {
      return !leadership.isEmpty() && leadership.get(leadership.size() - 1).leader();
    }
  }

  /** @return every {@code LEADERSHIP} line so far */
  List<Leadership> leadership() {
    synchronized (leadership) {
      return List.copyOf(leadership);
    }
  }

  /** @return the time of the kill -9, or -1 */
  long killedAt() {
    return killedAt;
  }

  /** Waits for READY, at most {@code ms}. @return true when ready */
  boolean awaitReady(long ms) {
    try {
      ready.get(ms, TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * SIGKILL, then waits (at most 10 s) until the JVM is gone.
   *
   * @return the time the signal was sent, epoch ms
   */
  long kill9() throws InterruptedException {
    killedAt = System.currentTimeMillis();
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
    return killedAt;
  }

  /** SIGSTOP. @return the time the signal was sent */
  long freeze() throws IOException, InterruptedException {
    long at = System.currentTimeMillis();
    signal("-STOP");
    frozen = true;
    return at;
  }

  /** SIGCONT. @return the time the signal was sent */
  long thaw() throws IOException, InterruptedException {
    long at = System.currentTimeMillis();
    signal("-CONT");
    frozen = false;
    return at;
  }

  private void signal(String sig) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", sig, Long.toString(pid())).redirectErrorStream(true).start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      kill.destroyForcibly();
      throw new IOException("kill " + sig + " " + pid() + " failed");
    }
  }

  /**
   * Stops the JVM: SIGCONT if frozen, stdin EOF (a clean close), waits until {@code deadline}
   * (System.nanoTime), then SIGKILL and at most 5 s more.
   *
   * @return the exit status, or a word when it could not be reaped
   */
  Object stop(long deadline) {
    try {
      if (frozen && process.isAlive()) {
        thaw();
      }
    } catch (IOException | InterruptedException e) {
      // killed below anyway
    }
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already gone
    }
    try {
      boolean clean = process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (!clean) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
      if (!process.isAlive()) {
        ALL.remove(this);
        return clean ? process.exitValue() : "killed";
      }
      return "alive";
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** For shutdown hooks: SIGKILL without waiting. */
  void killNow() {
    process.destroyForcibly();
  }

  /** @return the lines of the node's log containing any of {@code needles} */
  List<String> logLines(String... needles) {
    return FaultReport.grep(log, needles);
  }


  /**
   * @return the lines of this node's log where its reconciliation placed a daemon although, by its own
   *   {@code LEADERSHIP} lines, it did not lead {@code slackMs} before nor {@code slackMs} after
   */
  List<String> placementsWhileNotLeading(long slackMs) {
    List<Leadership> states = leadership();
    List<String> found = new ArrayList<>();
    for (String line : logLines("placed on")) {
      long t = FaultReport.logTime(line, startedAt);
      if (t >= 0 && !leadingAt(states, t - slackMs) && !leadingAt(states, t + slackMs)) {
        found.add(line);
      }
    }
    return found;
  }

  private static boolean leadingAt(List<Leadership> states, long t) {
    boolean leading = false;
    for (Leadership l : states) {
      if (l.at() <= t) {
        leading = l.leader();
      }
    }
    return leading;
  }

  @Override
  public String toString() {
    return id() + "(pid " + process.pid() + ")";
  }
}
