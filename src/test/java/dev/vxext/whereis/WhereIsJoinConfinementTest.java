package dev.vxext.whereis;

import dev.vxext.ClusterNode;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterChecks;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.EchoProcess;
import dev.vxext.testing.LogCapture;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The directory's owner streams ({@code ShardSync}) are confined to the whereis context: thousands of
 * registrations in flight, made from several event loops of every node, while a fourth node joins, must
 * all reach their owners (and only them), with no stream touched from another thread on the way
 * ({@code ShardSync} asserts its context; the tests run with {@code -ea}).
 */
class WhereIsJoinConfinementTest {

  private static final int SOURCES_PER_NODE = 4;
  private static final int PER_SOURCE = 125;

  /** Registers its share of names, on its own context, all at once; {@code inFlight} gets each registration. */
  private static final class Registrar extends VerticleBase {
    private final ClusterNode node;
    private final String prefix;
    private final Queue<Future<ProcessId>> inFlight;

    Registrar(ClusterNode node, String prefix, Queue<Future<ProcessId>> inFlight) {
      this.node = node;
      this.prefix = prefix;
      this.inFlight = inFlight;
    }

    @Override
    public Future<?> start() {
      String source = prefix + "-" + System.identityHashCode(context);
      for (int i = 0; i < PER_SOURCE; i++) {
        inFlight.add(node.register(source + "-" + i, EchoProcess::new, new DeploymentOptions()));
      }
      return Future.succeededFuture();
    }
  }

  @Test
  void registrationsInFlightFromManyContextsWhileANodeJoinsReachExactlyTheirOwners() {
    try (LogCapture log = LogCapture.start(); ClusterFixture cluster = ClusterFixture.clustered()) {
      List<ClusterNode> first = cluster.startAll("conf-a", "conf-b", "conf-c");
      Queue<Future<ProcessId>> inFlight = new ConcurrentLinkedQueue<>();
      for (ClusterNode n : first) {
        await(n.vertx().deployVerticle(() -> new Registrar(n, "p-" + n.name(), inFlight),
          new DeploymentOptions().setInstances(SOURCES_PER_NODE)));
      }
      // joins while those registrations are in flight
      ClusterNode d = cluster.start("conf-d");
      await(d.vertx().deployVerticle(() -> new Registrar(d, "p-" + d.name(), inFlight),
        new DeploymentOptions().setInstances(SOURCES_PER_NODE)));
      Awaits.until(Duration.ofSeconds(15), () -> cluster.nodes().stream().allMatch(n -> n.addressBook().availableNodes().size() == 4));

      Map<String, String> expected = new ConcurrentHashMap<>();
      for (Future<ProcessId> f : inFlight) {
        ProcessId p = await(f);
        expected.put(p.name(), p.node());
      }
      assertThat(expected).hasSize(4 * SOURCES_PER_NODE * PER_SOURCE);

      List<ClusterNode> all = cluster.nodes();
      Awaits.untilNone(Duration.ofSeconds(20), "held by exactly their owners", () -> heldByExactlyTheirOwners(all, expected));
      Awaits.untilNone(Duration.ofSeconds(10), "located everywhere", () -> ClusterChecks.locatable(all, expected));
      assertThat(log.linesContaining("off the whereis context")).isEmpty();
      assertThat(log.linesContaining("AssertionError")).isEmpty();
      assertThat(log.linesContaining("ConcurrentModificationException")).isEmpty();
      assertThat(log.linesContaining("Illegal Capacity")).isEmpty();
    }
  }

  /** @return the names some owner does not hold on its node, or some node holds that neither owns nor runs it */
  private static List<String> heldByExactlyTheirOwners(List<ClusterNode> nodes, Map<String, String> expected) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      List<String> owners = nodes.get(0).addressBook().owners(e.getKey());
      for (ClusterNode n : nodes) {
        Optional<String> held = n.addressBook().locateLocal(e.getKey()).map(ProcessId::node);
        if (owners.contains(n.name()) && !held.equals(Optional.of(e.getValue()))) {
          problems.add(n.name() + " owns " + e.getKey() + " but holds " + held + ", expected " + e.getValue());
        } else if (!owners.contains(n.name()) && !n.name().equals(e.getValue()) && held.isPresent()) {
          // (locateLocal also answers from the node's own registry: the registering node always holds it)
          problems.add(n.name() + " does not own " + e.getKey() + " but holds it");
        }
      }
    }
    return problems;
  }
}
