package dev.vxext.benchmarks;

import dev.vxext.addressbook.impl.ConsistentHashPlacement;
import dev.vxext.addressbook.impl.HashRing;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmarks for {@link HashRing}: key lookup ({@code locate}, {@code owners}, cached
 * placement) and ring rebuild. Run with
 * {@code java -cp target/test-classes:<classpath> org.openjdk.jmh.Main HashRingBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HashRingBenchmark {

  private static final int KEY_COUNT = 1024;

  static List<String> members(int count) {
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add("node-" + i + "@host-" + i);
    }
    return out;
  }

  static String[] keys() {
    String[] keys = new String[KEY_COUNT];
    for (int i = 0; i < KEY_COUNT; i++) {
      keys[i] = "worker-" + i;
    }
    return keys;
  }

  /** Lookup on a prebuilt ring. */
  @State(Scope.Thread)
  public static class LookupState {
    @Param({"10", "50"})
    public int members;

    HashRing ring;
    List<String> memberList;
    ConsistentHashPlacement placement;
    String[] keys;
    int next;

    /** Builds the ring and the key array. */
    @Setup
    public void setup() {
      memberList = members(members);
      ring = HashRing.of(memberList);
      placement = new ConsistentHashPlacement();
      placement.choose("warm-up", memberList);
      keys = keys();
    }

    String nextKey() {
      String key = keys[next];
      next = (next + 1) & (KEY_COUNT - 1);
      return key;
    }
  }

  /** Ring rebuild. */
  @State(Scope.Thread)
  public static class BuildState {
    @Param({"10", "50", "200"})
    public int members;

    List<String> memberList;

    /** Builds the member list. */
    @Setup
    public void setup() {
      memberList = members(members);
    }
  }

  /**
   * Locates a key on a prebuilt ring.
   *
   * @param s state
   * @return the owner
   */
  @Benchmark
  public String locate(LookupState s) {
    return s.ring.locate(s.nextKey());
  }

  /**
   * Picks three replicas for a key.
   *
   * @param s state
   * @return the owners
   */
  @Benchmark
  public List<String> owners3(LookupState s) {
    return s.ring.owners(s.nextKey(), 3);
  }

  /**
   * Places a key through the cached {@link ConsistentHashPlacement}.
   *
   * @param s state
   * @return the owner
   */
  @Benchmark
  public String placementCached(LookupState s) {
    return s.placement.choose(s.nextKey(), s.memberList);
  }

  /**
   * Rebuilds the ring from scratch.
   *
   * @param s state
   * @return the ring
   */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public HashRing rebuild(BuildState s) {
    return HashRing.of(s.memberList);
  }
}
