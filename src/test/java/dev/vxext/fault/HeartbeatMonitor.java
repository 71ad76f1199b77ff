package dev.vxext.fault;

import dev.vxext.process.ProcessVerticle;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The evidence of the fault suite: every heartbeat the daemons of {@link FaultNode} send to the observer's
 * {@value FaultNode#MONITOR} process, per daemon instance. Thread-safe.
 * <p>
 * The heartbeats are recorded by a tap on the observer's event bus (an inbound interceptor on its node
 * address), before the library looks at them: a heartbeat from a node that the observer does not count as
 * a member is refused by the library (403) and never reaches the monitor, but it is recorded here (and
 * counted as refused), so a node that runs daemons while cut off from the cluster is still seen.
 * <p>
 * An instance is (node, JVM incarnation, deployment id): Vert.x 5 deployment ids are a per-JVM counter,
 * so a node restarted under the same name can reuse the deployment id of its dead predecessor. The
 * incarnation of a heartbeat is found from its send time {@code at} and the start times of the node's
 * JVMs (the runner starts a node's next JVM only after the previous one is dead). Times {@code at} are
 * the sender's clock, which is this host's clock (every JVM runs on loopback).
 * <p>
 * Overlap rule (as in {@code DaemonFailoverTest}): two instances of one daemon overlap when their
 * heartbeat intervals {@code [first, last]} intersect for more than a tolerance. A JVM frozen with
 * SIGSTOP cannot run anything: its instances' intervals are split at the frozen window.
 */
final class HeartbeatMonitor {

  /** Most heartbeats kept per instance (16 daemons x 10/s x 10 min is far below). */
  private static final int MAX_BEATS_PER_INSTANCE = 20_000;

  /** A read-only view of one instance. */
  record Instance(String name, String node, int incarnation, String deploymentId, long firstAt, long lastAt,
                  int beats, int refused, long firstRecv) {

    /** @return {@code node#incarnation} */
    String host() {
      return node + "#" + incarnation;
    }

    @Override
    public String toString() {
      return name + "@" + host() + "/" + deploymentId + "[" + FaultJvm.clock(firstAt) + ".." + FaultJvm.clock(lastAt)
        + ", " + beats + " beats"
        + (refused > 0 ? ", " + refused + " refused" : "") + "]";
    }
  }

  /** Two instances of one daemon heartbeating at once for {@code ms}, from {@code from} to {@code to}. */
  record Overlap(Instance a, Instance b, long from, long to, long ms) {
    @Override
    public String toString() {
      return a.name() + ": " + a.host() + "/" + a.deploymentId() + " and " + b.host() + "/" + b.deploymentId()
        + " both beat from " + FaultJvm.clock(from) + " to " + FaultJvm.clock(to) + " (" + ms + " ms)";
    }
  }

  /** A window during which a node's JVM was frozen (SIGSTOP .. SIGCONT), epoch ms. */
  record Freeze(String node, long from, long to) {
  }

  private static final class Beats {
    final String name;
    final String node;
    final int incarnation;
    final String deploymentId;
    final long firstRecv;
    long[] at = new long[64];
    int size;
    int refused;

    Beats(String name, String node, int incarnation, String deploymentId, long firstRecv) {
      this.name = name;
      this.node = node;
      this.incarnation = incarnation;
      this.deploymentId = deploymentId;
      this.firstRecv = firstRecv;
    }

    void add(long t) {
      if (size >= MAX_BEATS_PER_INSTANCE) {
        at[size - 1] = Math.max(at[size - 1], t);
        return;
      }
      if (size == at.length) {
        at = Arrays.copyOf(at, Math.min(MAX_BEATS_PER_INSTANCE, size * 2));
      }
      // beats arrive nearly in order: insertion from the end is a few steps at most
      int i = size;
      while (i > 0 && at[i - 1] > t) {
        at[i] = at[i - 1];
        i--;
      }
      at[i] = t;
      size++;
    }

    Instance view() {
      return new Instance(name, node, incarnation, deploymentId, at[0], at[size - 1], size, refused, firstRecv);
    }

    /** @return the heartbeat intervals [first, last], split at every frozen window of this node */
    List<long[]> parts(List<Freeze> freezes) {
      List<long[]> parts = new ArrayList<>();
      long start = at[0];
      for (int i = 1; i < size; i++) {
        long prev = at[i - 1];
        long next = at[i];
        boolean split = false;
        for (Freeze f : freezes) {
          if (f.node().equals(node) && prev <= f.to() && next >= f.from()) {
            split = true;
            break;
          }
        }
        if (split) {
          parts.add(new long[] {start, prev});
          start = next;
        }
      }
      parts.add(new long[] {start, at[size - 1]});
      return parts;
    }
  }

  private final Map<String, Map<String, Beats>> byName = new HashMap<>();
  private final Map<String, List<Long>> jvmStarts = new HashMap<>();
  private final List<Freeze> freezes = new ArrayList<>();
  private long total;
  private long refusedTotal;
  private long delivered;
  /** Cluster cron ticks delivered to the monitor: scheduled time to the {@code node@firedAt} of each delivery. */
  private final java.util.TreeMap<Long, List<String>> ticks = new java.util.TreeMap<>();
  private static final int MAX_TICKS = 10_000;

  /**
   * Records that a new JVM of {@code node} starts now ({@code startedAt}); call it before the process is
   * started and only after its predecessor is dead.
   *
   * @return the incarnation number of the new JVM (1 for the first)
   */
  synchronized int newIncarnation(String node, long startedAt) {
    List<Long> starts = jvmStarts.computeIfAbsent(node, k -> new ArrayList<>());
    starts.add(startedAt);
    return starts.size();
  }

  /** Records a frozen window of a node's JVM. */
  synchronized void freeze(String node, long from, long to) {
    freezes.add(new Freeze(node, from, to));
  }

  /** @return the frozen windows recorded so far */
  synchronized List<Freeze> freezes() {
    return List.copyOf(freezes);
  }

  /**
   * Records a heartbeat seen on the observer's node address.
   *
   * @param refused true when its sender is not a member in the observer's view (the library refuses it)
   */
  synchronized void record(JsonObject beat, long receivedAt, boolean refused) {
    String name = beat.getString("name");
    String node = beat.getString("node");
    String deploymentId = beat.getString("deploymentId");
    Long at = beat.getLong("at");
    if (name == null || node == null || deploymentId == null || at == null) {
      return;
    }
    int incarnation = incarnationAt(node, at);
    Beats b = byName.computeIfAbsent(name, k -> new LinkedHashMap<>())
      .computeIfAbsent(node + "#" + incarnation + "/" + deploymentId,
        k -> new Beats(name, node, incarnation, deploymentId, receivedAt));
    b.add(at);
    total++;
    if (refused) {
      b.refused++;
      refusedTotal++;
    }
  }

  private synchronized void delivered() {
    delivered++;
  }

  /** Records a cluster cron tick {@code {job, scheduledAt, firedAt, node}} delivered to the monitor process. */
  synchronized void tick(JsonObject tick) {
    Long at = tick.getLong("scheduledAt");
    if (at == null || (ticks.size() >= MAX_TICKS && !ticks.containsKey(at))) {
      return;
    }
    ticks.computeIfAbsent(at, k -> new ArrayList<>()).add(tick.getString("node") + "@" + tick.getLong("firedAt"));
  }

  /** @return the cron ticks delivered, scheduled time to its deliveries ({@code node@firedAt}), a copy */
  synchronized java.util.SortedMap<Long, List<String>> ticks() {
    java.util.TreeMap<Long, List<String>> copy = new java.util.TreeMap<>();
    ticks.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return copy;
  }

  /** @return heartbeats seen / of which refused by the library / delivered to the monitor process */
  synchronized String counts() {
    return total + " heartbeats (" + refusedTotal + " refused as from a non-member, " + delivered + " delivered)";
  }

  private int incarnationAt(String node, long at) {
    List<Long> starts = jvmStarts.getOrDefault(node, List.of());
    int incarnation = 0;
    for (int i = 0; i < starts.size(); i++) {
      if (starts.get(i) <= at) {
        incarnation = i + 1;
      }
    }
    return incarnation;
  }

  /** @return every instance seen */
  synchronized List<Instance> all() {
    List<Instance> list = new ArrayList<>();
    byName.values().forEach(m -> m.values().forEach(b -> list.add(b.view())));
    return list;
  }

  /** @return the instances of {@code name} whose last heartbeat was sent at or after {@code since} */
  synchronized List<Instance> live(String name, long since) {
    List<Instance> list = new ArrayList<>();
    byName.getOrDefault(name, Map.of()).values().forEach(b -> {
      if (b.at[b.size - 1] >= since) {
        list.add(b.view());
      }
    });
    return list;
  }

  /**
   * @return true when every daemon of {@code names} has a heartbeat sent after {@code mark}: each stream has
   *   passed that moment, so what was sent before it has arrived (heartbeats of one instance arrive nearly in
   *   order). Polled before the evidence is read, instead of sleeping.
   */
  synchronized boolean allBeatAfter(java.util.Collection<String> names, long mark) {
    for (String name : names) {
      boolean any = false;
      for (Beats b : byName.getOrDefault(name, Map.of()).values()) {
        any |= b.at[b.size - 1] > mark;
      }
      if (!any) return false;
    }
    return true;
  }

  /**
   * @return the earliest first heartbeat (send time) of an instance of {@code name} that started at or
   *   after {@code t0} and matches {@code which}; -1 when none
   */
  synchronized long firstStartAfter(String name, long t0, Predicate<Instance> which) {
    long best = -1;
    for (Beats b : byName.getOrDefault(name, Map.of()).values()) {
      Instance i = b.view();
      if (i.firstAt() >= t0 && which.test(i) && (best < 0 || i.firstAt() < best)) {
        best = i.firstAt();
      }
    }
    return best;
  }

  /** @return the heartbeats of {@code instance} sent at or after {@code t}: {count, last send time or -1} */
  synchronized long[] beatsFrom(Instance instance, long t) {
    Beats b = byName.getOrDefault(instance.name(), Map.of())
      .get(instance.host() + "/" + instance.deploymentId());
    long count = 0;
    long last = -1;
    for (int i = 0; b != null && i < b.size; i++) {
      if (b.at[i] >= t) {
        count++;
        last = Math.max(last, b.at[i]);
      }
    }
    return new long[] {count, last};
  }

  /**
   * @return the longest time within [{@code from}, {@code to}] during which no instance of {@code name}
   *   sent a heartbeat (the daemon ran nowhere, as far as the heartbeats tell)
   */
  synchronized long longestGap(String name, long from, long to) {
    long[] gap = gap(name, from, to, 0);
    return gap[0];
  }

  /**
   * @return the send time of the heartbeat that ended the last gap of {@code name} longer than
   *   {@code minGapMs} within [{@code from}, {@code to}] ({@code to} when the gap is still open), -1 when none
   */
  synchronized long lastGapEnd(String name, long from, long to, long minGapMs) {
    return gap(name, from, to, minGapMs)[1];
  }

  /** @return {longest gap, end of the last gap longer than minGapMs or -1} of {@code name} in [from, to] */
  private long[] gap(String name, long from, long to, long minGapMs) {
    List<Long> times = new ArrayList<>();
    for (Beats b : byName.getOrDefault(name, Map.of()).values()) {
      for (int i = 0; i < b.size; i++) {
        if (b.at[i] >= from && b.at[i] <= to) {
          times.add(b.at[i]);
        }
      }
    }
    times.add(to);
    times.sort(Long::compare);
    long longest = 0;
    long lastEnd = -1;
    long prev = from;
    for (long t : times) {
      longest = Math.max(longest, t - prev);
      if (t - prev > minGapMs) {
        lastEnd = t;
      }
      prev = t;
    }
    return new long[] {longest, lastEnd};
  }

  /** @return every pair of instances of one daemon heartbeating together for more than {@code toleranceMs} */
  synchronized List<Overlap> overlaps(long toleranceMs) {
    List<Overlap> found = new ArrayList<>();
    for (Map<String, Beats> instances : byName.values()) {
      List<Beats> list = new ArrayList<>(instances.values());
      for (int a = 0; a < list.size(); a++) {
        for (int b = a + 1; b < list.size(); b++) {
          Beats x = list.get(a);
          Beats y = list.get(b);
          for (long[] px : x.parts(freezes)) {
            for (long[] py : y.parts(freezes)) {
              long from = Math.max(px[0], py[0]);
              long to = Math.min(px[1], py[1]);
              if (to - from > toleranceMs) {
                found.add(new Overlap(x.view(), y.view(), from, to, to - from));
              }
            }
          }
        }
      }
    }
    return found;
  }

  /**
   * Taps the heartbeats: an inbound interceptor on {@code vertx}'s event bus that records every
   * {@code send} to {@value FaultNode#MONITOR} arriving at the node address of {@code self}.
   */
  void tap(Vertx vertx, String self, Predicate<String> member) {
    String address = WhereIs.nodeAddress(self);
    vertx.eventBus().addInboundInterceptor(dc -> {
      try {
        Message<?> m = dc.message();
        // the node address, or one of its call lanes (vxext.node.<name>#<lane>)
        if ((address.equals(m.address()) || m.address().startsWith(address + '#')) && "send".equals(m.headers().get(WhereIs.ACTION_HEADER))
          && FaultNode.MONITOR.equals(m.headers().get(WhereIs.TO_HEADER)) && m.body() instanceof JsonObject beat) {
          String from = m.headers().get(WhereIs.FROM_HEADER);
          record(beat, System.currentTimeMillis(), from == null || !member.test(from));
        }
      } catch (RuntimeException e) {
        // not a heartbeat
      }
      dc.next();
    });
  }

  /** The observer's {@value FaultNode#MONITOR} process: counts the heartbeats delivered to it. */
  static final class Monitor extends ProcessVerticle {
    private final HeartbeatMonitor beats;

    Monitor(HeartbeatMonitor beats) {
      this.beats = beats;
    }

    @Override
    protected void handle(Message<Object> message) {
      if (message.body() instanceof JsonObject tick && tick.containsKey("scheduledAt")) {
        beats.tick(tick);
      } else {
        beats.delivered();
      }
    }
  }
}
