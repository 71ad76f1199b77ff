package dev.vxext.cluster;

import dev.vxext.ClusterNode;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A leader that closes releases its lock before its ZooKeeper client closes: Curator reports no
 * "Expected state [STARTED] was [STOPPED]" (it did on every close of a leader), and the next node takes
 * over at once.
 */
class LeaderCloseTest {

  @Test
  void aClosingLeaderReleasesItsLockBeforeTheClientCloses() {
    List<String> complaints = new CopyOnWriteArrayList<>();
    Handler catcher = new Handler() {
      @Override
      public void publish(LogRecord r) {
        Throwable t = r.getThrown();
        String text = r.getMessage() + (t == null ? "" : " " + t + " " + t.getCause());
        if (text.contains("Expected state [STARTED] was [STOPPED]")) complaints.add(text);
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    Logger root = Logger.getLogger("");
    root.addHandler(catcher);
    try (ClusterFixture cluster = ClusterFixture.clustered()) {
      for (int round = 0; round < 3; round++) {
        ClusterNode leader = cluster.start("lc-" + round + "-a");
        Awaits.until(Duration.ofSeconds(15), leader::isLeader);
        ClusterNode next = cluster.start("lc-" + round + "-b");
        cluster.close(leader.name());
        Awaits.until(Duration.ofSeconds(10), next::isLeader);
        cluster.close(next.name());
      }
      // what a release left running would print comes within moments of the close
      Awaitility.await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
      assertThat(complaints).isEmpty();
    } finally {
      root.removeHandler(catcher);
    }
  }
}
