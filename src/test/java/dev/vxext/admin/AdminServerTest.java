package dev.vxext.admin;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.cron.CronJob;
import dev.vxext.cron.CronScope;
import dev.vxext.daemon.DaemonScanners;
import dev.vxext.daemon.Launcher;
import dev.vxext.metrics.MetricNames;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.DaemonWorker;
import dev.vxext.testing.EchoProcess;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin server of a node in a 3-node cluster: the JSON API, its errors, the bearer token, /health and
 * /metrics, and the vxext meters behind them.
 */
class AdminServerTest {

  static final String TOKEN = "test-token-0123456789";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static ClusterFixture cluster;
  private static ClusterNode one;
  private static ClusterNode two;
  private static String base;

  @BeforeAll
  static void start() {
    cluster = ClusterFixture.clustered();
    NodeOptions first = cluster.options("node-1").setAdmin(new AdminOptions().setPort(0).setToken(TOKEN))
      .addCronJob(new CronJob().setName("tick").setDialect("quartz").setSpec("* * * * * ?")
        .setScope(CronScope.CLUSTER).setTriggerProcess("ticks"));
    one = cluster.start(first);
    two = cluster.start(cluster.options("node-2").setAdmin(new AdminOptions().setPort(0))
      .addLauncher("worker", Launcher.of(DaemonWorker::new).withScanner(DaemonScanners.singleton("worker.main", new JsonObject())))
      .addCronJob(new CronJob().setName("tick").setDialect("quartz").setSpec("* * * * * ?")
        .setScope(CronScope.CLUSTER).setTriggerProcess("ticks")));
    ClusterNode three = cluster.start("node-3");
    await(three.register("ticks", EchoProcess::new, new DeploymentOptions()));
    Awaits.until(Duration.ofSeconds(15), () -> cluster.nodes().stream().allMatch(n -> n.addressBook().availableNodes().size() == 3));
    await(two.register("echo.A", EchoProcess::new, new DeploymentOptions()));
    cluster.awaitLocatedEverywhere("echo.A", "node-2", Duration.ofSeconds(10));
    cluster.awaitLocatedEverywhere("worker.main", "node-2", Duration.ofSeconds(20));
    assertThat(one.adminPort()).isPositive();
    base = "http://127.0.0.1:" + one.adminPort();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String path, String body, String token) throws Exception {
    return post(base, path, body, token);
  }

  static HttpResponse<String> post(String server, String path, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server + path)).timeout(Duration.ofSeconds(10))
      .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static void assertPostError(String path, String body, int status, String message) throws Exception {
    HttpResponse<String> r = post(path, body, TOKEN);
    assertThat(r.statusCode()).as(path + " " + body + " -> " + r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    JsonObject error = new JsonObject(r.body());
    assertThat(error.getInteger("status")).isEqualTo(status);
    assertThat(error.getString("error")).isNotBlank();
    assertThat(error.getString("message")).contains(message);
  }

  static JsonObject json(String path) throws Exception {
    HttpResponse<String> r = get(path, TOKEN);
    assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    return new JsonObject(r.body());
  }

  static void assertError(String path, int status) throws Exception {
    HttpResponse<String> r = get(path, TOKEN);
    assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(status);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getInteger("status")).isEqualTo(status);
    assertThat(body.getString("error")).isNotBlank();
    assertThat(body.getString("message")).isNotBlank();
  }

  @Test
  void nodesListsTheMembersWithOneLeader() throws Exception {
    Awaits.until(Duration.ofSeconds(10), () -> json("/api/nodes").getString("leader") != null);
    JsonObject nodes = json("/api/nodes");
    JsonArray list = nodes.getJsonArray("nodes");
    assertThat(list.stream().map(o -> ((JsonObject) o).getString("name"))).containsExactlyInAnyOrder("node-1", "node-2", "node-3");
    assertThat(list.stream().filter(o -> ((JsonObject) o).getBoolean("leader"))).hasSize(1);
    assertThat(nodes.getString("self")).isEqualTo("node-1");
    JsonObject two = list.stream().map(o -> (JsonObject) o).filter(o -> o.getString("name").equals("node-2")).findFirst().orElseThrow();
    assertThat(two.getJsonArray("launchers").getList()).containsExactly("worker");
  }

  @Test
  void processesAreGatheredFromEveryNodeOrOne() throws Exception {
    JsonObject all = json("/api/processes");
    assertThat(all.getJsonArray("unreachable")).isEmpty();
    assertThat(all.getJsonArray("processes").stream().map(o -> ((JsonObject) o).getString("name") + "@" + ((JsonObject) o).getString("node")))
      .contains("echo.A@node-2", "worker.main@node-2");
    JsonObject three = json("/api/processes?node=node-3");
    assertThat(three.getJsonArray("processes").stream().map(o -> ((JsonObject) o).getString("name"))).doesNotContain("echo.A");
    assertError("/api/processes?node=node-9", 404);
    assertError("/api/processes?node=bad%20name", 400);
  }

  @Test
  void locateAnswersTheNodeOrAClearError() throws Exception {
    JsonObject found = json("/api/locate/echo.A");
    assertThat(found.getString("node")).isEqualTo("node-2");
    assertThat(found.getString("name")).isEqualTo("echo.A");
    assertError("/api/locate/nobody.here", 404);
    assertError("/api/locate/" + "x".repeat(200), 400);
    assertError("/api/nothing", 404);
  }

  @Test
  void daemonsShowWhereEachRuns() throws Exception {
    Awaits.until(Duration.ofSeconds(20), () -> {
      HttpResponse<String> r = get("/api/daemons", TOKEN);
      return r.statusCode() == 200 && new JsonObject(r.body()).getJsonArray("daemons").size() == 1;
    });
    JsonObject d = json("/api/daemons");
    JsonObject main = d.getJsonArray("daemons").getJsonObject(0);
    assertThat(main.getString("name")).isEqualTo("worker.main");
    assertThat(main.getString("launcher")).isEqualTo("worker");
    assertThat(main.getString("node")).isEqualTo("node-2");
    assertThat(main.getString("state")).isEqualTo("running");
    assertThat(d.getInteger("declared")).isEqualTo(1);
    // the count says what the list shows: the daemon runs now (the leader's reconciliation placed it, so it
    // counted it as spawned, not as running)
    assertThat(d.getInteger("running")).isEqualTo(1);
    assertThat(d.getInteger("missing")).isZero();
    assertThat(d.getString("leader")).isEqualTo(one.leader());
  }

  @Test
  void aScanOnDemandRunsAReconciliationOnTheLeader() throws Exception {
    Awaits.until(Duration.ofSeconds(20), () -> get("/api/daemons", TOKEN).statusCode() == 200);
    long before = System.currentTimeMillis();
    HttpResponse<String> r = post("/api/daemons/scan", "", TOKEN);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject scan = new JsonObject(r.body());
    assertThat(scan.getString("leader")).isEqualTo(one.leader());
    assertThat(scan.getInteger("declared")).isEqualTo(1);
    assertThat(scan.getLong("startedAt")).isGreaterThanOrEqualTo(before);
    assertThat(post("/api/daemons/scan", "", null).statusCode()).isEqualTo(401);
  }

  @Test
  void cronJobsAreMergedAcrossNodes() throws Exception {
    Awaits.until(Duration.ofSeconds(10), () -> json("/api/cron").getJsonArray("jobs").getJsonObject(0).getLong("nextFireAt") > 0);
    JsonObject job = json("/api/cron").getJsonArray("jobs").getJsonObject(0);
    assertThat(job.getString("name")).isEqualTo("tick");
    assertThat(job.getString("scope")).isEqualTo("CLUSTER");
    assertThat(job.getString("spec")).isEqualTo("* * * * * ?");
    assertThat(job.getString("owner")).isIn("node-1", "node-2");
    assertThat(job.getJsonArray("nodes").getList()).containsExactlyInAnyOrder("node-1", "node-2");
  }

  @Test
  void theTokenIsRequiredExceptForHealthAndThePage() throws Exception {
    for (String path : List.of("/api/nodes", "/api/processes", "/api/locate/echo.A", "/metrics")) {
      HttpResponse<String> none = get(path, null);
      assertThat(none.statusCode()).as(path).isEqualTo(401);
      assertThat(none.headers().firstValue("www-authenticate")).hasValue("Bearer");
      assertThat(new JsonObject(none.body()).getInteger("status")).isEqualTo(401);
      assertThat(get(path, "wrong-token-0123456789").statusCode()).as(path).isEqualTo(401);
    }
    HttpResponse<String> page = get("/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<script src=\"app.js\"></script>");
    assertThat(get("/app.js", null).statusCode()).isEqualTo(200);
    assertThat(get("/health", null).statusCode()).isIn(200, 503);
  }

  @Test
  void healthIsUpWithEveryCheck() throws Exception {
    Awaits.until(Duration.ofSeconds(10), () -> get("/health", null).statusCode() == 200);
    JsonObject health = new JsonObject(get("/health", null).body());
    assertThat(health.getString("status")).isEqualTo("UP");
    assertThat(health.getJsonArray("checks").stream().map(o -> ((JsonObject) o).getString("id")))
      .containsExactlyInAnyOrder("cluster-manager", "membership", "leader", "whereis");
    assertThat(health.getJsonArray("checks").stream().map(o -> ((JsonObject) o).getString("status"))).containsOnly("UP");
  }

  @Test
  void metricsAreExposedForPrometheusWithTheNodeTag() throws Exception {
    await(one.locate("echo.A"));
    one.locate("nobody.here").otherwiseEmpty().toCompletionStage().toCompletableFuture().get();
    HttpResponse<String> r = get("/metrics", TOKEN);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
      .contains("vxext_processes_registered{node=\"node-1\"}")
      .contains("vxext_cluster_nodes{node=\"node-1\"} 3.0")
      .contains("vxext_locate_seconds_count{node=\"node-1\",result=\"hit\"}")
      .contains("vxext_locate_seconds_count{node=\"node-1\",result=\"miss\"}")
      .contains("vxext_sync_bytes_total{node=\"node-1\"}")
      .contains("vxext_daemons_hosted{node=\"node-1\"} 0.0")
      .contains("vxext_leader_epoch{node=\"node-1\"}");
  }

  @Test
  void metersCountWhatHappened() {
    // node-2 registered two processes and pushed them to their owners; the acks were timed
    assertThat(two.meterRegistry().get(MetricNames.PROCESSES_REGISTERED).gauge().value()).isEqualTo(2.0);
    assertThat(two.meterRegistry().get(MetricNames.PROCESSES_REGISTERED).gauge().getId().getTag("node")).isEqualTo("node-2");
    assertThat(two.meterRegistry().get(MetricNames.SYNC_LAG).timer().count()).isPositive();
    assertThat(two.meterRegistry().get(MetricNames.SYNC_MESSAGES).counters().stream().mapToDouble(Counter::count).sum()).isPositive();
    assertThat(two.meterRegistry().get(MetricNames.SYNC_BYTES).counter().count()).isPositive();
    // node-2 runs the daemon; the leader placed it
    assertThat(two.meterRegistry().get(MetricNames.DAEMONS_HOSTED).gauge().value()).isEqualTo(1.0);
    ClusterNode leader = cluster.node(one.leader());
    assertThat(leader.meterRegistry().get(MetricNames.DAEMONS_PLACED).counter().count()).isEqualTo(1.0);
    assertThat(leader.meterRegistry().get(MetricNames.LEADER).gauge().value()).isEqualTo(1.0);
    // the cluster cron job fires on exactly one of the two nodes declaring it, and the other loses no claim race
    Awaits.until(Duration.ofSeconds(10), () -> fires(one) + fires(two) >= 2);
    Timer lateness = one.meterRegistry().find(MetricNames.CRON_LATENESS).timer();
    Timer latenessTwo = two.meterRegistry().find(MetricNames.CRON_LATENESS).timer();
    assertThat((lateness == null ? 0 : lateness.count()) + (latenessTwo == null ? 0 : latenessTwo.count())).isPositive();
  }

  @Test
  void callForwardsTheBodyAndAnswersTheReply() throws Exception {
    HttpResponse<String> r = post("/api/call/echo.A", "{\"hello\": \"admin\"}", TOKEN);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("from", "echo.A")
      .put("echo", new JsonObject().put("hello", "admin")));
    HttpResponse<String> bounded = post("/api/call/echo.A?timeout=500", "{}", TOKEN);
    assertThat(bounded.statusCode()).as(bounded.body()).isEqualTo(200);
    // the process's own failure: 502, its code in the message
    assertPostError("/api/call/echo.A", "{\"fail\": 418}", 502, "code 418");
  }

  @Test
  void callAndSendRefuseBadInputAndChangeNothing() throws Exception {
    long before = received("echo.A");
    assertPostError("/api/call/nobody.here", "{}", 404, "nobody.here");
    assertPostError("/api/send/nobody.here", "{}", 404, "nobody.here");
    assertPostError("/api/call/echo.A", "{not json", 400, "not JSON");
    assertPostError("/api/call/echo.A", "[1, 2]", 400, "must be a JSON object (the message), got an array");
    assertPostError("/api/send/echo.A", "\"hello\"", 400, "must be a JSON object (the message), got a string");
    assertPostError("/api/call/echo.A", "", 400, "got nothing");
    assertPostError("/api/call/bad%20name", "{}", 400, "invalid process name");
    assertPostError("/api/call/" + "x".repeat(200), "{}", 400, "invalid process name");
    assertPostError("/api/call/echo.A?timeout=0", "{}", 400, "timeout must be an integer between 1 and 3000 ms");
    assertPostError("/api/call/echo.A?timeout=60000", "{}", 400, "timeout must be an integer between 1 and 3000 ms");
    assertPostError("/api/call/echo.A?timeout=soon", "{}", 400, "got 'soon'");
    String big = new JsonObject().put("blob", "x".repeat(1 << 20)).encode();
    assertPostError("/api/call/echo.A", big, 413, "larger than 1048576 bytes");
    assertThat(received("echo.A")).as("messages echo.A received").isEqualTo(before);
  }

  @Test
  void callAndSendNeedTheToken() throws Exception {
    long before = received("echo.A");
    for (String path : List.of("/api/call/echo.A", "/api/send/echo.A")) {
      HttpResponse<String> none = post(path, "{}", null);
      assertThat(none.statusCode()).as(path).isEqualTo(401);
      assertThat(none.headers().firstValue("www-authenticate")).hasValue("Bearer");
      assertThat(post(path, "{}", "wrong-token-0123456789").statusCode()).as(path).isEqualTo(401);
      // an admin server without a token (loopback only) serves no acts: any page in a browser could post to it
      HttpResponse<String> off = post("http://127.0.0.1:" + two.adminPort(), path, "{}", null);
      assertThat(off.statusCode()).as(path + " -> " + off.body()).isEqualTo(403);
      assertThat(new JsonObject(off.body()).getString("message")).contains("admin.token");
    }
    assertThat(received("echo.A")).as("messages echo.A received").isEqualTo(before);
  }

  @Test
  void sendHandsTheMessageOverAndAnswers202() throws Exception {
    String marker = "sent-" + System.nanoTime();
    HttpResponse<String> r = post("/api/send/echo.A", new JsonObject().put("marker", marker).encode(), TOKEN);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("name", "echo.A").put("sent", true));
    Awaits.until(Duration.ofSeconds(10), () -> EchoProcess.RECEIVED.contains("echo.A:" + new JsonObject().put("marker", marker)));
  }

  private static long received(String process) {
    return EchoProcess.RECEIVED.stream().filter(m -> m.startsWith(process + ":")).count();
  }

  private static double fires(ClusterNode node) {
    Counter c = node.meterRegistry().find(MetricNames.CRON_FIRES).tag("job", "tick").counter();
    return c == null ? 0 : c.count();
  }
}
