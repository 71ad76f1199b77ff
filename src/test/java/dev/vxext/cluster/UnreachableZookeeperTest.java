package dev.vxext.cluster;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.testing.Awaits;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ClusterNode#start} on a ZooKeeper that refuses connections: a failed future with one clear message
 * within the bounded wait (it took about 20 s, failing with a Curator {@code ConnectionLossException}),
 * the caller not blocked, and no thread of the attempt left running.
 */
class UnreachableZookeeperTest {

  private static final Pattern ATTEMPT_THREADS = Pattern.compile(".*(SendThread|EventThread|Curator|zookeeper-probe|vert\\.x-).*");

  @Test
  void startFailsWithinTheSessionTimeoutWithOneLineAndLeavesNoThread() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: connections to it are refused
    }
    Set<Long> before = Thread.getAllStackTraces().keySet().stream().map(Thread::getId).collect(Collectors.toSet());
    NodeOptions options = new NodeOptions().setNodeName("lonely").setZookeeperHosts("127.0.0.1:" + port)
      .setZookeeperRootPath("vxext-nowhere").setSessionTimeout(4_000);
    long start = System.nanoTime();
    Future<ClusterNode> started = ClusterNode.start(options);
    long returnedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(returnedAfter).as("ms before start() returned").isLessThan(1_000);

    Throwable failure = started.toCompletionStage().toCompletableFuture()
      .handle((node, e) -> e).get(20, TimeUnit.SECONDS);
    long failedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(failure).as("failure").isNotNull();
    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    assertThat(cause.getMessage()).isEqualTo("cannot reach ZooKeeper at 127.0.0.1:" + port
      + " (root path vxext-nowhere) within 4 s; is it running?");
    assertThat(cause.getStackTrace()).as("expected failure: no stack trace").isEmpty();
    assertThat(failedAfter).as("ms to fail").isBetween(3_500L, 8_000L);

    Awaits.until(Duration.ofSeconds(10), () -> leftOver(before).isEmpty());
  }

  private static List<String> leftOver(Set<Long> before) {
    return Thread.getAllStackTraces().keySet().stream()
      .filter(t -> t.isAlive() && !before.contains(t.getId()) && ATTEMPT_THREADS.matcher(t.getName()).matches())
      .map(Thread::getName).toList();
  }
}
