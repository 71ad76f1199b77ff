package dev.vxext.whereis;

import dev.vxext.ClusterNode;
import dev.vxext.process.ProcessId;
import dev.vxext.process.Processes;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One name registered on several nodes in the same millisecond: the oldest instance wins, and between
 * equal start times the smallest node name; every node resolves the name to that instance, every time.
 */
class DuplicateTieBreakTest {

  /** A deployment that does nothing: it only lends its context to {@link Processes#registerSelf}. */
  static final class Idle extends VerticleBase {
    static final Map<String, Context> CONTEXTS = new ConcurrentHashMap<>();
    private final String node;

    Idle(String node) {
      this.node = node;
    }

    @Override
    public Future<?> start() {
      CONTEXTS.put(node, context);
      return Future.succeededFuture();
    }
  }

  private ClusterFixture cluster;

  @BeforeEach
  void start() {
    cluster = ClusterFixture.clustered();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  /** Registers "tie" on every node at once (each on its own event loop). @return the process ids */
  private List<ProcessId> registerEverywhereAtOnce(List<ClusterNode> nodes) {
    List<Future<ProcessId>> all = new ArrayList<>();
    List<Runnable> go = new ArrayList<>();
    for (ClusterNode n : nodes) {
      Context context = Idle.CONTEXTS.get(n.name());
      Promise<ProcessId> registered = Promise.promise();
      all.add(registered.future());
      go.add(() -> context.runOnContext(v -> Processes.registerSelf(context, "tie").onComplete(registered)));
    }
    go.forEach(Runnable::run);
    await(Future.all(all));
    return all.stream().map(Future::result).toList();
  }

  @Test
  void equalStartTimesGoToTheSmallestNodeNameOnEveryNodeEveryTime() {
    // started in reverse order: the smallest name is not the first node
    List<ClusterNode> nodes = cluster.startAll("tie-c", "tie-b", "tie-a");
    for (ClusterNode n : nodes) {
      await(n.vertx().deployVerticle(new Idle(n.name())));
    }
    List<ProcessId> tied = new ArrayList<>();
    // registrations land in the same millisecond on at least two nodes, the oldest ones, within a few tries
    Awaits.until(Duration.ofSeconds(30), () -> {
      List<ProcessId> pids = registerEverywhereAtOnce(nodes);
      long oldest = pids.stream().mapToLong(ProcessId::startedAt).min().orElseThrow();
      List<ProcessId> first = pids.stream().filter(p -> p.startedAt() == oldest).toList();
      if (first.size() >= 2) {
        tied.addAll(first);
        return true;
      }
      for (ClusterNode n : nodes) {
        await(Processes.unregister(n.vertx(), "tie"));
      }
      return false;
    });
    ProcessId expected = tied.stream().min(Comparator.comparing(ProcessId::node)).orElseThrow();
    assertThat(tied.stream().map(ProcessId::node).distinct().count()).isEqualTo(tied.size());
    Awaits.until(Duration.ofSeconds(15), () -> nodes.stream().allMatch(n -> expected.equals(await(n.lookup("tie")))));
    for (ClusterNode n : nodes) {
      for (int i = 0; i < 10; i++) {
        assertThat(await(n.lookup("tie"))).as(n.name() + ", locate " + i).isEqualTo(expected);
        assertThat(await(n.locate("tie"))).isEqualTo(expected.node());
      }
    }
  }
}
