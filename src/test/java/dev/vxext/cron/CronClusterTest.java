package dev.vxext.cron;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.process.ProcessVerticle;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cluster cron on real clustered nodes: exactly one fire per tick through a node leaving and another
 * joining, node-scoped jobs on every node, delivery to a trigger process on another node.
 */
class CronClusterTest {

  private static final int JOBS = 6;

  /** Records every trigger it receives. */
  public static class Collector extends ProcessVerticle {
    static final Queue<JsonObject> FIRES = new ConcurrentLinkedQueue<>();

    @Override
    protected void handle(Message<Object> message) {
      if (message.body() instanceof JsonObject tick) {
        FIRES.add(tick.put("receivedBy", name())
          .put("receivedOn", dev.vxext.runtime.NodeRuntime.of(vertx).map(r -> r.name()).orElse("?")));
      }
    }
  }

  private ClusterFixture cluster;

  @BeforeEach
  void start() {
    Collector.FIRES.clear();
    cluster = ClusterFixture.clustered();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private NodeOptions options(String name) {
    NodeOptions o = cluster.options(name);
    for (int i = 0; i < JOBS; i++) {
      o.addCronJob(new CronJob().setName("every-second-" + i).setDialect("quartz").setSpec("* * * * * ?")
        .setTriggerProcess("collector").setMisfireGrace(5_000));
    }
    o.addCronJob(new CronJob().setName("local-tick").setDialect("quartz").setSpec("* * * * * ?")
      .setTriggerProcess("local-collector").setScope(CronScope.NODE));
    return o;
  }

  @Test
  void everyClusterTickFiresExactlyOnceThroughChurn() {
    ClusterNode a = cluster.start(options("cron-a"));
    await(a.register("collector", Collector::new, new DeploymentOptions()));
    cluster.start(options("cron-b"));
    cluster.start(options("cron-c"));
    Awaits.until(Duration.ofSeconds(10), () -> cluster.nodes().stream().allMatch(n -> n.addressBook().availableNodes().size() == 3));
    for (ClusterNode n : cluster.nodes()) {
      await(n.register("local-collector", Collector::new, new DeploymentOptions()));
    }
    long startedAt = System.currentTimeMillis();
    Awaits.until(Duration.ofSeconds(10), () -> clusterFires().size() >= JOBS * 3);

    // a node that owns jobs leaves (not the collector's), and another joins
    String leaving = owners(a).entrySet().stream().filter(e -> !e.getValue().equals("cron-a")).map(Map.Entry::getValue)
      .findFirst().orElse("cron-b");
    int before = clusterFires().size();
    cluster.close(leaving);
    Awaits.until(Duration.ofSeconds(10), () -> clusterFires().size() >= before + JOBS * 3);
    cluster.start(options("cron-d"));
    int afterJoin = clusterFires().size();
    Awaits.until(Duration.ofSeconds(10), () -> clusterFires().size() >= afterJoin + JOBS * 3);
    long endedAt = System.currentTimeMillis();

    // every job: consecutive seconds, no duplicates, no gaps, between its first and last fire
    Map<String, List<Long>> byJob = new TreeMap<>();
    List<Long> lateness = new ArrayList<>();
    Set<String> firingNodes = new HashSet<>();
    for (JsonObject f : clusterFires()) {
      byJob.computeIfAbsent(f.getString("job"), k -> new ArrayList<>()).add(f.getLong("scheduledAt"));
      lateness.add(f.getLong("firedAt") - f.getLong("scheduledAt"));
      firingNodes.add(f.getString("node"));
      assertThat(f.getLong("scheduledAt") % 1000).isZero();
    }
    assertThat(byJob).hasSize(JOBS);
    int duplicates = 0;
    int gaps = 0;
    for (Map.Entry<String, List<Long>> e : byJob.entrySet()) {
      List<Long> ticks = e.getValue();
      Collections.sort(ticks);
      for (int i = 1; i < ticks.size(); i++) {
        long step = ticks.get(i) - ticks.get(i - 1);
        if (step == 0) duplicates++;
        if (step > 1000) gaps += (int) (step / 1000 - 1);
      }
    }
    Collections.sort(lateness);
    System.out.printf("cron churn test: %d fires of %d jobs over %.1f s from nodes %s; duplicates %d, gaps %d;"
        + " lateness p50 %d ms, p99 %d ms, max %d ms%n", clusterFires().size(), JOBS, (endedAt - startedAt) / 1000.0,
      new TreeMap<>(countBy(firingNodes)).keySet(), duplicates, gaps, lateness.get(lateness.size() / 2),
      lateness.get((int) Math.min(lateness.size() - 1, Math.round(lateness.size() * 0.99))), lateness.get(lateness.size() - 1));
    assertThat(duplicates).as("ticks fired twice").isZero();
    assertThat(gaps).as("ticks never fired").isZero();
    assertThat(firingNodes).as("fires spread by ownership").hasSizeGreaterThan(1);
    // on ZooKeeper the ticks are claimed ahead, in batched transactions: fewer requests than ticks fired
    double requests = cluster.nodes().stream().mapToDouble(n -> n.meterRegistry().find(dev.vxext.metrics.MetricNames.CRON_CLAIM_REQUESTS)
      .counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum()).sum();
    assertThat(requests).as("cron claim requests of the running nodes").isPositive();

    // node-scoped job: every node fires it to its own local process
    Set<String> localNodes = new HashSet<>();
    for (JsonObject f : Collector.FIRES) {
      if ("local-tick".equals(f.getString("job"))) localNodes.add(f.getString("node"));
    }
    assertThat(localNodes).contains("cron-a", leaving.equals("cron-b") ? "cron-c" : "cron-b");
  }

  @Test
  void cronJobsListsOwnersAndNextFireTimes() {
    ClusterNode a = cluster.start(options("list-a"));
    ClusterNode b = cluster.start(options("list-b"));
    Awaits.until(Duration.ofSeconds(10), () -> a.addressBook().availableNodes().size() == 2 && b.addressBook().availableNodes().size() == 2);
    Awaits.until(Duration.ofSeconds(5), () -> {
      Map<String, String> ownersA = owners(a);
      Map<String, String> ownersB = owners(b);
      return ownersA.equals(ownersB) && ownersA.size() == JOBS + 1;
    });
    List<CronJobInfo> jobs = await(a.cronJobs());
    for (CronJobInfo info : jobs) {
      if (info.scope() == CronScope.NODE || "list-a".equals(info.owner())) {
        assertThat(info.nextFireAt()).as(info.name()).isGreaterThan(System.currentTimeMillis() - 1_000);
      } else {
        assertThat(info.nextFireAt()).isZero();
      }
    }
    assertThat(jobs.stream().filter(j -> j.name().equals("local-tick")).findFirst().orElseThrow().owner()).isEqualTo("list-a");
  }

  @Test
  void anOwnerLocalJobFiresOnceATickToTheProcessOnItsOwner() {
    List<ClusterNode> nodes = new ArrayList<>();
    for (String name : List.of("local-a", "local-b")) {
      NodeOptions o = cluster.options(name).addCronJob(new CronJob().setName("owner-local").setDialect("quartz")
        .setSpec("* * * * * ?").setTriggerProcess("local-collector").setDelivery(CronDelivery.OWNER_LOCAL));
      ClusterNode n = cluster.start(o);
      await(n.register("local-collector", Collector::new, new DeploymentOptions()));
      nodes.add(n);
    }
    Awaits.until(Duration.ofSeconds(10), () -> nodes.stream().allMatch(n -> n.addressBook().availableNodes().size() == 2));
    Awaits.until(Duration.ofSeconds(15), () -> Collector.FIRES.stream().filter(f -> "owner-local".equals(f.getString("job"))).count() >= 4);
    Map<Long, Integer> perTick = new TreeMap<>();
    for (JsonObject f : Collector.FIRES) {
      if (!"owner-local".equals(f.getString("job"))) continue;
      perTick.merge(f.getLong("scheduledAt"), 1, Integer::sum);
      assertThat(f.getString("receivedOn")).as("delivered on the node that fired it").isEqualTo(f.getString("node"));
    }
    assertThat(perTick.values()).as("fires per tick").containsOnly(1);
  }

  private static Map<String, Integer> countBy(Set<String> s) {
    Map<String, Integer> m = new HashMap<>();
    s.forEach(x -> m.merge(x, 1, Integer::sum));
    return m;
  }

  private static List<JsonObject> clusterFires() {
    List<JsonObject> list = new ArrayList<>();
    for (JsonObject f : Collector.FIRES) {
      if (f.getString("job").startsWith("every-second-")) list.add(f);
    }
    return list;
  }

  private static Map<String, String> owners(ClusterNode n) {
    Map<String, String> m = new TreeMap<>();
    for (CronJobInfo info : await(n.cronJobs())) {
      m.put(info.name(), info.scope() == CronScope.NODE ? "node" : info.owner());
    }
    return m;
  }
}
