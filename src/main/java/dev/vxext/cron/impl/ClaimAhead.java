package dev.vxext.cron.impl;

import dev.vxext.metrics.impl.NodeMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import dev.vxext.cron.impl.ClaimRecords.Claim;
import dev.vxext.cron.impl.ClaimRecords.Progress;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Claims the ticks of this node's cluster jobs <em>ahead</em> on ZooKeeper, so that a tick fires from a local
 * timer at its instant with no ZooKeeper round trip on its path.
 * <p>
 * Each job has one record, the znode {@code /vxext/cron/jobs/<job>}: its owner (node id and name) and
 * {@code through}, the time up to which the owner claimed the job's ticks, or, once {@code released}, up to
 * which it fired them. The owner keeps {@code through} {@value #AHEAD_MS} ms ahead, renewing it when less
 * than {@value #RENEW_MS} ms remain; every write is versioned (compare-and-set), so two nodes that both
 * think they own a job cannot both hold it. Each node also records its progress, the znode
 * {@code /vxext/cron/progress/<node id>}: a time up to which every tick of every job it holds was settled
 * (handed to delivery, or counted missed). The writes of one node are batched: one ZooKeeper transaction
 * every {@value #FLUSH_MS} ms at most (progress, renewals, releases), whatever the number of jobs.
 * <p>
 * A tick fires at once when it is claimed, the claim was confirmed by a write since the last connection
 * trouble, and this node heard from ZooKeeper less than half a session ago; otherwise its claim is renewed
 * first (a versioned write, which fails if another node took the job over: a process frozen past its
 * session fires nothing on waking). A node taking a job over:
 * <ul>
 *   <li>from an owner that released it: fires the ticks after the released time;</li>
 *   <li>from a live owner (its name is held by the same node id): waits for it to release;</li>
 *   <li>from a dead owner: its ticks up to its progress were settled; those after its progress and up to
 *   its claim (or now) may have fired or not: they are counted missed, never fired twice; the later ones
 *   are fired.</li>
 * </ul>
 * Confined to one context (the cron verticle's).
 */
final class ClaimAhead implements TickClaims {

  private static final Logger log = LoggerFactory.getLogger(ClaimAhead.class);
  /** At most one batch of writes per this period. */
  static final long FLUSH_MS = 200;
  /** How far ahead the ticks are claimed. */
  static final long AHEAD_MS = 10_000;
  /** A claim is renewed when less than this remains. */
  static final long RENEW_MS = 5_000;
  /** While a live owner holds a job, the record is read again after this. */
  static final long WAIT_MS = 100;
  /** The clocks of the nodes and of ZooKeeper are taken to agree within this. */
  static final long SKEW_MS = 1_000;

  private final Vertx vertx;
  private final Context context;
  private final ClaimRecords records;
  private final String selfId;
  private final String selfName;
  private final long sessionTimeout;
  private final LongSupplier lastContact;
  private final NodeMetrics metrics;
  private final Map<String, Lease> leases = new HashMap<>();
  /** The take-overs in progress, by job: a token each (one released and taken again starts another). */
  private final Map<String, Object> acquiring = new HashMap<>();
  /** Jobs being taken over: the time through which each is settled, so that the progress written meanwhile stays below it. */
  private final Map<String, Long> floors = new HashMap<>();
  private long periodic = -1;
  private boolean flushing;
  private boolean flushAgain;
  private boolean closed;
  private long progressWritten = -1;
  private long progressWrittenAt;

  /** A job this node holds. */
  private static final class Lease {
    final String job;
    int version;
    /** Confirmed claim: the ticks up to this are this node's. */
    long through;
    /** False after connection trouble: the next claim is confirmed by a write first. */
    boolean verified = true;
    long next = Long.MAX_VALUE;
    final TreeSet<Long> pending = new TreeSet<>();
    long lastSettled;
    /** A claim through at least this is wanted now. */
    long want;
    final List<Promise<Void>> waiters = new ArrayList<>();
    boolean releasing;
    Promise<Void> released;

    Lease(String job, int version, long through, long settled) {
      this.job = job;
      this.version = version;
      this.through = through;
      this.lastSettled = settled;
    }
  }

  /** Call on the context that will use it. */
  ClaimAhead(Vertx vertx, CuratorFramework curator, String selfId, String selfName, long sessionTimeout,
             LongSupplier lastContact, NodeMetrics metrics) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.records = new ClaimRecords(context, curator, metrics, selfName);
    this.selfId = selfId;
    this.selfName = selfName;
    this.sessionTimeout = sessionTimeout;
    this.lastContact = lastContact;
    this.metrics = metrics;
  }

  /** Creates this node's progress record and starts the periodic batch; removes old records of gone nodes. */
  Future<Void> start() {
    long now = System.currentTimeMillis();
    return records.createProgress(selfId, now).onSuccess(v -> {
      progressWritten = now;
      progressWrittenAt = now;
      periodic = vertx.setPeriodic(FLUSH_MS, t -> flush());
      records.sweep(selfId);
    });
  }

  /** Connection trouble: every claim is confirmed by a write before its next tick fires. */
  void connectionTrouble() {
    leases.values().forEach(l -> l.verified = false);
  }

  // ------------------------------------------------------------------ acquire

  @Override
  public Future<Takeover> acquire(String job, long now) {
    Lease held = leases.get(job);
    if (held != null && held.releasing) {
      // released in a moment: then taken again from the record
      return held.released.future().transform(ar -> acquire(job, now));
    }
    if (held != null) {
      return Future.succeededFuture(Takeover.from(held.lastSettled));
    }
    Object token = new Object();
    acquiring.put(job, token);
    return attempt(job, now, token).onComplete(ar -> {
      acquiring.remove(job, token);
      floors.remove(job);
    });
  }

  private Future<Takeover> attempt(String job, long now, Object token) {
    if (closed || acquiring.get(job) != token) {
      return Future.failedFuture("cron job '" + job + "' is no longer taken over by this node");
    }
    Lease held = leases.get(job);
    if (held != null && !held.releasing) {
      return Future.succeededFuture(Takeover.from(held.lastSettled));
    }
    return records.read(job).compose(c -> {
      if (c == null) {
        long through = System.currentTimeMillis() + AHEAD_MS;
        floors.put(job, now);
        return lowerProgress(now).compose(v -> records.create(job, new Claim(selfId, selfName, through, false, 0))).compose(ok -> {
          if (!ok) return attempt(job, now, token);
          return held(job, new Lease(job, 0, through, now), token, Takeover.from(now));
        });
      }
      if (c.released()) {
        return takeOver(job, c, Takeover.from(c.through()), now, token);
      }
      if (selfId.equals(c.ownerId())) {
        // its own record, with no lease: a claim this node lost track of (a failed release); its progress tells
        return records.progressOf(selfId).compose(p -> takeOver(job, c, uncertain(p, c, System.currentTimeMillis()), now, token));
      }
      return records.alive(c).compose(alive -> {
        if (alive) {
          // the owner still holds the ticks it claimed: it releases them when it sees this node take over
          Promise<Takeover> later = Promise.promise();
          vertx.setTimer(WAIT_MS, t -> attempt(job, now, token).onComplete(later));
          return later.future();
        }
        return records.progressOf(c.ownerId()).compose(p -> takeOver(job, c, uncertain(p, c, System.currentTimeMillis()), now, token));
      });
    });
  }

  /**
   * The ticks of a dead owner after its progress and up to its claim are uncertain, but none later than now,
   * nor than it could fire: an owner fires without a write only while it heard from ZooKeeper less than half a
   * session ago, and records its progress at least every quarter session while it can, so it fired nothing
   * later than its last record plus three quarters of a session (plus a batch period and the clock skew). The
   * ticks after that are fired by the new owner within their misfire grace, as after a ZooKeeper outage.
   */
  private Takeover uncertain(Progress progress, Claim c, long now) {
    long settled = progress == null ? c.through() - AHEAD_MS : Math.min(progress.through(), c.through());
    long couldFire = progress == null ? now : progress.writtenAt() + sessionTimeout * 3 / 4 + FLUSH_MS + SKEW_MS;
    long until = Math.max(settled, Math.min(Math.min(c.through(), now), couldFire));
    return new Takeover(settled, settled, until);
  }

  private Future<Takeover> takeOver(String job, Claim previous, Takeover takeover, long now, Object token) {
    long through = Math.max(System.currentTimeMillis() + AHEAD_MS, previous.through());
    Claim mine = new Claim(selfId, selfName, through, false, previous.version());
    floors.put(job, takeover.dueAfter());
    return lowerProgress(takeover.dueAfter()).compose(v -> records.write(job, mine)).compose(version -> {
      if (version < 0) {
        return attempt(job, now, token);
      }
      if (!previous.released()) {
        log.info("[node={}] cron job '{}' taken over from {} (gone): ticks settled through {}, uncertain through {}",
          selfName, job, previous.ownerName(), java.time.Instant.ofEpochMilli(takeover.handledThrough()),
          java.time.Instant.ofEpochMilli(takeover.uncertainThrough()));
      }
      return held(job, new Lease(job, version, through, takeover.dueAfter()), token, takeover);
    });
  }

  /**
   * This node holds the job now; if it stopped wanting it meanwhile (released while the write was in
   * flight, the job moved on), it releases it at once: nobody else would fire its ticks.
   */
  private Future<Takeover> held(String job, Lease lease, Object token, Takeover takeover) {
    leases.put(job, lease);
    if (closed || acquiring.get(job) != token) {
      release(job);
      return Future.failedFuture("cron job '" + job + "' is no longer taken over by this node (released)");
    }
    return Future.succeededFuture(takeover);
  }

  /**
   * Before this node holds a job settled only through {@code bound}, its recorded progress must not claim
   * more: whoever takes the job over after this node dies would take the ticks in between as settled.
   */
  private Future<Void> lowerProgress(long bound) {
    if (progressWritten <= bound) {
      return Future.succeededFuture();
    }
    // ZooKeeper applies one client's requests in order: a batch sent before this lands before it
    return records.setProgress(selfId, bound).onSuccess(v -> progressWritten = Math.min(progressWritten, bound));
  }

  // ------------------------------------------------------------------ ticks

  @Override
  public Future<Boolean> claim(String job, long scheduledAt) {
    Lease l = leases.get(job);
    if (l == null || l.releasing) {
      return Future.succeededFuture(false);
    }
    l.pending.add(scheduledAt);
    if (scheduledAt <= l.through && l.verified && System.currentTimeMillis() - lastContact.getAsLong() < sessionTimeout / 2) {
      return Future.succeededFuture(true);
    }
    // beyond the claim, or not confirmed since connection trouble: a versioned write first
    l.want = Math.max(l.want, scheduledAt);
    Promise<Void> written = Promise.promise();
    l.waiters.add(written);
    flush();
    return written.future().map(v -> leases.get(job) == l && !l.releasing && l.through >= scheduledAt)
      .onComplete(ar -> {
        if (ar.failed() || !ar.result()) l.pending.remove(scheduledAt);
      });
  }

  @Override
  public boolean holds(String job) {
    Lease l = leases.get(job);
    return (l != null && !l.releasing) || acquiring.containsKey(job);
  }

  @Override
  public void scheduled(String job, long scheduledAt) {
    Lease l = leases.get(job);
    if (l != null) l.next = scheduledAt;
  }

  @Override
  public void settled(String job, long scheduledAt) {
    Lease l = leases.get(job);
    if (l != null) {
      l.pending.remove(scheduledAt);
      l.lastSettled = Math.max(l.lastSettled, scheduledAt);
    }
  }

  @Override
  public Future<Void> release(String job) {
    acquiring.remove(job);
    Lease l = leases.get(job);
    if (l == null) {
      return Future.succeededFuture();
    }
    if (!l.releasing) {
      l.releasing = true;
      l.next = Long.MAX_VALUE;
      l.pending.clear();
      l.released = Promise.promise();
      l.waiters.forEach(w -> w.tryComplete());
      l.waiters.clear();
      flush();
    }
    return l.released.future();
  }

  @Override
  public Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    acquiring.clear();
    List<Future<Void>> releases = new ArrayList<>();
    for (String job : new ArrayList<>(leases.keySet())) {
      releases.add(release(job));
    }
    closed = true;
    return Future.join(releases).<Void>mapEmpty().transform(ar -> {
      if (periodic >= 0) vertx.cancelTimer(periodic);
      periodic = -1;
      if (ar.succeeded() && leases.isEmpty()) {
        // nothing of this node's is left to resolve: its progress record goes
        records.deleteProgress(selfId);
      }
      return Future.<Void>succeededFuture();
    }).recover(t -> Future.succeededFuture());
  }

  // ------------------------------------------------------------------ batch

  /**
   * Every tick of every held job up to this was settled here: for each job, up to its first tick not settled
   * (pending, else the next one scheduled, else the last settled). Moves once per tick period, not with the
   * clock: a job firing every second moves it once a second.
   */
  private long progress() {
    long p = Long.MAX_VALUE;
    for (Lease l : leases.values()) {
      long bound = !l.pending.isEmpty() ? l.pending.first() - 1 : l.next != Long.MAX_VALUE ? l.next - 1 : l.lastSettled;
      p = Math.min(p, bound);
    }
    for (long floor : floors.values()) {
      p = Math.min(p, floor);
    }
    return p == Long.MAX_VALUE ? System.currentTimeMillis() : p;
  }

  /** One transaction: progress, the claims to renew, the releases; one at a time, again at once when asked meanwhile. */
  private void flush() {
    if (flushing) {
      flushAgain = true;
      return;
    }
    flushAgain = false;
    long now = System.currentTimeMillis();
    List<CuratorOp> ops = new ArrayList<>();
    List<Runnable> onSuccess = new ArrayList<>();
    List<Lease> writtenLeases = new ArrayList<>();
    Map<Lease, List<Promise<Void>>> waiting = new HashMap<>();
    try {
      if (!leases.isEmpty()) {
        long p = progress();
        // written when it moves, and at least every quarter session (its time then bounds what a cut-off
        // owner may have fired, see uncertain())
        if (p != progressWritten || now - progressWrittenAt >= sessionTimeout / 4) {
          ops.add(records.progressOp(selfId, p));
          writtenLeases.add(null);
          onSuccess.add(() -> {
            progressWritten = p;
            progressWrittenAt = now;
          });
        }
      }
      for (Lease l : leases.values()) {
        if (l.releasing) {
          Claim released = new Claim(selfId, selfName, l.lastSettled, true, l.version);
          ops.add(records.claimOp(l.job, released));
          writtenLeases.add(l);
          onSuccess.add(() -> {
            leases.remove(l.job, l);
            l.released.tryComplete();
          });
        } else if (!l.verified || l.want > l.through || l.through < now + RENEW_MS) {
          long through = Math.max(now, l.want) + AHEAD_MS;
          Claim renewed = new Claim(selfId, selfName, through, false, l.version);
          ops.add(records.claimOp(l.job, renewed));
          writtenLeases.add(l);
          List<Promise<Void>> w = new ArrayList<>(l.waiters);
          l.waiters.clear();
          waiting.put(l, w);
          onSuccess.add(() -> {
            l.through = through;
            l.verified = true;
            w.forEach(Promise::tryComplete);
          });
        }
      }
    } catch (Exception e) {
      if (records.started()) {
        log.warn("[node={}] cron claims: cannot build the batch: {}", selfName, e.toString());
      }
      failed(waiting, e);
      return;
    }
    if (ops.isEmpty()) {
      return;
    }
    flushing = true;
    try {
      records.transaction(ops, event -> {
        flushing = false;
        done(event, ops, writtenLeases, onSuccess, waiting);
        if (flushAgain && !closedAndIdle()) flush();
      });
    } catch (Exception e) {
      flushing = false;
      failed(waiting, e);
    }
  }

  private boolean closedAndIdle() {
    return closed && leases.isEmpty();
  }

  private void done(CuratorEvent event, List<CuratorOp> ops, List<Lease> writtenLeases, List<Runnable> onSuccess,
                    Map<Lease, List<Promise<Void>>> waiting) {
    int rc = event.getResultCode();
    if (rc == KeeperException.Code.OK.intValue()) {
      List<CuratorTransactionResult> results = event.getOpResults();
      for (int i = 0; i < ops.size(); i++) {
        Lease l = writtenLeases.get(i);
        Stat stat = results != null && i < results.size() ? results.get(i).getResultStat() : null;
        if (l != null && stat != null) {
          l.version = stat.getVersion();
        }
        onSuccess.get(i).run();
      }
      return;
    }
    List<CuratorTransactionResult> results = event.getOpResults();
    boolean conflict = false;
    for (int i = 0; results != null && i < results.size() && i < ops.size(); i++) {
      int err = results.get(i).getError();
      Lease l = writtenLeases.get(i);
      if (err == KeeperException.Code.BADVERSION.intValue() || err == KeeperException.Code.NONODE.intValue()) {
        conflict = true;
        if (l == null) {
          progressWritten = -1;
          records.recreateProgress(selfId, progress());
        } else {
          verify(l, waiting.remove(l));
        }
      }
    }
    if (conflict) {
      // the other writes of the batch were rolled back: again, without the conflicting ones
      waiting.forEach((l, w) -> l.waiters.addAll(w));
      flushAgain = true;
      return;
    }
    failed(waiting, ClaimRecords.error(event));
  }

  /** The batch failed (ZooKeeper unreachable): the ticks waiting for a claim fail, and are retried by the caller. */
  private void failed(Map<Lease, List<Promise<Void>>> waiting, Throwable cause) {
    log.debug("[node={}] cron claims: batch failed: {}", selfName, cause.toString());
    waiting.forEach((l, w) -> {
      l.verified = false;
      w.forEach(p -> p.tryFail(cause));
    });
  }

  /** A claim's write conflicted: read the record; this node keeps the job only if the record is still its own. */
  private void verify(Lease l, List<Promise<Void>> waiting) {
    records.read(l.job).onComplete(ar -> {
      Claim c = ar.succeeded() ? ar.result() : null;
      if (ar.succeeded() && c != null && selfId.equals(c.ownerId()) && !c.released()) {
        l.version = c.version();
        l.through = Math.min(l.through, c.through());
        if (waiting != null) l.waiters.addAll(waiting);
        flush();
        return;
      }
      if (ar.failed()) {
        l.verified = false;
        if (waiting != null) waiting.forEach(p -> p.tryFail(ar.cause()));
        return;
      }
      // another node holds it now
      log.info("[node={}] cron job '{}' is held by {} now: this node fires none of its ticks", selfName, l.job,
        c == null ? "nobody" : c.ownerName());
      leases.remove(l.job, l);
      if (waiting != null) waiting.forEach(Promise::tryComplete);
      l.waiters.forEach(Promise::tryComplete);
      l.waiters.clear();
      if (l.released != null) l.released.tryComplete();
    });
  }


}
