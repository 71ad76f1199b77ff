package dev.vxext.security;

import dev.vxext.ClusterNode;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.EchoProcess;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 random messages (seeded) to a node: half to its node address and call lanes from a clustered
 * Vert.x that is not a node of ours (random actions, headers, JSON shapes, sizes, epochs; speaking as a
 * member or not), half to its local {@code vxext.whereis} API. Every one is answered (a reply or a failure
 * code) within the request timeout, and nothing changes: the node serves, its processes, its view and its
 * leader are the same.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NodeFuzzTest {

  private static final int MESSAGES = 10_000;
  private static final int IN_FLIGHT = 64;
  private static final long SEED = 20261205L;
  private static final long REQUEST_TIMEOUT = 3_000;
  private static final List<String> NODE_ACTIONS = List.of("ping", "processes", "cron.list", "daemon.list", "watch",
    "daemon.spawn", "daemon.leader", "daemon.duplicate", "daemon.leaving", "daemon.scan", "daemon.reconcile", "daemon.stop",
    "daemon.exited", "daemon.move", "member.leaving", "call",
    "send", "locate", "sync.delta", "sync.full", "sync.digest");
  private static final List<String> API_ACTIONS = List.of("locate", "addressbook", "status");
  private static final List<String> KEYS = List.of("name", "node", "launcher", "args", "from", "inc", "seq", "up", "down",
    "count", "digest", "deploymentId", "winner", "locate", "timeout", "to", "x");

  private final Random random = new Random(SEED);

  private String word() {
    int n = random.nextInt(6);
    return switch (n) {
      case 0 -> "";
      case 1 -> "vxext." + random.nextInt(100);
      case 2 -> "n".repeat(random.nextInt(300));
      case 3 -> "bad name " + random.nextInt();
      case 4 -> "fz-x" + random.nextInt(10);
      default -> Long.toString(random.nextLong(), 36);
    };
  }

  private Object value(int depth) {
    return switch (random.nextInt(depth > 2 ? 5 : 8)) {
      case 0 -> null;
      case 1 -> word();
      case 2 -> random.nextLong();
      case 3 -> random.nextDouble();
      case 4 -> random.nextBoolean();
      case 5 -> object(depth + 1);
      case 6 -> {
        JsonArray a = new JsonArray();
        for (int i = random.nextInt(4); i > 0; i--) a.add(value(depth + 1));
        yield a;
      }
      default -> "s".repeat(random.nextInt(70_000));
    };
  }

  private JsonObject object(int depth) {
    JsonObject o = new JsonObject();
    for (int i = random.nextInt(5); i > 0; i--) {
      o.put(KEYS.get(random.nextInt(KEYS.size())), value(depth));
    }
    return o;
  }

  private Object body() {
    return switch (random.nextInt(6)) {
      case 0 -> null;
      case 1 -> word();
      case 2 -> random.nextLong();
      case 3 -> Buffer.buffer(new byte[random.nextInt(2_000)]);
      default -> object(0);
    };
  }

  private DeliveryOptions headers(List<String> actions, List<String> members) {
    DeliveryOptions o = new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT);
    if (random.nextInt(10) > 0) {
      o.addHeader(WhereIs.ACTION_HEADER, random.nextInt(8) == 0 ? word() : actions.get(random.nextInt(actions.size())));
    }
    int from = random.nextInt(4);
    if (from == 1 || from == 2) o.addHeader(WhereIs.FROM_HEADER, members.get(random.nextInt(members.size())));
    if (from == 3) o.addHeader(WhereIs.FROM_HEADER, word());
    if (random.nextBoolean()) {
      o.addHeader("epoch", switch (random.nextInt(4)) {
        case 0 -> Long.toString(Long.MAX_VALUE);
        case 1 -> Long.toString(random.nextLong());
        case 2 -> word();
        default -> "1";
      });
    }
    if (random.nextInt(4) == 0) o.addHeader(WhereIs.TO_HEADER, word());
    if (random.nextInt(4) == 0) o.addHeader("timeout", random.nextInt(3) == 0 ? word() : Long.toString(random.nextLong()));
    return o;
  }

  @Test
  void tenThousandRandomMessagesAreEachAnsweredAndChangeNothing() throws Exception {
    try (ClusterFixture cluster = ClusterFixture.clustered()) {
      ClusterNode a = cluster.start(cluster.options("fz-a").setRequestTimeout(REQUEST_TIMEOUT));
      Awaits.until(Duration.ofSeconds(15), a::isLeader);
      ClusterNode b = cluster.start(cluster.options("fz-b").setRequestTimeout(REQUEST_TIMEOUT));
      ProcessId echo = await(b.register("fz-echo", EchoProcess::new, new DeploymentOptions()));
      Awaits.until(Duration.ofSeconds(15), () -> "fz-b".equals(await(a.locate("fz-echo"))) && "fz-a".equals(b.leader()));
      List<ProcessId> processesBefore = b.addressBook().localProcesses();
      var viewBefore = b.addressBook().availableNodes();
      List<String> ownersBefore = b.addressBook().owners("fz-echo");

      VertxOptions vo = new VertxOptions();
      vo.getEventBusOptions().setHost("127.0.0.1");
      JsonObject zk = new JsonObject().put("zookeeperHosts", cluster.zookeeperConnectString())
        .put("rootPath", cluster.options("x").getZookeeperRootPath());
      Vertx outsider = await(Vertx.builder().with(vo).withClusterManager(new ZookeeperClusterManager(zk)).buildClustered());
      try {
        Awaits.until(Duration.ofSeconds(10), () -> {
          DeliveryOptions ping = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "ping").setSendTimeout(1_000);
          return await(outsider.eventBus().request(WhereIs.nodeAddress("fz-b"), null, ping)) != null;
        });
        List<String> members = List.of("fz-a", "fz-b");
        Map<String, Integer> outcomes = new TreeMap<>();
        Map<String, String> timeouts = new ConcurrentHashMap<>();
        AtomicInteger sent = new AtomicInteger();
        Promise<Void> done = Promise.promise();
        AtomicInteger remaining = new AtomicInteger(MESSAGES);
        java.util.concurrent.atomic.AtomicReference<Runnable> next = new java.util.concurrent.atomic.AtomicReference<>();
        next.set(() -> {
          int i = sent.getAndIncrement();
          if (i >= MESSAGES) return;
          Future<?> reply;
          String what;
          synchronized (random) {
            boolean local = i % 2 == 1;
            DeliveryOptions o = headers(local ? API_ACTIONS : NODE_ACTIONS, members);
            Object body = body();
            what = (local ? "api " : "node ") + o.getHeaders() + " " + String.valueOf(body).substring(0, Math.min(80, String.valueOf(body).length()));
            if (local) {
              o.setLocalOnly(true);
              reply = b.vertx().eventBus().request(WhereIs.ADDRESS, body, o);
            } else {
              String address = random.nextInt(5) == 0 ? WhereIs.laneAddress("fz-b", random.nextInt(3)) : WhereIs.nodeAddress("fz-b");
              reply = outsider.eventBus().request(address, body, o);
            }
          }
          reply.onComplete(ar -> {
            String key;
            if (ar.succeeded()) {
              key = "reply";
            } else if (ar.cause() instanceof ReplyException e) {
              key = e.failureType() == ReplyFailure.TIMEOUT ? "timeout" : e.failureType() == ReplyFailure.NO_HANDLERS
                ? "no handlers" : String.valueOf(e.failureCode());
              if (e.failureType() == ReplyFailure.TIMEOUT) timeouts.putIfAbsent(what, e.getMessage());
            } else {
              key = ar.cause().getClass().getSimpleName();
            }
            synchronized (outcomes) {
              outcomes.merge(key, 1, Integer::sum);
            }
            if (remaining.decrementAndGet() == 0) done.tryComplete();
            next.get().run();
          });
        });
        for (int i = 0; i < IN_FLIGHT; i++) next.get().run();
        done.future().toCompletionStage().toCompletableFuture().get(150, TimeUnit.SECONDS);
        System.out.printf("FUZZ %d messages (seed %d): outcomes %s%n", MESSAGES, SEED, outcomes);
        assertThat(timeouts).as("messages never answered").isEmpty();
        assertThat(outcomes.keySet()).as("outcomes").doesNotContain("no handlers");
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(MESSAGES);
      } finally {
        await(outsider.close());
      }
      // nothing changed
      assertThat(b.addressBook().localProcesses()).isEqualTo(processesBefore);
      assertThat(b.addressBook().availableNodes()).isEqualTo(viewBefore);
      assertThat(b.addressBook().owners("fz-echo")).isEqualTo(ownersBefore);
      assertThat(b.leader()).isEqualTo("fz-a");
      assertThat(a.isLeader()).isTrue();
      assertThat(await(a.lookup("fz-echo"))).isEqualTo(echo);
      assertThat(await(a.<JsonObject>call("fz-echo", "still")).body().getString("echo")).isEqualTo("still");
      assertThat(b.addressBook().localProcesses()).extracting(ProcessId::name).containsExactly("fz-echo");
      assertThat(new ArrayList<>(b.vertx().deploymentIDs())).hasSizeLessThan(20);
    }
  }
}
