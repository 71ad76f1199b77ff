package dev.vxext.whereis.impl;

import dev.vxext.process.ProcessId;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
import org.openjdk.jmh.infra.Blackhole;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * JMH: encode and decode of the whereis directory sync messages as they cross the clustered event bus
 * (JSON body to a {@link Buffer} and back, as Vert.x's JSON codec does): {@code sync.delta}
 * ({@code up} entries through {@link Wire#encodeUps}, {@code down} through {@link Wire#encodeDowns}, half
 * each), {@code sync.digest} (a few numbers) and the slice digest itself (XOR of {@link Wire#hash}).
 * Baseline: the same entries as a list of {@link ProcessId#toJson()} objects. In this package because
 * {@link Wire} is package-private. Run by {@code bench/jmh.sh}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public class WireBenchmark {

  @Param({"1", "16", "256"})
  int entries;

  private List<ProcessId> ups;
  private List<ProcessId> downs;
  private List<ProcessId> all;
  private Buffer delta;
  private Buffer digest;
  private Buffer verbose;

  @Setup
  public void setUp() {
    ups = new ArrayList<>();
    downs = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (int i = 0; i < entries; i++) {
      ProcessId p = new ProcessId("node-2", String.format("orders.worker-%05d", i), UUID.randomUUID().toString(), now + i, i + 1);
      (i % 2 == 0 || entries == 1 ? ups : downs).add(p);
    }
    all = new ArrayList<>(ups);
    all.addAll(downs);
    delta = encodeDelta();
    digest = encodeDigest();
    verbose = encodeVerbose();
  }

  @Benchmark
  public Buffer encodeDelta() {
    JsonObject body = new JsonObject().put("up", Wire.encodeUps(ups)).put("down", Wire.encodeDowns(downs))
      .put("from", "node-2").put("inc", "2b7e1516-28ae-d2a6-abf7-158809cf4f3c").put("seq", 1234L);
    return body.toBuffer();
  }

  @Benchmark
  public void decodeDelta(Blackhole bh) {
    JsonObject body = new JsonObject(delta);
    bh.consume(body.getString("from"));
    bh.consume(body.getString("inc"));
    bh.consume(body.getLong("seq"));
    bh.consume(Wire.decode("node-2", body.getJsonArray("up"), true));
    bh.consume(Wire.decode("node-2", body.getJsonArray("down"), false));
  }

  @Benchmark
  public Buffer encodeDigest() {
    return new JsonObject().put("from", "node-2").put("inc", "2b7e1516-28ae-d2a6-abf7-158809cf4f3c").put("seq", 1234L)
      .put("count", entries).put("digest", -4_876_123_456_789L).toBuffer();
  }

  @Benchmark
  public void decodeDigest(Blackhole bh) {
    JsonObject body = new JsonObject(digest);
    bh.consume(body.getString("from"));
    bh.consume(body.getString("inc"));
    bh.consume(body.getLong("seq"));
    bh.consume(body.getInteger("count"));
    bh.consume(body.getLong("digest"));
  }

  /** What a receiver computes to compare a digest: XOR of the entry hashes of its slice. */
  @Benchmark
  public long sliceDigest() {
    long d = 0;
    for (ProcessId p : all) {
      d ^= Wire.hash(p);
    }
    return d;
  }

  /** Baseline: the same entries in the verbose form ({@code ProcessId.toJson()} each), encoded. */
  @Benchmark
  public Buffer baselineEncodeVerbose() {
    return encodeVerbose();
  }

  /** Baseline: the verbose form decoded back to process ids. */
  @Benchmark
  public void baselineDecodeVerbose(Blackhole bh) {
    JsonArray a = new JsonObject(verbose).getJsonArray("entries");
    for (int i = 0; i < a.size(); i++) {
      bh.consume(ProcessId.fromJson(a.getJsonObject(i)));
    }
  }

  private Buffer encodeVerbose() {
    JsonArray a = new JsonArray();
    for (ProcessId p : all) {
      a.add(p.toJson());
    }
    return new JsonObject().put("entries", a).put("from", "node-2").put("seq", 1234L).toBuffer();
  }
}
