package dev.vxext.cron;

import dev.vxext.ClusterNode;
import dev.vxext.process.ProcessVerticle;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code CLUSTER} cron job on a node that runs alone (no ZooKeeper): the node is the whole cluster, owns
 * the job and fires each tick once.
 */
class SingleNodeCronTest {

  /** Records every tick it receives. */
  public static class Ticks extends ProcessVerticle {
    static final Queue<JsonObject> RECEIVED = new ConcurrentLinkedQueue<>();

    @Override
    protected void handle(Message<Object> message) {
      if (message.body() instanceof JsonObject tick) {
        RECEIVED.add(tick);
      }
    }
  }

  private ClusterFixture fixture;

  @BeforeEach
  void start() {
    Ticks.RECEIVED.clear();
    fixture = ClusterFixture.single();
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void aClusterJobFiresOnANodeWithoutZookeeper() {
    CronJob job = new CronJob().setName("alone-every-second").setDialect("quartz").setSpec("* * * * * ?")
      .setTriggerProcess("alone-ticks").setScope(CronScope.CLUSTER);
    ClusterNode node = fixture.start(fixture.options("cron-alone").addCronJob(job));
    await(node.register("alone-ticks", Ticks::new, new DeploymentOptions()));
    Awaits.until(Duration.ofSeconds(10), () -> Ticks.RECEIVED.size() >= 2);
    List<JsonObject> ticks = List.copyOf(Ticks.RECEIVED);
    assertThat(ticks).allSatisfy(t -> {
      assertThat(t.getString("job")).isEqualTo("alone-every-second");
      assertThat(t.getString("node")).isEqualTo("cron-alone");
    });
    // each tick once
    assertThat(ticks.stream().map(t -> t.getLong("scheduledAt")).distinct().count()).isEqualTo(ticks.size());
    CronJobInfo info = await(node.cronJobs()).stream().filter(j -> j.name().equals("alone-every-second")).findFirst().orElseThrow();
    assertThat(info.scope()).isEqualTo(CronScope.CLUSTER);
    assertThat(info.owner()).isEqualTo("cron-alone");
    assertThat(info.fired()).isPositive();
  }
}
