package dev.vxext.demo;

import dev.vxext.testing.Blocking;
import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessVerticle;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.apache.curator.test.TestingServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The README's "run the demo" program: {@code mvn -q test-compile exec:java}.
 * <p>
 * Part 1 runs one node alone (no ZooKeeper), registers two processes, locates and calls them. Part 2
 * starts an embedded ZooKeeper and three clustered nodes, registers processes on different nodes, shows
 * how every node resolves every name and how fast, calls across nodes, then closes one node and shows its
 * names disappear and the ring shrink to two nodes. Exits 0 on success, 1 with one line on stderr on any
 * failure. Every wait is a bounded poll.
 */
public final class LocalClusterDemo {

  private static final Logger log = LoggerFactory.getLogger(LocalClusterDemo.class);
  private static final PrintStream OUT = System.out;
  private static final long STEP_TIMEOUT_MS = 10_000;
  private static final long POLL_MS = 10;
  private static final long WATCHDOG_MS = 60_000;
  private static final int RING_KEYS = 10_000;

  private final List<ClusterNode> open = new ArrayList<>();
  private TestingServer zookeeper;

  /** A demo process: replies {@code {"node": ..., "process": ..., "echo": body}}. */
  static final class DemoProcess extends ProcessVerticle {

    private final String node;

    DemoProcess(String node) {
      this.node = node;
    }

    @Override
    protected void handle(Message<Object> message) {
      message.reply(new JsonObject().put("node", node).put("process", name()).put("echo", message.body()));
    }
  }

  private LocalClusterDemo() {
  }

  /** Runs the demo; no arguments. */
  public static void main(String[] args) {
    long started = System.nanoTime();
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(WATCHDOG_MS);
      } catch (InterruptedException e) {
        return;
      }
      System.err.println("demo failed: did not finish within " + WATCHDOG_MS / 1000 + " s");
      Runtime.getRuntime().halt(1);
    }, "demo-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();

    LocalClusterDemo demo = new LocalClusterDemo();
    int code = 0;
    try {
      demo.singleNode();
      demo.cluster();
    } catch (Throwable t) {
      log.debug("demo failed", t);
      System.err.println("demo failed: " + describe(t));
      code = 1;
    }
    try {
      demo.closeAll();
    } catch (Throwable t) {
      System.err.println("demo failed while closing: " + describe(t));
      code = 1;
    }
    if (code == 0) {
      OUT.printf("%nDone in %.1f s.%n", (System.nanoTime() - started) / 1e9);
    }
    OUT.flush();
    System.exit(code);
  }

  // ---------------------------------------------------------------- part 1

  private void singleNode() {
    OUT.println("== Part 1: one node alone (no ZooKeeper) ==");
    ClusterNode solo = startNode(new NodeOptions().setNodeName("solo"));
    OUT.printf("started node '%s'%n%n", solo.name());
    List<String[]> rows = new ArrayList<>();
    for (String name : List.of("greeter", "clock")) {
      ProcessId pid = await(solo.register(name, () -> new DemoProcess(solo.name()), new DeploymentOptions()));
      String located = await(solo.locate(name));
      long t0 = System.nanoTime();
      Message<JsonObject> reply = await(solo.call(name, "hi " + name));
      rows.add(new String[] {name, pid.deploymentId(), located, reply.body().encode(), ms(System.nanoTime() - t0)});
    }
    printTable(new String[] {"process", "deployment", "locate", "call reply", "call time"}, rows);
    closeNode(solo);
  }

  // ---------------------------------------------------------------- part 2

  private void cluster() throws Exception {
    OUT.println();
    OUT.println("== Part 2: three clustered nodes on an embedded ZooKeeper ==");
    zookeeper = new TestingServer(true);
    String root = "vxext-demo-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
    Map<String, ClusterNode> nodes = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    for (String name : List.of("node-1", "node-2", "node-3")) {
      nodes.put(name, startNode(new NodeOptions().setNodeName(name)
        .setZookeeperHosts(zookeeper.getConnectString()).setZookeeperRootPath(root)
        .setSyncInterval(1000).setSessionTimeout(4000)));
    }
    waitUntil("every node sees 3 nodes", () -> nodes.values().stream().allMatch(n -> n.addressBook().availableNodes().size() == 3));
    OUT.printf("ZooKeeper at %s, root path %s; nodes %s up in %s%n%n", zookeeper.getConnectString(), root, nodes.keySet(), ms(System.nanoTime() - t0));
    ClusterNode n1 = nodes.get("node-1");
    ClusterNode n2 = nodes.get("node-2");
    ClusterNode n3 = nodes.get("node-3");

    long w0 = System.nanoTime();
    List<String> nobody = locateEverywhere(nodes.values(), "nobody");
    long cold = System.nanoTime() - w0;
    w0 = System.nanoTime();
    locateEverywhere(nodes.values(), "nobody");
    long warm = System.nanoTime() - w0;
    if (nobody.stream().anyMatch(Objects::nonNull)) {
      throw new IllegalStateException("'nobody' should be unknown, got " + nobody);
    }
    OUT.printf("Warm-up: every node locates 'nobody' -> 404 on all 3 (first contact opens the event-bus connections: %s; again: %s)%n%n",
      ms(cold), ms(warm));

    Map<String, ClusterNode> placement = new LinkedHashMap<>();
    placement.put("orders", n1);
    placement.put("billing", n2);
    placement.put("mailer", n3);
    placement.put("audit", n3);
    Map<String, Long> registeredAt = new ConcurrentHashMap<>();
    List<Future<ProcessId>> registering = new ArrayList<>();
    placement.forEach((name, node) -> registering.add(node.register(name, () -> new DemoProcess(node.name()), new DeploymentOptions())
      .onSuccess(pid -> registeredAt.put(name, System.nanoTime()))));
    await(Future.all(registering));

    Map<String, Long> convergedAt = new TreeMap<>();
    Map<String, List<String>> resolved = new LinkedHashMap<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STEP_TIMEOUT_MS);
    while (convergedAt.size() < placement.size()) {
      List<String> pending = placement.keySet().stream().filter(n -> !convergedAt.containsKey(n)).toList();
      List<Future<List<String>>> polls = new ArrayList<>();
      pending.forEach(name -> polls.add(locateEverywhereAsync(nodes.values(), name)));
      await(Future.all(polls));
      long now = System.nanoTime();
      for (int i = 0; i < pending.size(); i++) {
        List<String> seen = polls.get(i).result();
        if (seen.stream().allMatch(placement.get(pending.get(i)).name()::equals)) {
          convergedAt.put(pending.get(i), now);
          resolved.put(pending.get(i), seen);
        }
      }
      if (convergedAt.size() < placement.size()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("names not locatable everywhere within " + STEP_TIMEOUT_MS + " ms: "
            + placement.keySet().stream().filter(n -> !convergedAt.containsKey(n)).toList());
        }
        Thread.sleep(POLL_MS);
      }
    }
    List<String[]> rows = new ArrayList<>();
    for (String name : placement.keySet()) {
      List<String> seen = resolved.get(name);
      rows.add(new String[] {name, placement.get(name).name(), seen.get(0), seen.get(1), seen.get(2),
        ms(convergedAt.get(name) - registeredAt.get(name))});
    }
    OUT.println("Where each node locates each process:");
    printTable(new String[] {"process", "registered on", "node-1 says", "node-2 says", "node-3 says", "locatable everywhere after"}, rows);
    OUT.printf("(measured by polling every %d ms, so times are rounded up to the next poll)%n%n", POLL_MS);

    long c0 = System.nanoTime();
    Message<JsonObject> reply = await(n1.call("mailer", new JsonObject().put("order", 42)));
    long first = System.nanoTime() - c0;
    c0 = System.nanoTime();
    await(n1.call("mailer", new JsonObject().put("order", 43)));
    long second = System.nanoTime() - c0;
    OUT.printf("node-1 calls 'mailer' (on node-3): reply %s%n", reply.body().encode());
    OUT.printf("  round trip %s (locate + forward); a second call with the route cached: %s%n%n", ms(first), ms(second));

    OUT.printf("Ring over 3 nodes (%,d keys): %s%n", RING_KEYS, ringLoad(n1));
    long k0 = System.nanoTime();
    closeNode(n3);
    nodes.remove("node-3");
    List<ClusterNode> rest = List.of(n1, n2);
    waitUntil("node-1 and node-2 see node-3 gone", () -> rest.stream().allMatch(n -> n.addressBook().availableNodes().size() == 2));
    waitUntil("node-3's names gone", () -> rest.stream().allMatch(n ->
      locateEverywhere(List.of(n), "mailer").get(0) == null && locateEverywhere(List.of(n), "audit").get(0) == null));
    OUT.printf("Closed node-3; its names were gone from node-1 and node-2 after %s:%n", ms(System.nanoTime() - k0));
    for (ClusterNode n : rest) {
      for (String name : List.of("mailer", "audit")) {
        Throwable failure = awaitFailure(n.locate(name));
        OUT.printf("  %s locate %-7s -> %s%n", n.name(), name, describe(failure));
      }
    }
    OUT.printf("  node-1 locate orders  -> %s, node-2 locate billing -> %s (still there)%n",
      await(n1.locate("orders")), await(n2.locate("billing")));
    int agree = 0;
    for (int i = 0; i < RING_KEYS; i++) {
      if (n1.addressBook().pickNode("key-" + i).equals(n2.addressBook().pickNode("key-" + i))) {
        agree++;
      }
    }
    OUT.printf("Ring over 2 nodes (%,d keys): %s; node-1 and node-2 agree on %,d of them%n", RING_KEYS, ringLoad(n1), agree);
    if (!ringLoad(n1).keySet().equals(Set.of("node-1", "node-2")) || agree != RING_KEYS) {
      throw new IllegalStateException("the ring does not map to exactly node-1 and node-2 on both nodes");
    }
  }

  // ---------------------------------------------------------------- helpers

  /** @return the node each of {@code nodes} resolves {@code name} to, {@code null} for a 404 */
  private static List<String> locateEverywhere(Iterable<ClusterNode> nodes, String name) {
    return await(locateEverywhereAsync(nodes, name));
  }

  /** Locates {@code name} from every node in parallel; a 404 maps to {@code null}, other failures fail. */
  private static Future<List<String>> locateEverywhereAsync(Iterable<ClusterNode> nodes, String name) {
    List<Future<String>> all = new ArrayList<>();
    for (ClusterNode n : nodes) {
      all.add(n.locate(name).recover(t -> WhereIs.hasCode(t, WhereIs.NOT_FOUND) ? Future.succeededFuture(null) : Future.failedFuture(t)));
    }
    return Future.all(all).map(cf -> {
      List<String> out = new ArrayList<>();
      all.forEach(f -> out.add(f.result()));
      return out;
    });
  }

  private static Map<String, Integer> ringLoad(ClusterNode node) {
    Map<String, Integer> load = new TreeMap<>();
    for (int i = 0; i < RING_KEYS; i++) {
      load.merge(node.addressBook().pickNode("key-" + i), 1, Integer::sum);
    }
    return load;
  }

  private ClusterNode startNode(NodeOptions options) {
    ClusterNode node = await(ClusterNode.start(options));
    open.add(node);
    return node;
  }

  private void closeNode(ClusterNode node) {
    open.remove(node);
    await(node.close());
  }

  private void closeAll() throws Exception {
    List<Future<Void>> closing = new ArrayList<>();
    open.forEach(n -> closing.add(n.close()));
    open.clear();
    try {
      await(Future.join(closing));
    } finally {
      if (zookeeper != null) {
        zookeeper.close();
        zookeeper = null;
      }
    }
  }

  private static void waitUntil(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STEP_TIMEOUT_MS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + STEP_TIMEOUT_MS + " ms waiting until " + what);
      }
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting until " + what, e);
      }
    }
  }

  private static <T> T await(Future<T> future) {
    return Blocking.await(future, STEP_TIMEOUT_MS);
  }

  private static Throwable awaitFailure(Future<?> future) {
    try {
      await(future);
    } catch (RuntimeException e) {
      return e;
    }
    throw new IllegalStateException("expected a failure, got success");
  }

  private static String describe(Throwable t) {
    if (t instanceof ReplyException re) {
      return re.failureCode() + " " + re.getMessage();
    }
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static String ms(long nanos) {
    return String.format("%.1f ms", nanos / 1e6);
  }

  private static void printTable(String[] header, List<String[]> rows) {
    int[] width = new int[header.length];
    for (int i = 0; i < header.length; i++) {
      width[i] = header[i].length();
      for (String[] row : rows) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    StringBuilder sep = new StringBuilder("+");
    for (int w : width) {
      sep.append("-".repeat(w + 2)).append('+');
    }
    OUT.println(sep);
    OUT.println(line(header, width));
    OUT.println(sep);
    rows.forEach(r -> OUT.println(line(r, width)));
    OUT.println(sep);
  }

  private static String line(String[] cells, int[] width) {
    StringBuilder sb = new StringBuilder("|");
    for (int i = 0; i < cells.length; i++) {
      sb.append(' ').append(cells[i]).append(" ".repeat(width[i] - cells[i].length())).append(" |");
    }
    return sb.toString();
  }
}
