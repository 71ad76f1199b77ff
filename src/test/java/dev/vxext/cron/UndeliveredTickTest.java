package dev.vxext.cron;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.testing.Awaits;
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
}
