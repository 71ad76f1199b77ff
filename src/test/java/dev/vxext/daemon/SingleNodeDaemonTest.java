package dev.vxext.daemon;

import dev.vxext.ClusterNode;
import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.runtime.NodeRuntime;
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

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Daemon failures on a node that runs alone: each one a failed future with its code and a message that
 * says what is wrong, never a thrown exception.
 */
class SingleNodeDaemonTest {

  private ClusterFixture fixture;

  @BeforeEach
  void start() {
    DaemonWorker.reset();
    fixture = ClusterFixture.single();
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private static ReplyException failure(Future<?> f) {
    Throwable t = awaitFailure(f);
    assertThat(t).isInstanceOf(ReplyException.class);
    return (ReplyException) t;
  }

  @Test
  void aSpawnerOfAnInvalidLauncherNameFailsEveryCallWith400() {
    ClusterNode node = fixture.start(fixture.options("sn-spawner").addLauncher("worker", Launcher.of(DaemonWorker::new)));
    for (String bad : new String[] {"", null, "bad name"}) {
      Spawner spawner = node.spawner(bad);
      assertThat(spawner.launcher()).isEqualTo(bad);
      ReplyException e = failure(spawner.spawnRegister("sn-x", null));
      assertThat(e.failureCode()).as(String.valueOf(bad)).isEqualTo(WhereIs.BAD_REQUEST);
      assertThat(e.getMessage()).startsWith("invalid launcher name: name ");
    }
    assertThat(node.addressBook().locateLocal("sn-x")).isEmpty();
    assertThat(DaemonWorker.STARTED).isEmpty();
  }

  @Test
  void aLauncherNoNodeOffersIs404AndOneOfferedOnlyByALeavingNodeIs503() {
    ClusterNode node = fixture.start(fixture.options("sn-leaving").addLauncher("worker", Launcher.of(DaemonWorker::new)));
    ReplyException unknown = failure(node.spawner("nope").spawnRegister("sn-a", null));
    assertThat(unknown.failureCode()).isEqualTo(WhereIs.NOT_FOUND);
    assertThat(unknown.getMessage()).isEqualTo("no node offers launcher 'nope'");

    // the only node offering "worker" starts its graceful leave: it takes nothing new, for now
    await(NodeRuntime.of(node.vertx()).orElseThrow().announceLeaving());
    Awaits.until(Duration.ofSeconds(5), () -> new BookMaps(node.vertx()).view().leaving("sn-leaving"));
    ReplyException leaving = failure(node.spawner("worker").spawnRegister("sn-b", null));
    assertThat(leaving.failureCode()).isEqualTo(WhereIs.NOT_READY);
    assertThat(leaving.getMessage()).isEqualTo("every node offering launcher 'worker' is leaving (sn-leaving); try again soon");
    assertThat(failure(node.spawner("nope").spawnRegister("sn-c", null)).failureCode()).isEqualTo(WhereIs.NOT_FOUND);
    assertThat(DaemonWorker.STARTED).isEmpty();
  }

  @Test
  void aScanPageOverTheLimitFailsWith413NamingTheLimit() {
    List<DaemonProcess> page = new ArrayList<>();
    for (int i = 0; i <= 10_000; i++) {
      page.add(new DaemonProcess("big-" + i, null));
    }
    ClusterNode node = fixture.start(fixture.options("sn-scan")
      .addLauncher("big", new Launcher(DaemonWorker::new, null, DaemonScanners.of(page))));
    DeliveryOptions scan = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "daemon.scan");
    ReplyException e = failure(node.vertx().eventBus().request(WhereIs.nodeAddress("sn-scan"),
      new JsonObject().put("launcher", "big"), scan));
    assertThat(e.failureCode()).isEqualTo(WhereIs.TOO_LARGE);
    assertThat(e.getMessage()).isEqualTo("launcher 'big' returned a page of 10001 daemons, the maximum is 10000");
    // the leader's reconciliation reports it, the other launchers go on
    Awaits.until(Duration.ofSeconds(5), node::isLeader);
    DaemonReconciliation r = await(node.scanDaemons());
    assertThat(r.launcherFailures()).containsEntry("big", "launcher 'big' returned a page of 10001 daemons, the maximum is 10000");
    assertThat(r.complete()).isFalse();
    assertThat(DaemonWorker.STARTED).isEmpty();
  }
}
