package dev.vxext.testing;

import dev.vxext.ClusterNode;
import dev.vxext.addressbook.NodeEntry;
import dev.vxext.process.ProcessId;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The end state a fault test expects once a fault is healed, as conditions to poll: every node sees the
 * same members and one leader, every daemon runs exactly once and answers from every node, every process
 * is locatable from every node, {@code /health} answers 200. Each returns a description of what is still
 * wrong, or an empty list.
 */
public final class ClusterChecks {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ClusterChecks() {
  }

  /** @return what differs from "every node sees exactly {@code nodes} and agrees on one leader among them" */
  public static List<String> membersAndLeader(List<ClusterNode> nodes) {
    List<String> problems = new ArrayList<>();
    List<String> names = nodes.stream().map(ClusterNode::name).sorted().toList();
    for (ClusterNode n : nodes) {
      List<String> seen = n.addressBook().availableNodes().stream().map(NodeEntry::name).sorted().toList();
      if (!seen.equals(names)) {
        problems.add(n.name() + " sees " + seen);
      }
    }
    List<String> leaders = nodes.stream().filter(ClusterNode::isLeader).map(ClusterNode::name).toList();
    if (leaders.size() != 1) {
      problems.add("leaders " + leaders);
    } else {
      for (ClusterNode n : nodes) {
        if (!leaders.get(0).equals(n.leader())) {
          problems.add(n.name() + " follows " + n.leader() + ", not " + leaders.get(0));
        }
      }
    }
    return problems;
  }

  /** @return the daemons that do not run exactly once (in this JVM) or do not answer a call from every node */
  public static List<String> daemonsOnceAndCallable(List<ClusterNode> nodes, Collection<String> daemons) {
    List<String> problems = new ArrayList<>();
    for (String d : daemons) {
      var live = DaemonWorker.LIVE.get(d);
      if (live == null || live.get() != 1) {
        problems.add(d + " runs " + (live == null ? 0 : live.get()) + " times");
      }
    }
    problems.addAll(callable(nodes, daemons));
    return problems;
  }

  /** @return the names some node cannot call (any reply counts) */
  public static List<String> callable(List<ClusterNode> nodes, Collection<String> names) {
    List<String> problems = new ArrayList<>();
    List<Future<Message<Object>>> calls = new ArrayList<>();
    List<String> what = new ArrayList<>();
    for (ClusterNode n : nodes) {
      for (String name : names) {
        calls.add(n.call(name, new JsonObject().put("ping", true)));
        what.add(n.name() + " -> " + name);
      }
    }
    join(calls);
    for (int i = 0; i < calls.size(); i++) {
      Future<Message<Object>> f = calls.get(i);
      if (!f.succeeded()) {
        problems.add(what.get(i) + ": " + (f.failed() ? f.cause().getMessage() : "no answer"));
      }
    }
    return problems;
  }

  /** @return the names some node does not locate on the expected node ({@code name -> node} pairs) */
  public static List<String> locatable(List<ClusterNode> nodes, java.util.Map<String, String> expected) {
    List<String> problems = new ArrayList<>();
    List<Future<ProcessId>> lookups = new ArrayList<>();
    List<String[]> what = new ArrayList<>();
    for (ClusterNode n : nodes) {
      expected.forEach((name, node) -> {
        lookups.add(n.lookup(name));
        what.add(new String[] {n.name(), name, node});
      });
    }
    join(lookups);
    for (int i = 0; i < lookups.size(); i++) {
      Future<ProcessId> f = lookups.get(i);
      String[] w = what.get(i);
      if (!f.succeeded() || !f.result().node().equals(w[2])) {
        problems.add(w[0] + ": " + w[1] + " -> " + (f.succeeded() ? f.result().node()
          : f.failed() ? f.cause().getMessage() : "no answer") + ", expected " + w[2]);
      }
    }
    return problems;
  }

  /** @return the nodes whose {@code /health} does not answer 200 (each must run the admin server) */
  public static List<String> healthy(List<ClusterNode> nodes) {
    List<String> problems = new ArrayList<>();
    for (ClusterNode n : nodes) {
      int code = health(n.adminPort());
      if (code != 200) {
        problems.add(n.name() + " /health " + code);
      }
    }
    return problems;
  }

  /** @return the status of {@code GET /health} on a loopback admin port, -1 when it does not answer */
  public static int health(int port) {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
        .timeout(Duration.ofSeconds(5)).build();
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static void join(List<? extends Future<?>> futures) {
    try {
      Future.join(new ArrayList<>(futures)).otherwiseEmpty().toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the unfinished ones count as not answered
    }
  }
}
