package dev.vxext.metrics.impl;

import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of one node (see {@link MetricNames}), created by its runtime and handed to its services.
 * Thread-safe: Micrometer meters are, and the gauges read thread-safe state.
 */
public final class NodeMetrics {

  private static final Duration[] SLOS = {
    Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private final MeterRegistry registry;
  private final String node;
  private final Tags tags;
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private final Map<String, Meter> perKey = new ConcurrentHashMap<>();
  private final AtomicInteger daemonsDeclared = new AtomicInteger();
  private final AtomicInteger daemonsRunning = new AtomicInteger();
  private final AtomicInteger daemonsHosted = new AtomicInteger();
  private final AtomicInteger daemonsBackingOff = new AtomicInteger();
  private final AtomicLong leadershipSeen = new AtomicLong();
  private final AtomicInteger leading = new AtomicInteger();
  private final AtomicLong leaderEpoch = new AtomicLong();
  private final Counter syncRetries;
  private final Counter syncGaps;
  private final Counter syncRepairs;
  private final Counter syncBytes;
  private final Timer syncLag;
  /** {@code vxext.locate} per result (hit, miss, error): created once, it is recorded on every locate. */
  private final Timer locateHit;
  private final Timer locateMiss;
  private final Timer locateError;
  private final Counter leadershipChanges;
  private final Counter daemonsPlaced;
  private final Counter daemonsFailed;
  private final Counter daemonsFenced;
  private final Timer failover;

  private NodeMetrics(MeterRegistry registry, String node, BookMaps maps) {
    this.registry = registry;
    this.node = node;
    this.tags = Tags.of(MetricNames.NODE_TAG, node);
    gauge(MetricNames.CLUSTER_NODES, "nodes in this node's membership view", maps, m -> m.view().names().size());
    gauge(MetricNames.PROCESSES_REGISTERED, "processes registered on this node", maps, m -> m.processes().size());
    gauge(MetricNames.DIRECTORY_ENTRIES, "directory entries this node owns", maps, m -> m.directory().size());
    gauge(MetricNames.LEADER, "1 while this node leads", leading, AtomicInteger::get);
    gauge(MetricNames.LEADER_EPOCH, "leader epoch known here", leaderEpoch, AtomicLong::get);
    gauge(MetricNames.DAEMONS_DECLARED, "daemons declared at the last reconciliation (leader)", daemonsDeclared, AtomicInteger::get);
    gauge(MetricNames.DAEMONS_RUNNING, "daemons found running at the last reconciliation (leader)", daemonsRunning, AtomicInteger::get);
    gauge(MetricNames.DAEMONS_HOSTED, "daemons running on this node", daemonsHosted, AtomicInteger::get);
    gauge(MetricNames.DAEMONS_BACKOFF, "daemons waiting to be tried again after failed starts (leader)", daemonsBackingOff,
      AtomicInteger::get);
    syncRetries = counter(MetricNames.SYNC_RETRIES, "directory sync messages resent", Tags.empty());
    syncGaps = counter(MetricNames.SYNC_GAPS, "gaps an owner found in this node's stream", Tags.empty());
    syncRepairs = counter(MetricNames.SYNC_REPAIRS, "digest mismatches repaired by anti-entropy", Tags.empty());
    syncBytes = counter(MetricNames.SYNC_BYTES, "bytes of directory sync messages sent", Tags.empty());
    syncLag = timer(MetricNames.SYNC_LAG, "local change to owner acknowledgement", Tags.empty());
    locateHit = timer(MetricNames.LOCATE, "locate requests", Tags.of("result", "hit"));
    locateMiss = timer(MetricNames.LOCATE, "locate requests", Tags.of("result", "miss"));
    locateError = timer(MetricNames.LOCATE, "locate requests", Tags.of("result", "error"));
    leadershipChanges = counter(MetricNames.LEADERSHIP_CHANGES, "leadership changes seen", Tags.empty());
    daemonsPlaced = counter(MetricNames.DAEMONS_PLACED, "daemons placed as leader", Tags.empty());
    daemonsFailed = counter(MetricNames.DAEMONS_FAILED, "daemon placements that failed", Tags.empty());
    daemonsFenced = counter(MetricNames.DAEMONS_FENCED, "daemons stopped to fence this node", Tags.empty());
    failover = timer(MetricNames.DAEMONS_FAILOVER, "node loss seen to its daemons placed again", Tags.empty());
  }

  /** @return the meters of node {@code node}, recorded in {@code registry}, reading the gauges from {@code maps} */
  public static NodeMetrics create(MeterRegistry registry, String node, BookMaps maps) {
    return new NodeMetrics(registry, node, maps);
  }

  /** @return meters that record nothing (a service running without a runtime's metrics) */
  public static NodeMetrics none(BookMaps maps) {
    return new NodeMetrics(new CompositeMeterRegistry(), "none", maps);
  }


  /** Records the leader as this node knows it (gauges {@code vxext.leader} and {@code vxext.leader.epoch}). */
  public void leader(boolean self, long epoch) {
    leading.set(self ? 1 : 0);
    leaderEpoch.set(epoch);
  }

  /** Removes this node's meters from the registry. */
  public void close() {
    meters.forEach(registry::remove);
    meters.clear();
    perKey.clear();
  }

  /** @return the registry the meters are in */
  public MeterRegistry registry() {
    return registry;
  }

  /** Records a locate answered here: {@code result} is hit, miss or error (anything else counts as error). */
  public void locate(String result, long startNanos) {
    Timer t = switch (result) {
      case "hit" -> locateHit;
      case "miss" -> locateMiss;
      default -> locateError;
    };
    t.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  /** Records a sync message sent. */
  public void syncSent(String type, int bytes) {
    this.<Counter>keyed(MetricNames.SYNC_MESSAGES, "type", type,
      () -> counter(MetricNames.SYNC_MESSAGES, "directory sync messages sent", Tags.of("type", type))).increment();
    syncBytes.increment(bytes);
  }

  public void syncRetry() {
    syncRetries.increment();
  }

  public void syncGap() {
    syncGaps.increment();
  }

  public void syncRepair() {
    syncRepairs.increment();
  }

  public void syncLag(long millis) {
    syncLag.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
  }

  /** Counts a leadership change when {@code node}/{@code epoch} differ from the last seen. */
  public void leadership(String leaderNode, long epoch) {
    long key = (leaderNode == null ? 0 : leaderNode.hashCode()) * 31L + epoch;
    if (leaderNode != null && leadershipSeen.getAndSet(key) != key) {
      leadershipChanges.increment();
    }
  }

  public void reconciled(int declared, int running) {
    daemonsDeclared.set(declared);
    daemonsRunning.set(running);
  }

  public void daemonsHosted(int count) {
    daemonsHosted.set(count);
  }

  public void daemonsBackingOff(int count) {
    daemonsBackingOff.set(count);
  }

  public void daemonPlaced() {
    daemonsPlaced.increment();
  }

  public void daemonFailed() {
    daemonsFailed.increment();
  }

  public void daemonsFenced(int count) {
    daemonsFenced.increment(count);
  }

  public void failover(long millis) {
    failover.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
  }

  /** Records a cron tick fired by this node. */
  public void cronFired(String job, long latenessMillis) {
    this.<Counter>keyed(MetricNames.CRON_FIRES, "job", job,
      () -> counter(MetricNames.CRON_FIRES, "cron ticks fired", Tags.of("job", job))).increment();
    this.<Timer>keyed(MetricNames.CRON_LATENESS, "job", job,
      () -> timer(MetricNames.CRON_LATENESS, "cron lateness", Tags.of("job", job))).record(Math.max(0, latenessMillis), TimeUnit.MILLISECONDS);
  }

  public void cronClaimLost(String job) {
    this.<Counter>keyed(MetricNames.CRON_CLAIMS_LOST, "job", job,
      () -> counter(MetricNames.CRON_CLAIMS_LOST, "cron ticks fired elsewhere", Tags.of("job", job))).increment();
  }

  public void cronMisfires(String job, int count) {
    this.<Counter>keyed(MetricNames.CRON_MISFIRES, "job", job,
      () -> counter(MetricNames.CRON_MISFIRES, "cron ticks missed", Tags.of("job", job))).increment(count);
  }

  /** One ZooKeeper request of the cron claims, writing {@code znodes} znodes. */
  public void cronClaimRequest(int znodes) {
    this.<Counter>keyed(MetricNames.CRON_CLAIM_REQUESTS, "kind", "all",
      () -> counter(MetricNames.CRON_CLAIM_REQUESTS, "cron claim ZooKeeper requests", Tags.empty())).increment();
    this.<Counter>keyed(MetricNames.CRON_CLAIM_WRITES, "kind", "all",
      () -> counter(MetricNames.CRON_CLAIM_WRITES, "cron claim znode writes", Tags.empty())).increment(znodes);
  }

  @SuppressWarnings("unchecked")
  private <M extends Meter> M keyed(String name, String tag, String value, java.util.function.Supplier<M> create) {
    return (M) perKey.computeIfAbsent(name + '\u0000' + tag + '\u0000' + value, k -> create.get());
  }

  private <T> void gauge(String name, String description, T state, java.util.function.ToDoubleFunction<T> value) {
    meters.add(Gauge.builder(name, state, value).description(description).tags(tags).strongReference(true).register(registry));
  }

  private Counter counter(String name, String description, Tags extra) {
    Counter c = Counter.builder(name).description(description).tags(tags).tags(extra).register(registry);
    meters.add(c);
    return c;
  }

  private Timer timer(String name, String description, Tags extra) {
    Timer t = Timer.builder(name).description(description).tags(tags).tags(extra)
      .serviceLevelObjectives(SLOS).register(registry);
    meters.add(t);
    return t;
  }

  @Override
  public String toString() {
    return "NodeMetrics[" + node + "]";
  }
}
