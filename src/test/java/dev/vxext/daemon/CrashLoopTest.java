package dev.vxext.daemon;

import dev.vxext.ClusterNode;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A daemon whose verticle never starts is not restarted every second for ever: the leader backs off
 * (1 s, 2 s, 4 s ... up to a minute, with jitter), its state shows in the leader's report ({@code backoff},
 * failures, next retry, last error) and in the {@code vxext.daemons.backoff} gauge.
 */
class CrashLoopTest {

  static final AtomicInteger STARTS = new AtomicInteger();

  /** Fails every start. */
  public static final class Broken extends VerticleBase {
    @Override
    public Future<?> start() {
      STARTS.incrementAndGet();
      return Future.failedFuture("broken on purpose");
    }
  }

  @Test
  void aDaemonThatNeverStartsBacksOffAndShowsWhy() {
    try (ClusterFixture cluster = ClusterFixture.single()) {
      ClusterNode node = cluster.start(cluster.options("crashy").setSettleDelay(0).setReconcileInterval(200)
        .addLauncher("broken", new Launcher(Broken::new, null, DaemonScanners.of(List.of(new DaemonProcess("bad-0", new JsonObject()))))));
      DeliveryOptions list = new DeliveryOptions().setLocalOnly(true).addHeader(WhereIs.ACTION_HEADER, "list");
      JsonObject[] state = new JsonObject[1];
      Awaits.until(Duration.ofSeconds(20), () -> {
        JsonObject report = await(node.vertx().eventBus().<JsonObject>request("vxext.daemon", new JsonObject(), list)).body();
        state[0] = report.getJsonArray("daemons").getJsonObject(0);
        return state[0].getInteger("failures", 0) >= 3;
      });
      assertThat(state[0].getString("state")).isEqualTo("backoff");
      assertThat(state[0].getString("lastError")).contains("broken on purpose");
      long retryIn = state[0].getLong("retryAt") - System.currentTimeMillis();
      assertThat(retryIn).as("the next try waits at least the doubled delay minus jitter minus what passed")
        .isLessThanOrEqualTo(4_800);
      assertThat(node.meterRegistry().find("vxext.daemons.backoff").gauge().value()).isEqualTo(1.0);
      // 3 failed placements in a row: a handful of start attempts, not one per 200 ms reconciliation
      int starts = STARTS.get();
      assertThat(starts).isLessThan(3 * 3 + 3);
    }
  }
}
