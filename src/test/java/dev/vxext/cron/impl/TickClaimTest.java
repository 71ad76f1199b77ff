package dev.vxext.cron.impl;

import dev.vxext.ClusterNode;
import dev.vxext.testing.ClusterFixture;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.shareddata.Counter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-tick claim of cluster managers other than ZooKeeper (here run on a ZooKeeper cluster's Vert.x
 * counter): one winner per tick between nodes, on the cluster counter {@code vxext.cron.<job>}.
 */
class TickClaimTest {

  private ClusterFixture cluster;

  @BeforeEach
  void start() {
    cluster = ClusterFixture.clustered();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  /** A TickClaim living on one context of a node, as in CronVerticle. */
  private static final class Claimer {
    final Context context;
    final TickClaim claim;

    Claimer(ClusterNode node) {
      context = node.vertx().getOrCreateContext();
      Promise<TickClaim> p = Promise.promise();
      context.runOnContext(v -> p.complete(new TickClaim(node.vertx())));
      claim = await(p.future());
    }

    <T> T on(Function<TickClaim, Future<T>> f) {
      Promise<T> p = Promise.promise();
      context.runOnContext(v -> f.apply(claim).onComplete(p));
      return await(p.future());
    }
  }

  @Test
  void oneWinnerPerTickAndTheVertxCounterSeesTheSameValue() {
    ClusterNode a = cluster.start("claim-a");
    ClusterNode b = cluster.start("claim-b");
    Claimer ca = new Claimer(a);
    Claimer cb = new Claimer(b);
    long t = 1_700_000_000_000L;
    assertThat(ca.<TickClaims.Takeover>on(c -> c.acquire("job", t - 5000)).handledThrough()).isEqualTo(t - 5000);
    assertThat(ca.<Boolean>on(c -> c.claim("job", t))).isTrue();
    assertThat(cb.<Boolean>on(c -> c.claim("job", t))).isFalse();
    Counter counter = await(b.vertx().sharedData().getCounter(TickClaim.counterName("job")));
    assertThat(await(counter.get())).isEqualTo(t);

    // b fires the next tick: a loses it
    assertThat(cb.<Boolean>on(c -> c.claim("job", t + 1000))).isTrue();
    assertThat(ca.<Boolean>on(c -> c.claim("job", t + 1000))).isFalse();
    assertThat(ca.<Boolean>on(c -> c.claim("job", t + 2000))).isTrue();
    // a new owner starts after the last tick fired
    assertThat(cb.<TickClaims.Takeover>on(c -> c.acquire("job", t + 9000)).handledThrough()).isEqualTo(t + 2000);
  }

  @Test
  void concurrentClaimsOfTheSameTicksHaveExactlyOneWinner() {
    ClusterNode a = cluster.start("race-a");
    ClusterNode b = cluster.start("race-b");
    Claimer ca = new Claimer(a);
    Claimer cb = new Claimer(b);
    long t = 1_700_000_000_000L;
    int ticks = 50;
    List<Boolean> wonA = ca.on(c -> all(c, t, ticks));
    List<Boolean> wonB = cb.on(c -> all(c, t, ticks));
    // b claims after a for the same ticks: all lost; then both race on fresh ticks from two contexts
    assertThat(wonA).containsOnly(true);
    assertThat(wonB).containsOnly(false);
    long t2 = t + ticks * 1000L;
    Promise<List<Boolean>> pa = Promise.promise();
    Promise<List<Boolean>> pb = Promise.promise();
    ca.context.runOnContext(v -> all(ca.claim, t2, ticks).onComplete(pa));
    cb.context.runOnContext(v -> all(cb.claim, t2, ticks).onComplete(pb));
    List<Boolean> ra = await(pa.future());
    List<Boolean> rb = await(pb.future());
    for (int i = 0; i < ticks; i++) {
      assertThat(ra.get(i) ^ rb.get(i)).as("tick %d: exactly one winner (a=%s, b=%s)", i, ra.get(i), rb.get(i)).isTrue();
    }
  }

  /** Claims ticks t, t+1s, ... one after the other (as one owner does). */
  private static Future<List<Boolean>> all(TickClaim c, long t, int ticks) {
    List<Boolean> won = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < ticks; i++) {
      long at = t + i * 1000L;
      chain = chain.compose(v -> c.claim("race", at).map(w -> {
        won.add(w);
        return null;
      }));
    }
    return chain.map(won);
  }
}
