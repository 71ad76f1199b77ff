package dev.vxext.whereis.impl;

import dev.vxext.addressbook.impl.MembershipView;
import dev.vxext.metrics.impl.NodeMetrics;
import dev.vxext.process.ProcessId;
import dev.vxext.protocol.Action;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The sender side of the directory: one ordered stream per owner node.
 * <p>
 * Each local change goes at once to the owners of its name. A stream has at most one message in flight;
 * changes made meanwhile are coalesced into the next message (an addition then removal of the same
 * registration cancels out). Every message carries the stream's incarnation and a sequence number and is
 * acked; a failed or unanswered message is resent, with backoff, until acked or the owner leaves. An owner
 * that misses a sequence or restarts answers {@code need: full} and gets the whole slice. Digests sent
 * every sync interval catch whatever is left (anti-entropy).
 * <p>
 * Confined to the whereis context: every entry point checks it with {@code assert} (on in the tests, off
 * in production), so a caller off that context fails loudly in a test instead of corrupting a stream.
 */
final class ShardSync {

  private static final Logger log = LoggerFactory.getLogger(ShardSync.class);
  private static final long MAX_BACKOFF_MS = 2_000;

  private final Vertx vertx;
  /** The whereis context, the only one this runs on. */
  private final Context context;
  private final String self;
  private final String inc;
  private final int replicas;
  private final long requestTimeout;
  private final Supplier<MembershipView> view;
  private final Supplier<Collection<ProcessId>> registry;
  private final DirectoryStore store;
  private final NodeMetrics metrics;
  private final Map<String, Stream> streams = new HashMap<>();
  private boolean closed;

  ShardSync(Vertx vertx, Context context, String self, String inc, int replicas, long requestTimeout, Supplier<MembershipView> view,
            Supplier<Collection<ProcessId>> registry, DirectoryStore store, NodeMetrics metrics) {
    this.vertx = vertx;
    this.context = context;
    this.self = self;
    this.inc = inc;
    this.replicas = replicas;
    this.requestTimeout = requestTimeout;
    this.view = view;
    this.registry = registry;
    this.store = store;
    this.metrics = metrics;
  }

  void up(ProcessId p) {
    assert onContext() : offContext("up");
    for (String owner : view.get().owners(p.name(), replicas)) {
      if (owner.equals(self)) {
        store.applySelf(self, List.of(), List.of(p));
      } else {
        stream(owner).up(p);
      }
    }
  }

  void down(ProcessId p) {
    assert onContext() : offContext("down");
    for (String owner : view.get().owners(p.name(), replicas)) {
      if (owner.equals(self)) {
        store.applySelf(self, List.of(p), List.of());
      } else {
        stream(owner).down(p);
      }
    }
  }

  /**
   * The ring changed: recompute every owner's slice and resend it whole where it differs from what the
   * owner should hold, and to nodes that (re)joined.
   */
  void viewChanged(MembershipView v, Set<String> joined) {
    assert onContext() : offContext("viewChanged");
    streams.keySet().removeIf(owner -> {
      if (!v.contains(owner) || v.leaving(owner)) {
        streams.get(owner).close();
        return true;
      }
      return false;
    });
    Map<String, List<ProcessId>> slices = slices(v);
    store.replaceSelf(self, slices.getOrDefault(self, List.of()));
    for (Map.Entry<String, List<ProcessId>> e : slices.entrySet()) {
      if (!e.getKey().equals(self)) {
        stream(e.getKey()).resyncIfDifferent(e.getValue(), joined.contains(e.getKey()));
      }
    }
    for (Stream s : new ArrayList<>(streams.values())) {
      if (!slices.containsKey(s.owner)) {
        s.resyncIfDifferent(List.of(), false);
      }
    }
  }

  /** Resend everything to every owner (this node's own registration was lost and is back). */
  void resendAll() {
    assert onContext() : offContext("resendAll");
    MembershipView v = view.get();
    for (Map.Entry<String, List<ProcessId>> e : slices(v).entrySet()) {
      if (!e.getKey().equals(self)) {
        stream(e.getKey()).resyncIfDifferent(e.getValue(), true);
      }
    }
  }

  /** Sends a digest on every idle stream. */
  void antiEntropy() {
    assert onContext() : offContext("antiEntropy");
    for (Stream s : streams.values()) {
      s.digest();
    }
  }

  void close() {
    assert onContext() : offContext("close");
    closed = true;
    streams.values().forEach(Stream::close);
    streams.clear();
  }

  /**
   * @return the state of the streams: {@code streams}, {@code pending} (changes not sent yet),
   *   {@code inFlight} (messages not acked yet) and {@code oldestUnackedMs} (age of the oldest, 0 if none)
   */
  JsonObject status() {
    long now = System.currentTimeMillis();
    int pending = 0;
    int inFlight = 0;
    long oldest = 0;
    for (Stream s : streams.values()) {
      pending += s.ups.size() + s.downs.size();
      if (s.inFlight != null) {
        inFlight++;
        oldest = Math.max(oldest, now - s.sentAt);
      }
    }
    return new JsonObject().put("streams", streams.size()).put("pending", pending).put("inFlight", inFlight)
      .put("oldestUnackedMs", oldest);
  }

  /** @return true when the caller runs on the whereis context (or a context duplicated from it) */
  private boolean onContext() {
    Context current = Vertx.currentContext();
    return current != null && unwrap(current) == unwrap(context);
  }

  private static Context unwrap(Context c) {
    return c instanceof io.vertx.core.internal.ContextInternal i ? i.unwrap() : c;
  }

  private String offContext(String what) {
    return "[node=" + self + "] ShardSync." + what + " called on " + Thread.currentThread().getName() + " (context "
      + Vertx.currentContext() + "), off the whereis context " + context + ": its streams are confined to it";
  }

  private Map<String, List<ProcessId>> slices(MembershipView v) {
    Map<String, List<ProcessId>> slices = new HashMap<>();
    for (ProcessId p : registry.get()) {
      for (String owner : v.owners(p.name(), replicas)) {
        slices.computeIfAbsent(owner, k -> new ArrayList<>()).add(p);
      }
    }
    return slices;
  }

  private Stream stream(String owner) {
    return streams.computeIfAbsent(owner, Stream::new);
  }

  private static List<ProcessId> take(Map<String, ProcessId> pending, int n) {
    List<ProcessId> taken = new ArrayList<>(Math.min(n, pending.size()));
    java.util.Iterator<ProcessId> it = pending.values().iterator();
    while (it.hasNext() && taken.size() < n) {
      taken.add(it.next());
      it.remove();
    }
    return taken;
  }

  private static String key(ProcessId p) {
    return p.name() + '\u0000' + p.deploymentId();
  }

  /** The ordered, acked stream of changes to one owner. */
  private final class Stream {
    final String owner;
    final Map<String, ProcessId> ups = new LinkedHashMap<>();
    final Map<String, ProcessId> downs = new LinkedHashMap<>();
    long seq;
    boolean needFull = true;
    int count;
    long digest;
    JsonObject inFlight;
    String inFlightAction;
    int attempts;
    long retryTimer = -1;
    /** When the oldest change not yet acked was made (0: none), and when the message in flight was first sent. */
    long changedAt;
    long inFlightChangedAt;
    long sentAt;
    boolean closed;

    Stream(String owner) {
      this.owner = owner;
    }

    void up(ProcessId p) {
      if (changedAt == 0) changedAt = System.currentTimeMillis();
      ups.put(key(p), p);
      count++;
      digest ^= Wire.hash(p);
      flush();
    }

    void down(ProcessId p) {
      if (changedAt == 0) changedAt = System.currentTimeMillis();
      if (ups.remove(key(p)) == null) {
        downs.put(key(p), p);
      }
      count--;
      digest ^= Wire.hash(p);
      flush();
    }

    void resyncIfDifferent(List<ProcessId> slice, boolean force) {
      long d = 0;
      for (ProcessId p : slice) d ^= Wire.hash(p);
      if (force || d != digest || slice.size() != count) {
        needFull = true;
        flush();
      }
    }

    void digest() {
      if (inFlight != null || needFull || !ups.isEmpty() || !downs.isEmpty()) {
        return;
      }
      JsonObject body = new JsonObject().put("from", self).put("inc", inc).put("seq", seq)
        .put("count", count).put("digest", digest);
      send(Action.SYNC_DIGEST.wire(), body);
    }

    void flush() {
      if (closed || ShardSync.this.closed || inFlight != null) {
        return;
      }
      JsonObject body;
      String action;
      if (needFull) {
        List<ProcessId> slice = new ArrayList<>();
        for (ProcessId p : registry.get()) {
          if (view.get().owners(p.name(), replicas).contains(owner)) slice.add(p);
        }
        needFull = false;
        ups.clear();
        downs.clear();
        count = slice.size();
        digest = 0;
        for (ProcessId p : slice) digest ^= Wire.hash(p);
        action = Action.SYNC_FULL.wire();
        int first = Math.min(slice.size(), Protocol.MAX_SYNC_BATCH);
        body = new JsonObject().put("up", Wire.encodeUps(slice.subList(0, first)));
        // a larger slice follows as deltas, at most MAX_SYNC_BATCH entries each
        for (ProcessId p : slice.subList(first, slice.size())) {
          ups.put(key(p), p);
        }
      } else if (!ups.isEmpty() || !downs.isEmpty()) {
        action = Action.SYNC_DELTA.wire();
        List<ProcessId> down = take(downs, Protocol.MAX_SYNC_BATCH);
        List<ProcessId> up = take(ups, Protocol.MAX_SYNC_BATCH - down.size());
        body = new JsonObject().put("up", Wire.encodeUps(up)).put("down", Wire.encodeDowns(down));
      } else {
        return;
      }
      body.put("from", self).put("inc", inc).put("seq", ++seq);
      inFlight = body;
      inFlightAction = action;
      inFlightChangedAt = changedAt;
      changedAt = ups.isEmpty() && downs.isEmpty() ? 0 : System.currentTimeMillis();
      sentAt = System.currentTimeMillis();
      attempts = 0;
      send(action, body);
    }

    void send(String action, JsonObject body) {
      DeliveryOptions options = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, action).setSendTimeout(requestTimeout);
      // encoded once: its size is the metric, the bytes are the message (the owner parses them)
      io.vertx.core.buffer.Buffer encoded = body.toBuffer();
      metrics.syncSent(action.substring("sync.".length()), encoded.length());
      vertx.eventBus().<JsonObject>request(Protocol.nodeAddress(owner), encoded, options).onComplete(ar -> {
        if (closed) return;
        boolean isDigest = Action.SYNC_DIGEST.wire().equals(action);
        if (ar.succeeded()) {
          JsonObject reply = ar.result().body();
          if (!isDigest) {
            inFlight = null;
            if (inFlightChangedAt > 0) {
              metrics.syncLag(System.currentTimeMillis() - inFlightChangedAt);
            }
          }
          if (reply != null && "full".equals(reply.getString("need"))) {
            log.debug("[node={}] owner {} asked for the full slice", self, owner);
            needFull = true;
            if (isDigest) {
              metrics.syncRepair();
            } else {
              metrics.syncGap();
            }
          }
          flush();
        } else if (!isDigest) {
          retry(ar.cause());
        }
      });
    }

    void retry(Throwable cause) {
      attempts++;
      metrics.syncRetry();
      long delay = Math.min(MAX_BACKOFF_MS, 25L << Math.min(attempts, 10));
      if (attempts == 3 || attempts % 20 == 0) {
        log.warn("[node={}] directory sync to {} failed {} times ({}); will be retried", self, owner, attempts, cause.getMessage());
      }
      retryTimer = vertx.setTimer(delay, t -> {
        retryTimer = -1;
        if (!closed && inFlight != null) {
          send(inFlightAction, inFlight);
        }
      });
    }

    void close() {
      closed = true;
      if (retryTimer >= 0) {
        vertx.cancelTimer(retryTimer);
      }
    }
  }
}
