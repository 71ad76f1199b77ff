package dev.vxext.process;

import dev.vxext.ClusterNode;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.EchoProcess;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A forwarded send with an id (a cron tick) is delivered once however often it is sent again (a retry after
 * a lost acknowledgement); sends without an id, or with another id, are all delivered.
 */
class OnceDeliveryTest {

  @Test
  void aRepeatedSendWithTheSameIdIsDeliveredOnce() {
    try (ClusterFixture cluster = ClusterFixture.clustered()) {
      ClusterNode a = cluster.start("once-a");
      ClusterNode b = cluster.start("once-b");
      Awaits.until(Duration.ofSeconds(15), () -> a.addressBook().availableNodes().size() == 2);
      await(b.register("once-echo", EchoProcess::new, new DeploymentOptions()));
      Awaits.until(Duration.ofSeconds(10), () -> "once-b".equals(await(a.locate("once-echo"))));
      EchoProcess.RECEIVED.clear();
      for (String id : new String[] {"tick@1", "tick@1", "tick@1", "tick@2", null, null}) {
        DeliveryOptions o = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "send")
          .addHeader(WhereIs.TO_HEADER, "once-echo");
        if (id != null) o.addHeader(WhereIs.ONCE_HEADER, id);
        await(a.vertx().eventBus().request(WhereIs.nodeAddress("once-b"), String.valueOf(id), o));
      }
      Awaits.until(Duration.ofSeconds(5), () -> EchoProcess.RECEIVED.size() >= 4);
      assertThat(EchoProcess.RECEIVED).containsExactlyInAnyOrder("once-echo:tick@1", "once-echo:tick@2",
        "once-echo:null", "once-echo:null");
    }
  }
}
