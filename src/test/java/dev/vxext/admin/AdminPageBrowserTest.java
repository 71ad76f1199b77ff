package dev.vxext.admin;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.cron.CronJob;
import dev.vxext.daemon.DaemonProcess;
import dev.vxext.daemon.DaemonScanners;
import dev.vxext.daemon.Launcher;
import dev.vxext.testing.DaemonWorker;
import io.vertx.core.json.JsonObject;
import dev.vxext.testing.Awaits;
import dev.vxext.testing.ClusterFixture;
import dev.vxext.testing.EchoProcess;
import io.vertx.core.DeploymentOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.vxext.testing.ClusterFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The live cluster page in a real browser: 3 nodes, the page of node-1 opened in headless Chromium
 * (Debian's {@code chromium}, installed by {@code .ci/run}); the rendered DOM must show the 3 nodes, the
 * leader, and a process on the node that runs it. Leaves a screenshot in
 * {@code target/admin-page.png} (the one in {@code docs/} comes from it).
 * <p>
 * Without Chromium the test is skipped, except under CI ({@code CI=true}) where it fails.
 */
class AdminPageBrowserTest {

  private static final String TOKEN = "page-token-0123456789";
  private static ClusterFixture cluster;
  private static String url;

  @BeforeAll
  static void start() {
    cluster = ClusterFixture.clustered();
    ClusterNode one = cluster.start(declare(cluster.options("node-1")).setAdmin(new AdminOptions().setPort(0).setToken(TOKEN)));
    cluster.start(declare(cluster.options("node-2")));
    ClusterNode three = cluster.start(declare(cluster.options("node-3")));
    Awaits.until(Duration.ofSeconds(15), () -> cluster.nodes().stream().allMatch(n -> n.addressBook().availableNodes().size() == 3));
    await(three.register("greeter.A", EchoProcess::new, new DeploymentOptions()));
    await(one.register("orders.main", EchoProcess::new, new DeploymentOptions()));
    cluster.awaitLocatedEverywhere("greeter.A", "node-3", Duration.ofSeconds(10));
    Awaits.until(Duration.ofSeconds(15), () -> one.leader() != null);
    Awaits.until(Duration.ofSeconds(20), () -> ClusterFixture.locate(one, "counter.orders").isPresent()
      && ClusterFixture.locate(one, "counter.billing").isPresent());
    url = "http://127.0.0.1:" + one.adminPort() + "/#token=" + TOKEN;
  }

  /** Every node offers the launcher of two daemons and declares a cluster cron job. */
  private static NodeOptions declare(NodeOptions o) {
    return o.setSettleDelay(500)
      .addLauncher("counter", Launcher.of(DaemonWorker::new).withScanner(DaemonScanners.of(List.of(
        new DaemonProcess("counter.orders", new JsonObject()), new DaemonProcess("counter.billing", new JsonObject())))))
      .addCronJob(new CronJob().setName("report").setSpec("*/5 * * * *").setTriggerProcess("greeter.A"));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static String chromium() {
    String configured = System.getenv("CHROMIUM");
    for (String candidate : new String[] {configured, "/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
      if (candidate != null && Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    if (ci) {
      throw new AssertionError("Chromium is not installed (.ci/run installs Debian's chromium package)");
    }
    assumeTrue(false, "Chromium is not installed: apt-get install chromium");
    return null;
  }

  /** Runs headless Chromium on {@code url} with the given extra arguments; @return its standard output */
  static String browse(String... extra) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("vxext-chromium");
    List<String> cmd = new ArrayList<>(List.of(chromium(), "--headless", "--no-sandbox", "--disable-gpu",
      "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,900"));
    cmd.addAll(List.of(extra));
    cmd.add(url);
    Path out = Files.createTempFile("vxext-chromium", ".out");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("Chromium did not finish within 90 s: " + cmd);
    }
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  @Test
  void thePageShowsEveryNodeTheLeaderAndWhereAProcessRuns() throws Exception {
    String dom = browse("--virtual-time-budget=6000", "--dump-dom");
    for (String node : List.of("node-1", "node-2", "node-3")) {
      assertThat(dom).as("the page shows " + node).contains("data-node=\"" + node + "\"");
    }
    // the process is listed inside the card of the node that runs it
    Matcher card = Pattern.compile("<div class=\"node[^\"]*\" data-node=\"node-3\">(.*?)</ul></div>", Pattern.DOTALL).matcher(dom);
    assertThat(card.find()).as("node-3's card in:\n" + dom).isTrue();
    assertThat(card.group(1)).contains("data-name=\"greeter.A\"");
    assertThat(dom).contains("class=\"badge\">leader</span>");
    assertThat(dom).contains("3 node(s)");
    assertThat(dom).contains("data-daemon=\"counter.orders\"").contains("data-daemon=\"counter.billing\"");
    assertThat(dom).contains("data-job=\"report\"");
    assertThat(dom).doesNotContain("error:");
  }

  /** The call box: a call to a process on another node shows its reply; a send reaches the process. */
  @Test
  void theCallBoxCallsAProcessAndShowsItsReply() throws Exception {
    try (DevTools page = DevTools.open(chromium(), url)) {
      Awaits.until(Duration.ofSeconds(30), () -> Boolean.TRUE.equals(page.evaluate(
        "document.readyState === 'complete' && document.getElementById('call-form') !== null")));
      page.evaluate("document.getElementById('call-name').value = 'greeter.A';"
        + "document.getElementById('call-body').value = '{\"hello\": \"page\"}';"
        + "document.getElementById('call-button').click()");
      String shown = result(page);
      assertThat(new JsonObject(shown)).isEqualTo(new JsonObject().put("from", "greeter.A")
        .put("echo", new JsonObject().put("hello", "page")));
      // Send: fire and forget, the process gets the message
      String marker = "page-" + System.nanoTime();
      page.evaluate("document.getElementById('call-result').removeAttribute('data-state');"
        + "document.getElementById('call-body').value = '{\"marker\": \"" + marker + "\"}';"
        + "document.getElementById('send-button').click()");
      assertThat(result(page)).isEqualTo("sent to greeter.A");
      Awaits.until(Duration.ofSeconds(10), () -> EchoProcess.RECEIVED.contains("greeter.A:" + new JsonObject().put("marker", marker)));
      // a name nobody runs: the page shows the API's error
      page.evaluate("document.getElementById('call-result').removeAttribute('data-state');"
        + "document.getElementById('call-name').value = 'nobody.here';"
        + "document.getElementById('call-button').click()");
      assertThat(result(page, "error")).startsWith("404: ").contains("nobody.here");
    }
  }

  private static String result(DevTools page) throws Exception {
    return result(page, "ok");
  }

  /** Waits until the call box's result is final, expects {@code state}; @return the text it shows */
  private static String result(DevTools page, String state) throws Exception {
    String read = "document.getElementById('call-result').getAttribute('data-state')";
    Awaits.until(Duration.ofSeconds(20), () -> List.of("ok", "error").contains(String.valueOf(page.evaluate(read))));
    String text = String.valueOf(page.evaluate("document.getElementById('call-result').textContent"));
    assertThat(page.evaluate(read)).as(text).isEqualTo(state);
    return text;
  }

  @Test
  void theScreenshotIsTaken() throws Exception {
    Path png = Path.of("target", "admin-page.png").toAbsolutePath();
    Files.deleteIfExists(png);
    browse("--virtual-time-budget=6000", "--hide-scrollbars", "--screenshot=" + png);
    assertThat(png).exists();
    assertThat(Files.size(png)).isGreaterThan(10_000);
  }
}
