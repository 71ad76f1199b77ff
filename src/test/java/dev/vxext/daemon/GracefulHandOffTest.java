package dev.vxext.daemon;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterChecks;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node that closes hands its daemons off: the leader places them elsewhere at once, without waiting for
 * anything the departing node would have answered (its directory shares, its locate answers). The request
 * timeout is one minute here, so a hand-off that waits for it cannot pass; each round closes the follower
 * running the most daemons and starts it again. No daemon ever runs twice.
 */
@Timeout(value = 200, unit = TimeUnit.SECONDS)
class GracefulHandOffTest {

  private static final List<String> DAEMONS = new ArrayList<>();
  private static final long REQUEST_TIMEOUT = 60_000;
  private static final int ROUNDS = 4;
  /** A quarter of the request timeout: a hand-off that waited for it fails. */
  private static final Duration HANDED_OFF = Duration.ofMillis(REQUEST_TIMEOUT / 4);
  private static final Duration CONVERGE = Duration.ofSeconds(20);

  static {
    for (int i = 0; i < 9; i++) DAEMONS.add("ho-" + i);
  }

  private ClusterFixture cluster;

  @BeforeEach
  void setUp() {
    DaemonWorker.reset();
    cluster = ClusterFixture.clustered();
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private NodeOptions options(String name) {
    List<DaemonProcess> declared = DAEMONS.stream().map(d -> new DaemonProcess(d, new JsonObject())).toList();
    return cluster.options(name).setRequestTimeout(REQUEST_TIMEOUT).setSettleDelay(300).setReconcileInterval(1_000)
      .addLauncher("worker", new Launcher(DaemonWorker::new, null, DaemonScanners.of(declared)));
  }

  @Test
  void aClosingNodeHandsItsDaemonsOffWithoutWaitingForTheRequestTimeout() {
    for (String n : List.of("ho-a", "ho-b", "ho-c")) {
      cluster.start(options(n));
    }
    Awaits.until(CONVERGE, () -> ClusterChecks.membersAndLeader(cluster.nodes()).isEmpty()
      && ClusterChecks.daemonsOnceAndCallable(cluster.nodes(), DAEMONS).isEmpty());
    List<Long> gaps = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      Map<String, Long> perNode = new HashMap<>();
      ClusterNode leader = cluster.nodes().stream().filter(ClusterNode::isLeader).findFirst().orElseThrow();
      for (String d : DAEMONS) {
        ProcessId pid = await(leader.lookup(d));
        perNode.merge(pid.node(), 1L, Long::sum);
      }
      String victim = perNode.entrySet().stream().filter(e -> !e.getKey().equals(leader.name()))
        .max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
      if (victim == null) {
        victim = cluster.nodes().stream().map(ClusterNode::name).filter(n -> !n.equals(leader.name()))
          .min(Comparator.naturalOrder()).orElseThrow();
      }
      String gone = victim;
      long start = System.currentTimeMillis();
      cluster.close(gone);
      List<ClusterNode> rest = cluster.nodes();
      Awaits.untilNone(HANDED_OFF, "every daemon serving again after " + gone + " closed",
        () -> ClusterChecks.daemonsOnceAndCallable(rest, DAEMONS));
      long gap = System.currentTimeMillis() - start;
      gaps.add(gap);
      System.out.printf("HAND-OFF round %d: %s closed (%d daemons), all daemons serving again after %d ms%n",
        round, gone, perNode.getOrDefault(gone, 0L), gap);
      cluster.start(options(gone));
      Awaits.until(CONVERGE, () -> ClusterChecks.membersAndLeader(cluster.nodes()).isEmpty());
    }
    System.out.printf("HAND-OFF %d rounds, request timeout %d ms: %s ms%n", ROUNDS, REQUEST_TIMEOUT, gaps);
    assertThat(DaemonWorker.maxConcurrent()).as("a daemon ran twice at some moment").isEqualTo(1);
  }
}
