package dev.vxext.cron;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.daemon.DaemonScanners;
import dev.vxext.daemon.Launcher;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.EchoProcess;
import dev.vxext.testing.LogCapture;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tick whose trigger process does not exist is not "fired": it is retried within the misfire grace, then
 * counted as missed (and in the misfire metric), for both scopes.
 */
class UndeliveredTickTest {

  @Test
  void aTickThatReachesNoProcessCountsAsMissedNotFired() {
    NodeOptions o = new NodeOptions().setNodeName("cron-nobody").setRequestTimeout(500);
    for (CronScope scope : CronScope.values()) {
      o.addCronJob(new CronJob().setName("to-nobody-" + scope.name().toLowerCase()).setDialect("quartz")
        .setSpec("* * * * * ?").setZone("UTC").setTriggerProcess("nobody-here").setScope(scope).setMisfireGrace(1_000));
    }
    ClusterNode node = await(ClusterNode.start(o));
    try {
      Awaits.until(Duration.ofSeconds(20), () -> await(node.cronJobs()).stream().allMatch(j -> j.missed() >= 2));
      List<CronJobInfo> jobs = await(node.cronJobs());
      for (CronJobInfo j : jobs) {
        assertThat(j.fired()).as(j.name() + " fired").isZero();
      }
      double misfires = node.meterRegistry().find("vxext.cron.misfires").counters().stream()
        .mapToDouble(c -> c.count()).sum();
      assertThat(misfires).isGreaterThanOrEqualTo(4);
      assertThat(node.meterRegistry().find("vxext.cron.fires").counters().stream().mapToDouble(c -> c.count()).sum())
        .isZero();
    } finally {
      await(node.close());
    }
  }

  /**
   * A tick for a daemon the leader has not placed yet (the node has just started: the leader waits for the
   * view to settle) waits for it within its misfire grace and is delivered once it is placed; a tick whose
   * grace runs out first counts as missed, with a warning, not as an error about a lost tick.
   */
  @Test
  void aTickForADaemonNotPlacedYetWaitsForItAndIsOnlyWarnedAboutWhenMissed() {
    NodeOptions o = new NodeOptions().setNodeName("cron-early").setSettleDelay(3_000)
      .addLauncher("ticks", Launcher.of(EchoProcess::new).withScanner(DaemonScanners.singleton("tick.early", new JsonObject())))
      .addCronJob(new CronJob().setName("patient").setDialect("quartz").setSpec("* * * * * ?")
        .setTriggerProcess("tick.early").setMisfireGrace(10_000))
      .addCronJob(new CronJob().setName("hasty").setDialect("quartz").setSpec("* * * * * ?")
        .setTriggerProcess("tick.early").setMisfireGrace(500));
    try (LogCapture log = LogCapture.start()) {
      long started = System.currentTimeMillis();
      ClusterNode node = await(ClusterNode.start(o));
      try {
        Awaits.until(Duration.ofSeconds(20), () -> ClusterFixture.locate(node, "tick.early").isPresent());
        Awaits.until(Duration.ofSeconds(20), () -> job(node, "hasty").fired() >= 1 && job(node, "patient").fired() >= 3);
        // the ticks of the first seconds waited for the daemon and reached it
        assertThat(job(node, "patient").missed()).as("patient ticks missed").isZero();
        assertThat(EchoProcess.RECEIVED.stream().filter(m -> m.startsWith("tick.early:") && m.contains("\"job\":\"patient\""))
          .map(m -> new JsonObject(m.substring("tick.early:".length())).getLong("scheduledAt")))
          .as("patient ticks scheduled before the daemon was placed").anyMatch(at -> at < started + 2_500);
        // the hasty ones could not wait that long: missed, and said so as a warning
        assertThat(job(node, "hasty").missed()).as("hasty ticks missed").isPositive();
        List<String> hasty = log.linesContaining("cron job 'hasty'");
        assertThat(hasty).anyMatch(l -> l.contains("WARN") && l.contains("missed") && l.contains("while the daemons are being placed"));
        assertThat(log.linesContaining("cron job '")).noneMatch(l -> l.contains("ERROR")).noneMatch(l -> l.contains("lost"));
      } finally {
        await(node.close());
      }
    }
  }

  private static CronJobInfo job(ClusterNode node, String name) {
    return await(node.cronJobs()).stream().filter(j -> j.name().equals(name)).findFirst().orElseThrow();
  }
}
