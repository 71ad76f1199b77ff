package dev.vxext.whereis;

import dev.vxext.ClusterNode;
import dev.vxext.addressbook.QueryOptions;
import dev.vxext.runtime.NodeRuntime;
import dev.vxext.testing.ClusterFixture;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link QueryOptions}: each query waits for a silent directory owner as long as its own timeout, no
 * longer, no shorter.
 */
class QueryOptionsTest {

  private ClusterFixture cluster;

  @BeforeEach
  void start() {
    cluster = ClusterFixture.clustered();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void aTimeoutIsPositive() {
    assertThatThrownBy(() -> new QueryOptions(0)).isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be > 0");
    assertThatThrownBy(() -> new QueryOptions(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void eachQueryHonoursItsOwnTimeout() throws Exception {
    List<ClusterNode> nodes = cluster.startAll("qo-a", "qo-b");
    ClusterNode a = nodes.get(0);
    ClusterNode b = nodes.get(1);
    // two nodes, two replicas: qo-b owns every name too, and qo-a asks it about a name it does not know
    assertThat(a.addressBook().owners("qo-missing")).containsExactlyInAnyOrder("qo-a", "qo-b");
    // qo-b's node address takes requests on its runtime's context: hold that context, qo-b falls silent
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    NodeRuntime.of(b.vertx()).orElseThrow().context().runOnContext(v -> {
      held.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
    Future<String> patient;
    Throwable impatient;
    try {
      patient = a.addressBook().query(new QueryOptions(30_000)).locate("qo-missing");
      impatient = awaitFailure(a.addressBook().query(new QueryOptions(200)).locate("qo-missing"));
      // the short query gave up on the silent owner while the long one still waits for it
      assertThat(patient.isComplete()).isFalse();
    } finally {
      release.countDown();
    }
    assertThat(((ReplyException) impatient).failureCode()).isEqualTo(WhereIs.TIMEOUT);
    assertThat(impatient.getMessage()).contains("directory owner qo-b did not answer in time");
    // the owner answers at last: the long query gets the real answer
    Throwable answered = awaitFailure(patient);
    assertThat(((ReplyException) answered).failureCode()).isEqualTo(WhereIs.NOT_FOUND);
  }
}
