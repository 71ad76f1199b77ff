package dev.vxext.cron;

import dev.vxext.NodeOptions;
import dev.vxext.cron.impl.CronSchedule;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Schedule math (no cluster): dialects, macros, daylight-saving changes, validation. */
class CronScheduleTest {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static List<ZonedDateTime> ticks(CronSchedule s, Clock clock, int n) {
    List<ZonedDateTime> out = new ArrayList<>();
    CronSchedule.Tick t = s.nextAfter(clock.instant());
    for (int i = 0; i < n && t != null; i++) {
      out.add(t.at().atZone(s.zone()));
      t = s.next(t.at(), t.wall());
    }
    return out;
  }

  @Test
  void dailyJobInTheSpringGapFiresOnceShiftedByTheGap() {
    Clock clock = Clock.fixed(ZonedDateTime.of(2026, 3, 28, 12, 0, 0, 0, BERLIN).toInstant(), BERLIN);
    List<ZonedDateTime> t = ticks(CronSchedule.of("30 2 * * *", "unix", BERLIN), clock, 3);
    // 2026-03-29 02:30 does not exist in Berlin (02:00 -> 03:00): it fires once, at 03:30 CEST
    assertThat(t.get(0)).isEqualTo(ZonedDateTime.of(2026, 3, 29, 3, 30, 0, 0, BERLIN));
    assertThat(t.get(1)).isEqualTo(ZonedDateTime.of(2026, 3, 30, 2, 30, 0, 0, BERLIN));
    assertThat(t.get(2)).isEqualTo(ZonedDateTime.of(2026, 3, 31, 2, 30, 0, 0, BERLIN));
  }

  @Test
  void dailyJobInTheAutumnRepeatFiresOnce() {
    Clock clock = Clock.fixed(ZonedDateTime.of(2026, 10, 24, 12, 0, 0, 0, BERLIN).toInstant(), BERLIN);
    List<ZonedDateTime> t = ticks(CronSchedule.of("30 2 * * *", "unix", BERLIN), clock, 2);
    // 2026-10-25 02:30 happens twice (03:00 CEST -> 02:00 CET): only the first one fires
    assertThat(t.get(0).toInstant()).isEqualTo(Instant.parse("2026-10-25T00:30:00Z"));
    assertThat(t.get(1).toInstant()).isEqualTo(Instant.parse("2026-10-26T01:30:00Z"));
  }

  @Test
  void everyMinuteKeepsOneFirePerRealMinuteAcrossBothChanges() {
    CronSchedule s = CronSchedule.of("* * * * *", "unix", BERLIN);
    for (ZonedDateTime start : List.of(ZonedDateTime.of(2026, 3, 29, 1, 0, 0, 0, BERLIN),
      ZonedDateTime.of(2026, 10, 25, 1, 30, 0, 0, BERLIN))) {
      List<ZonedDateTime> t = ticks(s, Clock.fixed(start.toInstant(), BERLIN), 180);
      Set<Instant> distinct = new HashSet<>();
      for (int i = 1; i < t.size(); i++) {
        long gap = t.get(i).toInstant().getEpochSecond() - t.get(i - 1).toInstant().getEpochSecond();
        assertThat(gap).as("after %s", t.get(i - 1)).isEqualTo(60);
        distinct.add(t.get(i).toInstant());
      }
      assertThat(distinct).hasSize(t.size() - 1);
    }
  }

  @Test
  void dialectsAndMacros() {
    Instant now = Instant.parse("2026-01-01T00:00:00.500Z");
    ZoneId utc = ZoneId.of("UTC");
    assertThat(CronSchedule.of("*/5 * * * * ?", "quartz", utc).nextAfter(now).at()).isEqualTo(Instant.parse("2026-01-01T00:00:05Z"));
    assertThat(CronSchedule.of("0 */5 * * * *", "spring", utc).nextAfter(now).at()).isEqualTo(Instant.parse("2026-01-01T00:05:00Z"));
    assertThat(CronSchedule.of("@hourly", "unix", utc).nextAfter(now).at()).isEqualTo(Instant.parse("2026-01-01T01:00:00Z"));
    assertThat(CronSchedule.of("@daily", "unix", utc).nextAfter(now).at()).isEqualTo(Instant.parse("2026-01-02T00:00:00Z"));
    assertThat(CronSchedule.of("@weekly", "unix", utc).nextAfter(now).at()).isEqualTo(Instant.parse("2026-01-04T00:00:00Z"));
    assertThat(CronSchedule.of("@monthly", "unix", utc).nextAfter(now).at()).isEqualTo(Instant.parse("2026-02-01T00:00:00Z"));
    assertThat(CronSchedule.of("@hourly", "quartz", utc).nextAfter(now).at()).isEqualTo(Instant.parse("2026-01-01T01:00:00Z"));
    assertThat(CronSchedule.of("@daily", "spring", utc).nextAfter(now).at()).isEqualTo(Instant.parse("2026-01-02T00:00:00Z"));
  }

  @Test
  void invalidJobsAreRefusedWithTheJobNameAndTheProblem() {
    assertThatThrownBy(() -> new CronJob("bad-spec", "61 * * * *", "p")).hasMessageContaining("bad-spec").hasMessageContaining("61");
    assertThatThrownBy(() -> new CronJob("four", "* * * *", "p")).hasMessageContaining("four").hasMessageContaining("4 parts");
    assertThatThrownBy(() -> new CronJob("macro", "@sometimes", "p")).hasMessageContaining("macro").hasMessageContaining("@sometimes");
    assertThatThrownBy(() -> new CronJob("z", "* * * * *", "p").setZone("Mars/Olympus")).hasMessageContaining("'z'").hasMessageContaining("Mars/Olympus");
    assertThatThrownBy(() -> new CronJob("s", "* * * * *", "p").setScope("GALAXY")).hasMessageContaining("'s'").hasMessageContaining("GALAXY");
    assertThatThrownBy(() -> new CronJob("d", "* * * * *", "p").setDialect("cobol")).hasMessageContaining("cobol");
    assertThatThrownBy(() -> new CronJob("", "* * * * *", "p")).hasMessageContaining("name");
    assertThatThrownBy(() -> new CronJob("t", "* * * * *", "bad target")).hasMessageContaining("triggerProcess");
    assertThatThrownBy(() -> new CronJob("g", "* * * * *", "p").setMisfireGrace(-1)).hasMessageContaining("misfireGrace");
    assertThatThrownBy(() -> new NodeOptions().addCronJob(new CronJob("dup", "* * * * *", "p")).addCronJob(new CronJob("dup", "@daily", "q")))
      .hasMessageContaining("'dup' is declared twice");
    JsonObject conf = new JsonObject().put("nodeName", "n").put("cronJobs", new JsonArray()
      .add(new JsonObject().put("name", "from-json").put("spec", "* * * * * *").put("triggerProcess", "p")));
    assertThatThrownBy(() -> new NodeOptions(conf)).hasMessageContaining("from-json").hasMessageContaining("6 parts");
    JsonObject ok = new JsonObject().put("nodeName", "n").put("cronJobs", new JsonArray()
      .add(new JsonObject().put("name", "sec").put("spec", "*/2 * * * * ?").put("dialect", "quartz")
        .put("triggerProcess", "p").put("zone", "Europe/Berlin").put("scope", "node").put("payload", new JsonObject().put("k", 1))));
    NodeOptions parsed = new NodeOptions(ok);
    CronJob job = parsed.getCronJobs().get(0);
    assertThat(job.getScope()).isEqualTo(CronScope.NODE);
    assertThat(job.getZone()).isEqualTo(BERLIN);
    assertThat(new NodeOptions(parsed).getCronJobs().get(0).toJson()).isEqualTo(job.toJson());
  }

  /** The dialect may be set before or after the spec; a spec invalid in the final dialect is still refused. */
  @Test
  void theDialectAndTheSpecMayBeSetInEitherOrder() {
    CronJob after = new CronJob().setName("after").setSpec("*/10 * * * * ?").setDialect("quartz").setTriggerProcess("p");
    CronJob before = new CronJob().setName("before").setDialect("quartz").setSpec("*/10 * * * * ?").setTriggerProcess("p");
    after.validate();
    before.validate();
    assertThat(after.getSpec()).isEqualTo(before.getSpec()).isEqualTo("*/10 * * * * ?");
    assertThat(after.getDialect()).isEqualTo(before.getDialect()).isEqualTo("quartz");
    assertThat(new NodeOptions().setNodeName("n").addCronJob(after).getCronJobs().get(0).getDialect()).isEqualTo("quartz");
    // a unix spec, then the quartz dialect: valid in neither order once both are known
    CronJob unixThenQuartz = new CronJob().setName("mixed").setSpec("*/5 * * * *").setDialect("quartz").setTriggerProcess("p");
    assertThatThrownBy(unixThenQuartz::validate).hasMessageStartingWith("cron job 'mixed': invalid spec '*/5 * * * *' (quartz)");
    assertThatThrownBy(() -> new NodeOptions().addCronJob(unixThenQuartz))
      .hasMessageStartingWith("cron job 'mixed': invalid spec '*/5 * * * *' (quartz)");
    CronJob quartzThenUnix = new CronJob().setName("back").setDialect("quartz").setSpec("*/10 * * * * ?").setDialect("unix")
      .setTriggerProcess("p");
    assertThatThrownBy(quartzThenUnix::validate).hasMessageStartingWith("cron job 'back': invalid spec '*/10 * * * * ?' (unix)");
    // still invalid in every dialect: refused at once, in either order
    assertThatThrownBy(() -> new CronJob().setName("bad").setSpec("*/10 * * * * ? * *").setDialect("quartz"))
      .hasMessageStartingWith("cron job 'bad': invalid spec '*/10 * * * * ? * *' (unix)");
    assertThatThrownBy(() -> new CronJob().setName("bad").setDialect("quartz").setSpec("61 * * * * ?"))
      .hasMessageStartingWith("cron job 'bad': invalid spec '61 * * * * ?' (quartz)");
    // the JSON constructor: the key order does not matter either, and a spec invalid in its dialect is refused
    JsonObject specFirst = new JsonObject().put("name", "json").put("spec", "*/10 * * * * ?").put("dialect", "quartz")
      .put("triggerProcess", "p");
    assertThat(new CronJob(specFirst).getDialect()).isEqualTo("quartz");
    assertThatThrownBy(() -> new CronJob(specFirst.copy().put("dialect", "unix")))
      .hasMessageStartingWith("cron job 'json': invalid spec '*/10 * * * * ?' (unix)");
  }
}
