package dev.vxext.demo;

import dev.vxext.process.ProcessVerticle;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The cron side of {@link FailoverDemo}: a process that records the ticks it receives
 * ({@code {job, scheduledAt, firedAt, node}}), and the table of the ticks of one time window.
 */
final class CronTicks {

  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter CLOCK_MS = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
  /** At most this many ticks are kept (the demo runs for about a minute, one tick a second). */
  private static final int MAX_TICKS = 10_000;
  /** A tick fired this much after its scheduled time is marked late, ms. */
  private static final long LATE_MS = 200;

  private final Queue<JsonObject> ticks = new ConcurrentLinkedQueue<>();

  /**
   * What one window of ticks showed.
   *
   * @param seen ticks received for scheduled times in the window
   * @param duplicates scheduled times received more than once
   * @param missing scheduled times in the window never received
   * @param lastNode the node that fired the last tick of the window ({@code null} when none)
   * @param ownerBeforeKill the node that fired the last tick scheduled before the kill ({@code null} when none)
   */
  record Summary(int seen, int duplicates, int missing, String lastNode, String ownerBeforeKill) {
  }

  /** The process {@code demo.ticks}: records each tick, answers a call with the number recorded. */
  final class Recorder extends ProcessVerticle {

    @Override
    protected void handle(Message<Object> message) {
      if (message.body() instanceof JsonObject tick && tick.containsKey("scheduledAt")) {
        if (ticks.size() < MAX_TICKS) {
          ticks.add(tick.copy().put("receivedAt", System.currentTimeMillis()));
        }
        if (message.replyAddress() != null) {
          message.reply(null);
        }
      } else {
        message.reply(new JsonObject().put("ticks", ticks.size()));
      }
    }
  }

  /** @return a new recorder verticle writing into this object */
  Recorder recorder() {
    return new Recorder();
  }

  /** @return true once a tick of {@code job} scheduled at or after {@code scheduledAtMs} was received */
  boolean received(String job, long scheduledAtMs) {
    return ticks.stream().anyMatch(t -> job.equals(t.getString("job")) && t.getLong("scheduledAt", 0L) >= scheduledAtMs);
  }

  /**
   * @return true when the last {@code n} ticks of {@code job} received were for consecutive seconds, each
   *   fired on time, and the last one is at most 2 s old
   */
  boolean steady(String job, int n) {
    List<JsonObject> last = new ArrayList<>();
    for (JsonObject t : ticks) {
      if (job.equals(t.getString("job"))) {
        last.add(t);
      }
    }
    if (last.size() < n) {
      return false;
    }
    last = last.subList(last.size() - n, last.size());
    for (int i = 0; i < n; i++) {
      JsonObject t = last.get(i);
      long at = t.getLong("scheduledAt", 0L);
      if (t.getLong("firedAt", 0L) - at >= LATE_MS || i > 0 && at != last.get(i - 1).getLong("scheduledAt", 0L) + 1000) {
        return false;
      }
    }
    return System.currentTimeMillis() - last.get(n - 1).getLong("scheduledAt", 0L) <= 2_000;
  }

  /** @return how many ticks of {@code job} were received so far */
  int count(String job) {
    return (int) ticks.stream().filter(t -> job.equals(t.getString("job"))).count();
  }

  /**
   * Prints one row per scheduled second of {@code [fromMs, toMs]} (whole seconds) and a summary line.
   *
   * @param killedAtMs wall-clock time of the kill, marked in the table
   * @param victim the killed node
   * @param newOwnerAtMs wall-clock time the survivors saw the victim leave (0 when unknown), marked too
   */
  Summary print(PrintStream out, String job, long fromMs, long toMs, long killedAtMs, String victim, long newOwnerAtMs) {
    Map<Long, List<JsonObject>> bySecond = new TreeMap<>();
    for (JsonObject t : ticks) {
      long at = t.getLong("scheduledAt", 0L);
      if (job.equals(t.getString("job")) && at >= fromMs && at <= toMs) {
        bySecond.computeIfAbsent(at, k -> new ArrayList<>()).add(t);
      }
    }
    String ownerBeforeKill = null;
    for (JsonObject t : ticks) {
      if (job.equals(t.getString("job")) && t.getLong("scheduledAt", 0L) < killedAtMs) {
        ownerBeforeKill = t.getString("node");
      }
    }
    boolean victimOwned = victim.equals(ownerBeforeKill);
    List<String[]> rows = new ArrayList<>();
    int seen = 0;
    int duplicates = 0;
    int missing = 0;
    String lastNode = null;
    long seconds = (toMs - fromMs) / 1000 + 1;
    for (long i = 0; i < seconds; i++) {
      long at = fromMs + i * 1000;
      List<JsonObject> got = bySecond.getOrDefault(at, List.of());
      String note = note(at, killedAtMs, victim, newOwnerAtMs);
      if (got.isEmpty()) {
        missing++;
        boolean explained = victimOwned && at >= killedAtMs - 1000 && (newOwnerAtMs == 0 || at <= newOwnerAtMs);
        rows.add(new String[] {CLOCK.format(Instant.ofEpochMilli(at)), "(missing)", null,
          join(note, explained ? "no tick: its owner " + victim + " was dead and not yet replaced" : "no tick")});
        continue;
      }
      seen += got.size();
      if (got.size() > 1) {
        duplicates++;
      }
      for (JsonObject t : got) {
        long late = t.getLong("firedAt", at) - at;
        lastNode = t.getString("node");
        String why = late < LATE_MS ? null : at < killedAtMs || lastNode.equals(victim) ? "fired late"
          : "fired late: caught up by the new owner";
        rows.add(new String[] {CLOCK.format(Instant.ofEpochMilli(at)), lastNode, Long.toString(late),
          join(join(note, why), got.size() > 1 ? "DUPLICATE" : null)});
      }
    }
    out.printf("Ticks of '%s' received by demo.ticks, scheduled %s to %s UTC:%n", job,
      CLOCK.format(Instant.ofEpochMilli(fromMs)), CLOCK.format(Instant.ofEpochMilli(toMs)));
    DemoTables.table(out, new String[] {"scheduled second", "fired by node", "lateness ms", "note"}, rows);
    out.printf("Summary: %d tick(s) seen in %d s, duplicates (same scheduledAt twice): %d (0 expected), "
      + "missing seconds in the window: %d%n", seen, seconds, duplicates, missing);
    return new Summary(seen, duplicates, missing, lastNode, ownerBeforeKill);
  }

  private static String note(long at, long killedAtMs, String victim, long newOwnerAtMs) {
    String note = null;
    if (killedAtMs >= at && killedAtMs < at + 1000) {
      note = victim + " killed at " + CLOCK_MS.format(Instant.ofEpochMilli(killedAtMs));
    }
    if (newOwnerAtMs > 0 && newOwnerAtMs >= at && newOwnerAtMs < at + 1000) {
      note = join(note, "survivors see " + victim + " gone at " + CLOCK_MS.format(Instant.ofEpochMilli(newOwnerAtMs)));
    }
    return note;
  }

  private static String join(String a, String b) {
    if (a == null) return b;
    if (b == null) return a;
    return a + "; " + b;
  }
}
