package dev.vxext.cron.impl;

import dev.vxext.ClusterNode;
import dev.vxext.cluster.impl.FanOutClusterManager;
import dev.vxext.metrics.MetricNames;
import dev.vxext.runtime.NodeRuntime;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ticks claimed ahead on ZooKeeper: a claimed tick is answered without a round trip; one node holds a job;
 * a live owner's ticks wait for its release; a dead owner's unrecorded ticks are counted, never fired
 * again; an owner whose job was taken over while it was frozen fires nothing; many jobs' claims are
 * written in a few requests.
 */
class ClaimAheadTest {

  private ClusterFixture cluster;

  @BeforeEach
  void start() {
    cluster = ClusterFixture.clustered();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  /** A ClaimAhead on one context of a node, as in CronVerticle. */
  private static final class Holder {
    final ClusterNode node;
    final Context context;
    final ClaimAhead claims;

    Holder(ClusterNode node, String name, LongSupplier lastContact) {
      this.node = node;
      this.context = node.vertx().getOrCreateContext();
      NodeRuntime runtime = NodeRuntime.of(node.vertx()).orElseThrow();
      Promise<ClaimAhead> p = Promise.promise();
      context.runOnContext(v -> {
        ClaimAhead c = new ClaimAhead(node.vertx(), curator(node), nodeId(node), name, 4_000,
          lastContact == null ? runtime::lastContact : lastContact, runtime.metrics());
        c.start().map(c).onComplete(p);
      });
      claims = await(p.future());
    }

    Holder(ClusterNode node) {
      this(node, node.name(), null);
    }

    <T> T on(Function<ClaimAhead, Future<T>> f) {
      return await(later(f));
    }

    <T> Future<T> later(Function<ClaimAhead, Future<T>> f) {
      Promise<T> p = Promise.promise();
      context.runOnContext(v -> f.apply(claims).onComplete(p));
      return p.future();
    }

    /** @return what {@code f} returns, computed on the context */
    <T> T now(Function<ClaimAhead, T> f) {
      Promise<T> p = Promise.promise();
      context.runOnContext(v -> p.complete(f.apply(claims)));
      return await(p.future());
    }

    double requests() {
      return node.meterRegistry().find(MetricNames.CRON_CLAIM_REQUESTS).counters().stream().mapToDouble(Counter::count).sum();
    }
  }

  static CuratorFramework curator(ClusterNode node) {
    var cm = ((VertxInternal) node.vertx()).clusterManager();
    var inner = cm instanceof FanOutClusterManager f ? f.delegate() : cm;
    return ((ZookeeperClusterManager) inner).getCuratorFramework();
  }

  static String nodeId(ClusterNode node) {
    return ((VertxInternal) node.vertx()).clusterManager().getNodeId();
  }

  @Test
  void aClaimedTickIsAnsweredAtOnceAndALiveOwnersJobMovesOnlyWhenReleased() {
    Holder a = new Holder(cluster.start("ahead-a"));
    Holder b = new Holder(cluster.start("ahead-b"));
    long now = System.currentTimeMillis();
    String job = "ahead-" + now;
    assertThat(a.<TickClaims.Takeover>on(c -> c.acquire(job, now)).handledThrough()).as("the first owner starts now").isEqualTo(now);

    double before = a.requests();
    Boolean atOnce = a.now(c -> {
      Future<Boolean> f = c.claim(job, now + 1_000);
      return f.isComplete() && f.result();
    });
    assertThat(atOnce).as("a tick within the claim is answered without waiting for ZooKeeper").isTrue();
    a.now(c -> {
      c.settled(job, now + 1_000);
      c.scheduled(job, now + 2_000);
      return null;
    });
    assertThat(b.<Boolean>on(c -> c.claim(job, now + 1_000))).as("a node that does not hold the job fires none of it").isFalse();

    // b takes over while a holds the job: it waits for a's release
    Future<TickClaims.Takeover> taking = b.<TickClaims.Takeover>later(c -> c.acquire(job, now + 1_500));
    org.awaitility.Awaitility.await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2))
      .until(() -> !taking.isComplete());
    a.<Void>on(c -> c.release(job));
    TickClaims.Takeover t = await(taking);
    assertThat(t.handledThrough()).as("the new owner starts after the last tick the old one settled").isEqualTo(now + 1_000);
    assertThat(t.uncertainThrough()).isEqualTo(t.uncertainFrom());
    assertThat(a.<Boolean>on(c -> c.claim(job, now + 2_000))).isFalse();
    assertThat(b.<Boolean>on(c -> c.claim(job, now + 2_000))).isTrue();
    assertThat(a.requests() - before).as("requests of a: one release at most batched with progress").isLessThanOrEqualTo(2);
  }

  @Test
  void aDeadOwnersUnrecordedTicksAreCountedMissedNotFiredAgain() {
    ClusterNode nodeA = cluster.start("dead-a");
    Holder a = new Holder(nodeA);
    Holder b = new Holder(cluster.start("dead-b"));
    long now = System.currentTimeMillis();
    String job = "dead-" + now;
    a.<TickClaims.Takeover>on(c -> c.acquire(job, now));
    assertThat(a.<Boolean>on(c -> c.claim(job, now + 100))).isTrue();
    a.now(c -> {
      c.settled(job, now + 100);
      c.scheduled(job, now + 1_100);
      return null;
    });
    // a's progress is recorded (tick now + 100 settled), then a goes without releasing its claim
    CuratorFramework zk = curator(b.node);
    String progressPath = ClaimRecords.PROGRESS_PATH + nodeId(nodeA);
    Awaits.until(Duration.ofSeconds(10), () -> new JsonObject(new String(zk.getData().forPath(progressPath),
      StandardCharsets.UTF_8)).getLong("through") >= now + 100);
    cluster.close("dead-a");

    long takenAt = System.currentTimeMillis();
    TickClaims.Takeover t = b.<TickClaims.Takeover>on(c -> c.acquire(job, takenAt));
    assertThat(t.handledThrough()).as("settled by the dead owner: its recorded progress").isBetween(now + 100, now + 1_099);
    assertThat(t.uncertainFrom()).isEqualTo(t.handledThrough());
    // claimed by the dead owner (10 s ahead) and not recorded as settled, up to now: counted, not fired
    assertThat(t.uncertainThrough()).isEqualTo(Math.max(t.handledThrough(), takenAt));
    assertThat(b.<Boolean>on(c -> c.claim(job, t.dueAfter() + 1_000))).isTrue();
  }

  @Test
  void anOwnerFrozenWhileItsJobWasTakenOverFiresNothingOnWaking() {
    ClusterNode nodeA = cluster.start("frozen-a");
    // a node that has not heard from ZooKeeper for long (frozen, or cut off), under a name nobody holds
    // (so the other node sees it gone, as when its session expired)
    Holder a = new Holder(nodeA, "frozen-ghost", () -> 0L);
    Holder b = new Holder(cluster.start("frozen-b"));
    long now = System.currentTimeMillis();
    String job = "frozen-" + now;
    a.<TickClaims.Takeover>on(c -> c.acquire(job, now));
    Boolean atOnce = a.now(c -> c.claim(job, now + 1_000).isComplete());
    assertThat(atOnce).as("without recent contact with ZooKeeper a claim is confirmed by a write first").isFalse();
    assertThat(a.<Boolean>on(c -> c.claim(job, now + 1_000))).as("confirmed: nobody took the job over").isTrue();

    b.<TickClaims.Takeover>on(c -> c.acquire(job, System.currentTimeMillis()));
    assertThat(a.<Boolean>on(c -> c.claim(job, now + 2_000))).as("taken over meanwhile: the write fails, the tick is not a's").isFalse();
    assertThat(a.<Boolean>on(c -> c.claim(job, now + 3_000))).isFalse();
    assertThat(a.<Boolean>now(c -> c.holds(job))).as("a knows it no longer holds the job (to take it over again)").isFalse();
    assertThat(b.<Boolean>on(c -> c.claim(job, now + 3_000))).isTrue();
    assertThat(b.<Boolean>now(c -> c.holds(job))).isTrue();
    // taken back once b releases it: a fires again after b's last settled tick
    b.<Void>on(c -> c.release(job));
    TickClaims.Takeover back = a.<TickClaims.Takeover>on(c -> c.acquire(job, System.currentTimeMillis()));
    assertThat(back.uncertainThrough()).isEqualTo(back.uncertainFrom());
    assertThat(a.<Boolean>on(c -> c.claim(job, back.dueAfter() + 1_000))).isTrue();
  }

  @Test
  void theClaimsOfManyJobsAreRenewedInAFewRequests() {
    Holder a = new Holder(cluster.start("batch-a"));
    long now = System.currentTimeMillis();
    int jobs = 100;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      String job = "batch-" + now + "-" + i;
      names.add(job);
      a.<TickClaims.Takeover>on(c -> c.acquire(job, now));
    }
    double before = a.requests();
    // ticks beyond every claim: each needs a renewal, all land in a few transactions
    long far = now + ClaimAhead.AHEAD_MS + 5_000;
    List<Boolean> won = a.<List<Boolean>>on(c -> {
      List<Future<Boolean>> all = new ArrayList<>();
      names.forEach(job -> all.add(c.claim(job, far)));
      return Future.all(all).map(cf -> all.stream().map(Future::result).toList());
    });
    assertThat(won).hasSize(jobs).containsOnly(true);
    assertThat(a.requests() - before).as("ZooKeeper requests for %d renewed claims", jobs).isLessThanOrEqualTo(3);
  }
}
