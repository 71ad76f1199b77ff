package dev.vxext.daemon;

import dev.vxext.ClusterNode;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reconciliation on demand ({@code scanDaemons}, action {@code scan} of {@code vxext.daemon}): from the
 * leader or a follower, answered with a reconciliation that started after the request, rate-limited with
 * the requests coalescing.
 */
class ScanOnDemandTest {

  private static final Duration CONVERGE = Duration.ofSeconds(15);
  /** What the scanner declares (a table the application changes). */
  private static final List<DaemonProcess> DECLARED = new CopyOnWriteArrayList<>();
  /** When each scan of the leader started, epoch ms. */
  private static final List<Long> SCANS = new CopyOnWriteArrayList<>();

  private ClusterFixture cluster;

  @BeforeEach
  void start() {
    DaemonWorker.reset();
    DECLARED.clear();
    SCANS.clear();
    cluster = ClusterFixture.clustered();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static Supplier<DaemonIterator> table() {
    return () -> {
      SCANS.add(System.currentTimeMillis());
      List<DaemonProcess> now = List.copyOf(DECLARED);
      return () -> Future.succeededFuture(DaemonBatch.last(now));
    };
  }

  @Test
  void aScanOnDemandPlacesWhatWasDeclaredSinceFromAnyNode() {
    // no periodic reconciliation within the test: only the requests trigger them
    ClusterNode a = cluster.start(cluster.options("sd-a").setSettleDelay(300).setReconcileInterval(600_000)
      .addLauncher("table", new Launcher(DaemonWorker::new, null, table())));
    Awaits.until(CONVERGE, a::isLeader);
    ClusterNode b = cluster.start(cluster.options("sd-b").setSettleDelay(300).setReconcileInterval(600_000)
      .addLauncher("table", new Launcher(DaemonWorker::new, null, table())));
    Awaits.until(CONVERGE, () -> "sd-a".equals(b.leader()));

    DECLARED.add(new DaemonProcess("sd-1", new JsonObject().put("k", 1)));
    DaemonReconciliation first = await(b.scanDaemons());
    assertThat(first.leader()).isEqualTo("sd-a");
    assertThat(first.declared()).isEqualTo(1);
    assertThat(first.spawned() + first.running()).isEqualTo(1);
    assertThat(first.complete()).isTrue();
    String node = await(a.locate("sd-1"));

    // on the leader, and once more: it is running now
    DECLARED.add(new DaemonProcess("sd-2", null));
    DaemonReconciliation second = await(a.scanDaemons());
    assertThat(second.declared()).isEqualTo(2);
    assertThat(second.running()).isGreaterThanOrEqualTo(1);
    assertThat(second.reconciledAt()).isGreaterThan(first.reconciledAt());
    assertThat(await(b.locate("sd-1"))).isEqualTo(node);
    await(a.locate("sd-2"));
    assertThat(DaemonWorker.maxConcurrent()).isEqualTo(1);
  }

  @Test
  void requestsCoalesceOntoAFewRateLimitedReconciliations() {
    ClusterNode a = cluster.start(cluster.options("sc-a").setSettleDelay(300).setReconcileInterval(600_000)
      .addLauncher("table", new Launcher(DaemonWorker::new, null, table())));
    Awaits.until(CONVERGE, a::isLeader);
    ClusterNode b = cluster.start(cluster.options("sc-b").setSettleDelay(300).setReconcileInterval(600_000)
      .addLauncher("table", new Launcher(DaemonWorker::new, null, table())));
    Awaits.until(CONVERGE, () -> "sc-a".equals(b.leader()));
    DaemonReconciliation warm = await(a.scanDaemons());
    int before = SCANS.size();
    List<Future<DaemonReconciliation>> asked = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      asked.add((i % 2 == 0 ? a : b).scanDaemons());
    }
    List<DaemonReconciliation> answers = asked.stream().map(ClusterFixture::await).toList();
    // every request answered, none refused, by at most two reconciliations (one may have started while the
    // first requests arrived; every later one joined the next)
    assertThat(answers).hasSize(20).allMatch(r -> r.leader().equals("sc-a"));
    List<Long> starts = answers.stream().map(DaemonReconciliation::startedAt).distinct().sorted().toList();
    assertThat(starts).hasSizeBetween(1, 2);
    assertThat(SCANS.size() - before).isEqualTo(starts.size());
    // each started after the requests, never less than the rate limit after the one before it
    List<Long> all = new ArrayList<>(List.of(warm.startedAt()));
    all.addAll(starts);
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i) - all.get(i - 1)).as("reconciliation " + i + " of " + all).isGreaterThanOrEqualTo(1_000);
    }
  }

  @Test
  void aBadScanRequestIs400() {
    ClusterNode a = cluster.start(cluster.options("sb-a").addLauncher("table", new Launcher(DaemonWorker::new, null, table())));
    DeliveryOptions scan = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "scan");
    for (Object bad : new Object[] {"now", new JsonObject().put("launcher", "table"), 42}) {
      Throwable t = awaitFailure(a.vertx().eventBus().request("vxext.daemon", bad, scan));
      assertThat(((ReplyException) t).failureCode()).as(String.valueOf(bad)).isEqualTo(WhereIs.BAD_REQUEST);
      assertThat(t.getMessage()).startsWith("a reconciliation request takes an empty JSON object {}");
    }
    Throwable unknown = awaitFailure(a.vertx().eventBus().request("vxext.daemon", null,
      new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "launch")));
    assertThat(((ReplyException) unknown).failureCode()).isEqualTo(WhereIs.BAD_REQUEST);
    // the same with no body answers
    Awaits.until(CONVERGE, a::isLeader);
    JsonObject report = await(a.vertx().eventBus().<JsonObject>request("vxext.daemon", null, scan)).body();
    assertThat(report.getString("leader")).isEqualTo("sb-a");
  }
}
