package dev.vxext.admin;

import dev.vxext.testing.Awaits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A page in headless Chromium driven through the Chrome DevTools Protocol (over the JDK's WebSocket
 * client, no driver): enough to type into a page, click and read what it shows. {@link #close()} ends the
 * browser it started.
 */
final class DevTools implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Process browser;
  private volatile WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();

  private DevTools(Process browser) {
    this.browser = browser;
  }

  /** Starts headless Chromium ({@code chromium} is its executable) on {@code url} and attaches to the page. */
  static DevTools open(String chromium, String url) throws Exception {
    Path profile = Files.createTempDirectory("vxext-devtools");
    List<String> cmd = List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
      "--user-data-dir=" + profile, "--window-size=1280,900", "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0", url);
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
      .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      // Chromium writes the port it took, then the browser's path, once it listens
      Path active = profile.resolve("DevToolsActivePort");
      Awaits.until(Duration.ofSeconds(60), () -> Files.exists(active) && Files.readAllLines(active).size() >= 2);
      int port = Integer.parseInt(Files.readAllLines(active).get(0).trim());
      String[] page = new String[1];
      Awaits.until(Duration.ofSeconds(30), () -> {
        page[0] = pageSocket(port, url);
        return page[0] != null;
      });
      DevTools tools = new DevTools(p);
      tools.socket = HTTP.newWebSocketBuilder().buildAsync(URI.create(page[0]), tools.listener()).get(10, TimeUnit.SECONDS);
      return tools;
    } catch (Exception | AssertionError e) {
      stop(p);
      throw e;
    }
  }

  /** @return the WebSocket address of the page showing {@code url}, or null while there is none */
  private static String pageSocket(int port, String url) throws IOException, InterruptedException {
    HttpResponse<String> list = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
      .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    String origin = url.substring(0, url.indexOf('/', "http://".length()));
    for (Object o : new JsonArray(list.body())) {
      JsonObject target = (JsonObject) o;
      if ("page".equals(target.getString("type")) && target.getString("url", "").startsWith(origin)) {
        return target.getString("webSocketDebuggerUrl");
      }
    }
    return null;
  }

  private WebSocket.Listener listener() {
    StringBuilder text = new StringBuilder();
    return new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          JsonObject message = new JsonObject(text.toString());
          text.setLength(0);
          Integer id = message.getInteger("id");
          CompletableFuture<JsonObject> answer = id == null ? null : pending.remove(id);
          if (answer != null) {
            answer.complete(message);
          }
        }
        ws.request(1);
        return null;
      }
    };
  }

  /** Sends one DevTools command. @return its result */
  JsonObject command(String method, JsonObject params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonObject> answer = new CompletableFuture<>();
    pending.put(id, answer);
    socket.sendText(new JsonObject().put("id", id).put("method", method).put("params", params).encode(), true)
      .get(10, TimeUnit.SECONDS);
    JsonObject message = answer.get(30, TimeUnit.SECONDS);
    if (message.containsKey("error")) {
      throw new AssertionError(method + " failed: " + message.getJsonObject("error").encode());
    }
    return message.getJsonObject("result", new JsonObject());
  }

  /** @return the value of a JavaScript expression evaluated in the page */
  Object evaluate(String expression) throws Exception {
    JsonObject result = command("Runtime.evaluate", new JsonObject().put("expression", expression)
      .put("returnByValue", true).put("awaitPromise", true));
    if (result.containsKey("exceptionDetails")) {
      throw new AssertionError("'" + expression + "' threw: " + result.getJsonObject("exceptionDetails").encode());
    }
    return result.getJsonObject("result", new JsonObject()).getValue("value");
  }

  @Override
  public void close() {
    if (socket != null) {
      socket.abort();
    }
    stop(browser);
  }

  /** Ends the browser this class started, and the processes it started. */
  private static void stop(Process p) {
    List<ProcessHandle> children = p.descendants().toList();
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
