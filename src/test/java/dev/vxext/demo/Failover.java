package dev.vxext.demo;

import dev.vxext.ClusterNode;
import dev.vxext.cluster.MembershipEvent;
import dev.vxext.process.ProcessId;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.vxext.demo.DemoTables.ms;

/**
 * Step c of {@link FailoverDemo}: kills the node JVM that runs {@code counter.orders} with SIGKILL and
 * polls from the observer until the daemon answers from another node; prints the timeline, the failover
 * time and where every daemon of the dead node went.
 */
final class Failover {

  private static final String WATCHED = "counter.orders";
  private static final long FAILOVER_TIMEOUT_MS = 30_000;
  private static final long CALL_TIMEOUT_MS = 1_000;
  private static final Pattern ELECTION = Pattern.compile("\\[node=([^\\]]+)\\] election (\\S+) -> (\\S+) \\(epoch (\\d+)");
  /** What a lookup answers for "no such process" (404). */
  private static final String NOT_FOUND = "(404: not found)";

  private final PrintStream out;
  private final ClusterNode observer;
  private final List<NodeJvm> jvms;
  private final Map<String, String> placement;
  private final String leader;

  /** The killed node. */
  String victim;
  /** Wall-clock ms of the kill, of the first answer from the new instance, of the victim's LEFT event. */
  long killedAtMs;
  long servedAtMs;
  long goneAtMs;

  Failover(PrintStream out, ClusterNode observer, List<NodeJvm> jvms, Map<String, String> placement, String leader) {
    this.out = out;
    this.observer = observer;
    this.jvms = jvms;
    this.placement = placement;
    this.leader = leader;
  }

  void run() {
    DemoTables.step(out, "c. kill -9 the node JVM that runs " + WATCHED);
    victim = placement.get(WATCHED);
    NodeJvm jvm = jvms.stream().filter(j -> j.name.equals(victim)).findFirst()
      .orElseThrow(() -> new IllegalStateException(WATCHED + " runs on " + victim + ", which is not a node JVM"));
    List<String> moved = placement.keySet().stream().filter(d -> placement.get(d).equals(victim)).toList();
    boolean wasLeader = victim.equals(leader);
    AtomicLong leftNanos = new AtomicLong(-1);
    MessageConsumer<JsonObject> members = observer.vertx().eventBus().localConsumer(WhereIs.MEMBERSHIP_ADDRESS, m -> {
      MembershipEvent e = MembershipEvent.fromJson(m.body());
      if (e.type() == MembershipEvent.Type.LEFT && e.node().equals(victim) && leftNanos.compareAndSet(-1, System.nanoTime())) {
        goneAtMs = System.currentTimeMillis();
      }
    });
    DemoTables.await(members.completion(), 5_000, "watching membership");
    out.printf("Killing %s (pid %d) with SIGKILL (Process.destroyForcibly()); it runs %s and %s.%n", victim, jvm.pid(),
      moved, wasLeader ? "it is the LEADER" : "the leader is " + leader);

    long t0 = System.nanoTime();
    killedAtMs = System.currentTimeMillis();
    jvm.kill();
    if (!jvm.awaitExit(10_000)) {
      throw new IllegalStateException(victim + " did not die within 10 s of SIGKILL");
    }
    long exited = System.nanoTime() - t0;
    long gone = -1;
    long located = -1;
    long served = -1;
    String newNode = null;
    JsonObject reply = null;
    int polls = 0;
    String newLeader = null;
    long leaderAt = -1;
    long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(FAILOVER_TIMEOUT_MS);
    for (int i = 0; i < FAILOVER_TIMEOUT_MS / DemoTables.POLL_MS && System.nanoTime() < deadline && served < 0; i++) {
      polls++;
      String l = wasLeader && newLeader == null ? observer.leader() : null;
      if (l != null && !l.equals(victim)) {
        newLeader = l;
        leaderAt = System.nanoTime() - t0;
      }
      String node = where(WATCHED);
      if (NOT_FOUND.equals(node) && gone < 0) {
        gone = System.nanoTime() - t0;
      } else if (node != null && !NOT_FOUND.equals(node) && !node.equals(victim)) {
        if (located < 0) {
          located = System.nanoTime() - t0;
          newNode = node;
        }
        reply = call(WATCHED);
        if (reply != null) {
          served = System.nanoTime() - t0;
          servedAtMs = System.currentTimeMillis();
          newNode = node;
        }
      }
      if (served < 0) {
        DemoTables.pause();
      }
    }
    members.unregister();
    if (served < 0) {
      throw new IllegalStateException(WATCHED + " did not answer from another node within " + FAILOVER_TIMEOUT_MS / 1000
        + " s of the kill (last lookup: " + where(WATCHED) + ")");
    }
    if (wasLeader && newLeader == null) {
      newLeader = awaitLeader(observer, victim, 15_000);
      leaderAt = System.nanoTime() - t0;
      if (newLeader == null) {
        newLeader = leaderFromLogs(jvms);
        leaderAt = -1;
      }
    }

    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"SIGKILL sent to " + victim, "0 ms"});
    rows.add(new String[] {victim + " JVM exited (exit code " + jvm.exitCode() + ")", ms(exited)});
    if (leftNanos.get() > 0) {
      rows.add(new String[] {"observer sees " + victim + " leave (its ZooKeeper session expired)", ms(leftNanos.get() - t0)});
    }
    if (gone > 0) {
      rows.add(new String[] {"lookup(" + WATCHED + ") -> 404 (the dead node's names dropped)", ms(gone)});
    }
    rows.add(new String[] {"lookup(" + WATCHED + ") -> " + newNode + " (respawned by the leader)", ms(located)});
    rows.add(new String[] {"call(" + WATCHED + ") answered by " + newNode + ": " + reply.encode(), ms(served)});
    if (wasLeader) {
      rows.add(new String[] {"new leader: " + newLeader + (leaderAt < 0 ? " (from the election log lines)" : " (observer.leader())"),
        leaderAt < 0 ? "-" : ms(leaderAt)});
    }
    DemoTables.table(out, new String[] {"event (seen from the observer, polling every " + DemoTables.POLL_MS + " ms)", "after the kill"}, rows);
    out.printf("FAILOVER: %s serving again on %s %s after kill -9 (%d polls); sessionTimeout %d ms, settleDelay %d ms "
      + "(a crash costs about sessionTimeout: the leader - a new one when the leader was killed - finds the dead node's "
      + "port closed and places its daemons at once).%n", WATCHED, newNode, ms(served), polls,
      FailoverDemo.SESSION_TIMEOUT_MS, FailoverDemo.SETTLE_DELAY_MS);
    if (leftNanos.get() > 0 && leftNanos.get() - t0 < TimeUnit.MILLISECONDS.toNanos(FailoverDemo.SESSION_TIMEOUT_MS)) {
      out.println("(the session timeout runs from the dead node's last heartbeat to ZooKeeper, which came before the kill:"
        + " so the session can expire less than sessionTimeout after the kill)");
    }
    if (wasLeader) {
      out.printf("The killed node was the leader; the new leader is %s%s.%n", newLeader, observer.name().equals(newLeader)
        ? " (every node takes part in the election; the observer leads without hosting daemons: it places them"
          + " on the nodes that offer the launchers)" : "");
    }
    whereTheyWent(moved, t0, newNode, reply, served);
  }

  /** Waits until every daemon of the victim answers from a survivor, and prints where each went. */
  private void whereTheyWent(List<String> moved, long t0, String watchedNode, JsonObject watchedReply, long watchedAt) {
    Map<String, String> now = new LinkedHashMap<>();
    Map<String, JsonObject> replies = new LinkedHashMap<>();
    Map<String, Long> at = new LinkedHashMap<>();
    now.put(WATCHED, watchedNode);
    replies.put(WATCHED, watchedReply);
    at.put(WATCHED, watchedAt);
    DemoTables.until("every daemon of " + victim + " " + moved + " answers from another node", FAILOVER_TIMEOUT_MS, () -> {
      for (String d : moved) {
        if (replies.containsKey(d)) {
          continue;
        }
        String node = where(d);
        if (node == null || node.equals(NOT_FOUND) || node.equals(victim)) {
          return false;
        }
        JsonObject reply = call(d);
        if (reply == null) {
          return false;
        }
        now.put(d, node);
        replies.put(d, reply);
        at.put(d, System.nanoTime() - t0);
      }
      return true;
    });
    List<String[]> rows = new ArrayList<>();
    for (String d : moved) {
      rows.add(new String[] {d, victim, now.get(d), replies.get(d).encode(), ms(at.get(d))});
    }
    out.printf("Where the daemons of %s went:%n", victim);
    DemoTables.table(out, new String[] {"daemon", "was on", "now on", "call reply", "answering since (after kill)"}, rows);
    out.println("(a respawned counter starts again from its configured start: the count shows it is a new instance)");
  }

  /** @return the node running {@code name}, {@link #NOT_FOUND} for a 404, {@code null} on any other failure */
  private String where(String name) {
    Future<String> f = observer.lookup(name).map(ProcessId::node)
      .recover(t -> WhereIs.hasCode(t, WhereIs.NOT_FOUND) ? Future.succeededFuture(NOT_FOUND) : Future.failedFuture(t));
    return DemoTables.awaitOrNull(f, 3_000);
  }

  private JsonObject call(String name) {
    Future<JsonObject> f = observer.<JsonObject>call(name, "inc", new DeliveryOptions().setSendTimeout(CALL_TIMEOUT_MS))
      .map(m -> m.body());
    return DemoTables.awaitOrNull(f, CALL_TIMEOUT_MS + 1_000);
  }

  /** Polls {@code observer.leader()} until it names a node other than {@code not}; {@code null} when it does not. */
  static String awaitLeader(ClusterNode observer, String not, long timeoutMs) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    for (long i = 0; i <= timeoutMs / DemoTables.POLL_MS && System.nanoTime() < deadline; i++) {
      String l = observer.leader();
      if (l != null && !l.equals(not)) {
        return l;
      }
      DemoTables.pause();
    }
    return null;
  }

  /**
   * The leader as the running node JVMs log it ({@code election X -> LEADER (epoch N)}): the node whose last
   * election line made it leader, with the highest epoch; {@code null} when none.
   */
  static String leaderFromLogs(List<NodeJvm> jvms) {
    String best = null;
    long bestEpoch = -1;
    for (NodeJvm jvm : jvms) {
      if (!jvm.alive()) {
        continue;
      }
      List<String> lines;
      try {
        lines = Files.readAllLines(jvm.stderr, StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        continue;
      }
      String state = null;
      long epoch = -1;
      for (String line : lines) {
        Matcher m = ELECTION.matcher(line);
        if (m.find() && m.group(1).equals(jvm.name)) {
          state = m.group(3);
          epoch = Long.parseLong(m.group(4));
        }
      }
      if ("LEADER".equals(state) && epoch > bestEpoch) {
        best = jvm.name;
        bestEpoch = epoch;
      }
    }
    return best;
  }
}
