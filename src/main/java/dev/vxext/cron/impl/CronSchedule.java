package dev.vxext.cron.impl;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.field.CronFieldName;
import com.cronutils.model.field.expression.Always;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The schedule of a job, in wall-clock time of its zone.
 * <p>
 * A job at fixed hours is evaluated on the wall clock: each matching wall-clock time fires once, fire
 * instants strictly increase. Across daylight-saving changes a time that does not exist (spring gap)
 * fires once, shifted by the gap (02:30 becomes 03:30), and a time that occurs twice (autumn overlap)
 * fires at its first occurrence only. A job whose hour field is {@code *} (it runs every hour) follows
 * real time instead: nothing to fire in the spring gap, and the repeated autumn hour fires again, so it
 * keeps its rhythm.
 */
public final class CronSchedule {

  /** The supported dialects. */
  public static final List<String> DIALECTS = List.of("unix", "quartz", "spring");

  private static final Map<String, String> UNIX_MACROS = Map.of(
    "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
    "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
  private static final Map<String, String> QUARTZ_MACROS = Map.of(
    "@yearly", "0 0 0 1 1 ?", "@annually", "0 0 0 1 1 ?", "@monthly", "0 0 0 1 * ?", "@weekly", "0 0 0 ? * SUN",
    "@daily", "0 0 0 * * ?", "@midnight", "0 0 0 * * ?", "@hourly", "0 0 * * * ?");
  private static final Map<String, String> SPRING_MACROS = Map.of(
    "@yearly", "0 0 0 1 1 *", "@annually", "0 0 0 1 1 *", "@monthly", "0 0 0 1 * *", "@weekly", "0 0 0 * * SUN",
    "@daily", "0 0 0 * * *", "@midnight", "0 0 0 * * *", "@hourly", "0 0 * * * *");
  private static final int MAX_STEPS = 10_000;

  private final ExecutionTime execution;
  private final ZoneId zone;
  private final boolean everyHour;

  private CronSchedule(Cron cron, ZoneId zone) {
    this.execution = ExecutionTime.forCron(cron);
    this.zone = zone;
    this.everyHour = cron.retrieve(CronFieldName.HOUR).getExpression() instanceof Always;
  }

  /**
   * @return the schedule of {@code spec} in {@code dialect}, in {@code zone}
   * @throws IllegalArgumentException when the spec is invalid
   */
  public static CronSchedule of(String spec, String dialect, ZoneId zone) {
    return new CronSchedule(parse(spec, dialect), zone);
  }

  /**
   * @return the parsed expression
   * @throws IllegalArgumentException when the spec is invalid in that dialect
   */
  public static Cron parse(String spec, String dialect) {
    String d = dialect.toLowerCase(Locale.ROOT);
    CronType type;
    Map<String, String> macros;
    switch (d) {
      case "unix" -> {
        type = CronType.UNIX;
        macros = UNIX_MACROS;
      }
      case "quartz" -> {
        type = CronType.QUARTZ;
        macros = QUARTZ_MACROS;
      }
      case "spring" -> {
        type = CronType.SPRING;
        macros = SPRING_MACROS;
      }
      default -> throw new IllegalArgumentException("unknown dialect " + dialect);
    }
    String s = spec.trim();
    String expression = macros.getOrDefault(s.toLowerCase(Locale.ROOT), s);
    if (expression.startsWith("@")) {
      throw new IllegalArgumentException("unknown macro " + s);
    }
    return new CronParser(CronDefinitionBuilder.instanceDefinitionFor(type)).parse(expression).validate();
  }

  /** A scheduled tick: its wall-clock time and the instant it fires. */
  public record Tick(LocalDateTime wall, Instant at) {
  }

  /**
   * @param after the last fired (or reference) instant: the tick returned is strictly later
   * @param afterWall the wall time of that tick (or of the reference instant)
   * @return the next tick, or null when the expression never fires again
   */
  public Tick next(Instant after, LocalDateTime afterWall) {
    if (everyHour) {
      // runs every hour: real time, so the repeated autumn hour fires again and the spring gap has nothing
      Optional<ZonedDateTime> n = execution.nextExecution(after.truncatedTo(ChronoUnit.SECONDS).atZone(zone));
      for (int i = 0; n.isPresent() && i < MAX_STEPS; i++) {
        ZonedDateTime t = n.get().truncatedTo(ChronoUnit.SECONDS);
        if (t.toInstant().isAfter(after)) {
          return new Tick(t.toLocalDateTime(), t.toInstant());
        }
        n = execution.nextExecution(t);
      }
      return null;
    }
    LocalDateTime w = afterWall.truncatedTo(ChronoUnit.SECONDS);
    for (int i = 0; i < MAX_STEPS; i++) {
      Optional<ZonedDateTime> n = execution.nextExecution(w.atZone(ZoneOffset.UTC));
      if (n.isEmpty()) {
        return null;
      }
      w = n.get().toLocalDateTime().truncatedTo(ChronoUnit.SECONDS);
      Instant at = ZonedDateTime.ofLocal(w, zone, null).toInstant();
      if (at.isAfter(after)) {
        return new Tick(w, at);
      }
    }
    return null;
  }

  /** @return the first tick strictly after {@code now} */
  public Tick nextAfter(Instant now) {
    return next(now, LocalDateTime.ofInstant(now, zone));
  }

  /** @return how many ticks lie strictly after {@code since} and strictly before {@code until} (capped) */
  public int countBetween(Instant since, Instant until) {
    int n = 0;
    Tick t = nextAfter(since);
    while (t != null && t.at().isBefore(until) && n < MAX_STEPS) {
      n++;
      t = next(t.at(), t.wall());
    }
    return n;
  }

  /** @return the zone */
  public ZoneId zone() {
    return zone;
  }
}
