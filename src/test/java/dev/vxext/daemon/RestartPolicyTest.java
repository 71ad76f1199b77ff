package dev.vxext.daemon;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.process.ProcessId;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import dev.vxext.testing.ExitingWorker;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Supervised spawns on two clustered nodes (real ZooKeeper): idempotency by name, the restart policies of a
 * spawn that ends on its own, the lists (Java, event bus, the leader's report) and bad input. Each test uses
 * names of its own on one cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestartPolicyTest {

  private static final Duration CONVERGE = Duration.ofSeconds(20);

  private ClusterFixture cluster;
  private ClusterNode a;
  private ClusterNode b;

  @BeforeAll
  void start() {
    DaemonWorker.reset();
    cluster = ClusterFixture.clustered();
    a = cluster.start(options("rp-a"));
    b = cluster.start(options("rp-b"));
    Awaits.until(CONVERGE, () -> a.addressBook().availableNodes().size() == 2 && b.addressBook().availableNodes().size() == 2);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private NodeOptions options(String name) {
    return cluster.options(name).setSettleDelay(300).setReconcileInterval(500)
      .addLauncher("worker", Launcher.of(DaemonWorker::new))
      .addLauncher("always", Launcher.of(ExitingWorker::new).withRestart(RestartPolicy.ALWAYS))
      .addLauncher("never", Launcher.of(ExitingWorker::new).withRestart(RestartPolicy.NEVER))
      .addLauncher("onfail", Launcher.of(ExitingWorker::new));
  }

  private Optional<ProcessId> lookup(String name) {
    try {
      return Optional.of(await(a.lookup(name)));
    } catch (ReplyException e) {
      if (e.failureCode() == WhereIs.NOT_FOUND) return Optional.empty();
      throw e;
    }
  }

  private List<String> spawns(ClusterNode from, String launcher) {
    return await(from.spawner(launcher).list()).stream().map(SupervisedSpawn::name).toList();
  }

  private void exit(String name, String how) {
    await(a.call(name, new JsonObject().put("exit", how)));
  }

  /** Waits until {@code name} runs as an instance other than {@code old}, once. */
  private ProcessId awaitRestarted(ProcessId old) {
    ProcessId[] now = new ProcessId[1];
    Awaits.until(CONVERGE, () -> {
      now[0] = lookup(old.name()).orElse(null);
      return now[0] != null && !now[0].deploymentId().equals(old.deploymentId());
    });
    return now[0];
  }

  /** Polls until the spawn's record is gone, then checks it stays stopped over several reconciliations. */
  private void awaitEndedForGood(String launcher, String name) {
    Awaits.until(CONVERGE, () -> !spawns(a, launcher).contains(name) && lookup(name).isEmpty());
    Awaitility.await().during(Duration.ofMillis(2_000)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
      .until(() -> lookup(name).isEmpty() && !spawns(b, launcher).contains(name));
  }

  @Test
  void aSpawnIsRecordedAndListedEverywhere() {
    ProcessId pid = await(a.spawner("worker").spawnRegister("rp-listed", new JsonObject().put("k", 1)));
    for (ClusterNode n : List.of(a, b)) {
      List<SupervisedSpawn> list = await(n.spawner("worker").list());
      SupervisedSpawn s = list.stream().filter(x -> x.name().equals("rp-listed")).findFirst().orElseThrow();
      assertThat(s.launcher()).isEqualTo("worker");
      assertThat(s.args()).isEqualTo(new JsonObject().put("k", 1));
      assertThat(s.restart()).isEqualTo(RestartPolicy.ON_FAILURE);
      assertThat(s.since()).isPositive();
    }
    assertThat(spawns(a, "always")).doesNotContain("rp-listed");
    // the event bus: action spawns of the local address vxext.daemon, all launchers or one
    DeliveryOptions o = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "spawns");
    JsonArray all = await(b.vertx().eventBus().<JsonObject>request("vxext.daemon", new JsonObject(), o)).body().getJsonArray("spawns");
    assertThat(all.stream().map(x -> ((JsonObject) x).getString("name"))).contains("rp-listed");
    JsonArray none = await(b.vertx().eventBus().<JsonObject>request("vxext.daemon", new JsonObject().put("launcher", "never"), o))
      .body().getJsonArray("spawns");
    assertThat(none.stream().map(x -> ((JsonObject) x).getString("name"))).doesNotContain("rp-listed");
    // the leader's report (what /api/daemons shows) marks it a supervised spawn
    ClusterNode leader = a.isLeader() ? a : b;
    DeliveryOptions list = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "list");
    Awaits.until(CONVERGE, () -> {
      JsonArray daemons = await(leader.vertx().eventBus().<JsonObject>request("vxext.daemon", new JsonObject(), list)).body()
        .getJsonArray("daemons");
      return daemons.stream().map(JsonObject.class::cast).anyMatch(d -> d.getString("name").equals("rp-listed")
        && d.getBoolean("supervised", false) && "spawn".equals(d.getString("source")) && pid.node().equals(d.getString("node")));
    });
  }

  @Test
  void spawnRegisterIsIdempotentByNameAndRefusesAnotherLauncher() {
    ProcessId one = await(a.spawner("worker").spawnRegister("rp-once", new JsonObject().put("v", 1)));
    ProcessId two = await(b.spawner("worker").spawnRegister("rp-once", new JsonObject().put("v", 2)));
    assertThat(two).isEqualTo(one);
    Throwable other = awaitFailure(b.spawner("always").spawnRegister("rp-once", null));
    assertThat(((ReplyException) other).failureCode()).isEqualTo(WhereIs.CONFLICT);
    assertThat(other.getMessage()).contains("worker");
    assertThat(spawns(a, "always")).doesNotContain("rp-once");
    assertThat(await(a.spawner("worker").list()).stream().filter(s -> s.name().equals("rp-once")).findFirst().orElseThrow().args())
      .isEqualTo(new JsonObject().put("v", 1));
    assertThat(DaemonWorker.LIVE.get("rp-once")).hasValue(1);
  }

  @Test
  void alwaysRestartsASpawnThatEndsOnItsOwn() {
    ProcessId first = await(a.spawner("always").spawnRegister("rp-always", null));
    exit("rp-always", "clean");
    ProcessId second = awaitRestarted(first);
    exit("rp-always", "fail");
    awaitRestarted(second);
    assertThat(spawns(b, "always")).contains("rp-always");
    assertThat(ExitingWorker.starts("rp-always")).isEqualTo(3);
    assertThat(DaemonWorker.MAX.get("rp-always")).isEqualTo(1);
  }

  @Test
  void neverDropsASpawnThatEndsOnItsOwnCleanlyOrNot() {
    ProcessId clean = await(a.spawner("never").spawnRegister("rp-never-clean", null));
    ProcessId crash = await(a.spawner("never").spawnRegister("rp-never-crash", null));
    exit("rp-never-clean", "clean");
    exit("rp-never-crash", "fail");
    await(b.awaitExit(clean));
    await(b.awaitExit(crash));
    awaitEndedForGood("never", "rp-never-clean");
    awaitEndedForGood("never", "rp-never-crash");
    assertThat(ExitingWorker.starts("rp-never-clean")).isEqualTo(1);
    assertThat(ExitingWorker.starts("rp-never-crash")).isEqualTo(1);
  }

  @Test
  void onFailureRestartsACrashButNotACleanExit() {
    ProcessId crashing = await(a.spawner("onfail").spawnRegister("rp-onfail-crash", null));
    await(a.spawner("onfail").spawnRegister("rp-onfail-clean", null));
    exit("rp-onfail-crash", "fail");
    awaitRestarted(crashing);
    exit("rp-onfail-clean", "clean");
    awaitEndedForGood("onfail", "rp-onfail-clean");
    assertThat(spawns(a, "onfail")).contains("rp-onfail-crash");
    assertThat(ExitingWorker.starts("rp-onfail-clean")).isEqualTo(1);
  }

  @Test
  void stopEndsASpawnEverywhereAndIsIdempotent() {
    ProcessId pid = await(a.spawner("worker").spawnRegister("rp-stopped", null));
    ClusterNode other = pid.node().equals("rp-a") ? b : a;
    var exited = other.awaitExit(pid);
    Throwable wrong = awaitFailure(b.spawner("always").stop("rp-stopped"));
    assertThat(((ReplyException) wrong).failureCode()).isEqualTo(WhereIs.CONFLICT);
    assertThat(lookup("rp-stopped")).contains(pid);
    await(b.spawner("worker").stop("rp-stopped"));
    await(exited);
    assertThat(spawns(a, "worker")).doesNotContain("rp-stopped");
    awaitEndedForGood("worker", "rp-stopped");
    // idempotent: a stopped name, an unknown one
    await(a.spawner("worker").stop("rp-stopped"));
    await(a.spawner("worker").stop("rp-never-spawned"));
    assertThat(DaemonWorker.LIVE.get("rp-stopped")).hasValue(0);
  }

  @Test
  void stopOverTheEventBusAndBadInputGetClearCodes() {
    ProcessId pid = await(a.spawner("worker").spawnRegister("rp-bus", null));
    DeliveryOptions stop = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "stop");
    DeliveryOptions spawns = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "spawns");
    List<Object[]> bad = List.of(
      new Object[] {stop, new JsonObject().put("launcher", "worker"), "stop needs"},
      new Object[] {stop, new JsonObject().put("launcher", "worker").put("name", "bad name"), "invalid process name"},
      new Object[] {stop, new JsonObject().put("name", "rp-bus"), "stop needs"},
      new Object[] {stop, "rp-bus", "JSON object"},
      new Object[] {spawns, new JsonObject().put("launcher", 5), "spawns takes"});
    for (Object[] c : bad) {
      Throwable t = awaitFailure(b.vertx().eventBus().request("vxext.daemon", c[1], (DeliveryOptions) c[0]));
      assertThat(((ReplyException) t).failureCode()).as(String.valueOf(c[1])).isEqualTo(WhereIs.BAD_REQUEST);
      assertThat(t.getMessage()).contains((String) c[2]);
    }
    Throwable invalid = awaitFailure(a.spawner("worker").stop("bad name"));
    assertThat(((ReplyException) invalid).failureCode()).isEqualTo(WhereIs.BAD_REQUEST);
    // node-address actions of the spawns, bad bodies
    DeliveryOptions nodeStop = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "daemon.stop");
    Throwable t1 = awaitFailure(a.vertx().eventBus().request(WhereIs.nodeAddress(pid.node()), new JsonObject().put("name", "rp-bus"), nodeStop));
    assertThat(((ReplyException) t1).failureCode()).isEqualTo(WhereIs.BAD_REQUEST);
    DeliveryOptions exited = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "daemon.exited");
    Throwable t2 = awaitFailure(a.vertx().eventBus().request(WhereIs.nodeAddress("rp-b"), new JsonObject().put("name", "rp-bus"), exited));
    assertThat(((ReplyException) t2).failureCode()).isEqualTo(WhereIs.BAD_REQUEST);
    // nothing changed
    assertThat(lookup("rp-bus")).contains(pid);
    assertThat(spawns(a, "worker")).contains("rp-bus");
    // and the bus stops it
    JsonObject ok = await(b.vertx().eventBus().<JsonObject>request("vxext.daemon",
      new JsonObject().put("launcher", "worker").put("name", "rp-bus"), stop)).body();
    assertThat(ok.getBoolean("ok")).isTrue();
    awaitEndedForGood("worker", "rp-bus");
  }
}
