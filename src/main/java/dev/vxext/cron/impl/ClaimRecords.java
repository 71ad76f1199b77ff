package dev.vxext.cron.impl;

import dev.vxext.cluster.impl.NameClaim;
import dev.vxext.metrics.impl.NodeMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * The ZooKeeper records of the cluster cron claims (see {@link ClaimAhead}): one per job,
 * {@code /vxext/cron/jobs/<job>} (owner, claimed-through, released), and one per node,
 * {@code /vxext/cron/progress/<node id>} (settled-through). Asynchronous Curator calls whose results are
 * delivered on one context; every request is counted in the node's {@code vxext.cron.claim.*} meters.
 */
final class ClaimRecords {

  private static final Logger log = LoggerFactory.getLogger(ClaimRecords.class);
  static final String JOBS_PATH = "/vxext/cron/jobs/";
  static final String PROGRESS_PATH = "/vxext/cron/progress/";
  /** Progress records of nodes gone longer than this are deleted. */
  static final long PROGRESS_TTL_MS = 3_600_000;

  private final Context context;
  private final CuratorFramework curator;
  private final NodeMetrics metrics;
  private final String selfName;

  /** A job's record. */
  record Claim(String ownerId, String ownerName, long through, boolean released, int version) {

    byte[] encode() {
      return new JsonObject().put("id", ownerId).put("name", ownerName).put("through", through).put("released", released)
        .encode().getBytes(StandardCharsets.UTF_8);
    }

    static Claim decode(byte[] data, int version) {
      JsonObject j = new JsonObject(new String(data, StandardCharsets.UTF_8));
      return new Claim(j.getString("id"), j.getString("name"), j.getLong("through", 0L), j.getBoolean("released", false), version);
    }
  }

  /** A node's progress record: settled through, and when ZooKeeper last wrote it (its clock). */
  record Progress(long through, long writtenAt) {
  }

  /** @param context where the results are delivered */
  ClaimRecords(Context context, CuratorFramework curator, NodeMetrics metrics, String selfName) {
    this.context = context;
    this.curator = curator;
    this.metrics = metrics;
    this.selfName = selfName;
  }

  /** @return true while the ZooKeeper client runs */
  boolean started() {
    return curator.getState() == CuratorFrameworkState.STARTED;
  }

  /** @return the record of {@code job}, or null when it has none */
  Future<Claim> read(String job) {
    Promise<Claim> p = Promise.promise();
    background(p, e -> {
      if (e.getResultCode() == KeeperException.Code.NONODE.intValue()) {
        p.complete(null);
      } else if (e.getResultCode() == KeeperException.Code.OK.intValue()) {
        p.complete(Claim.decode(e.getData(), e.getStat().getVersion()));
      } else {
        p.fail(error(e));
      }
    }, cb -> curator.getData().inBackground(cb).forPath(JOBS_PATH + job));
    return p.future();
  }

  /** @return true when created, false when it exists */
  Future<Boolean> create(String job, Claim c) {
    Promise<Boolean> p = Promise.promise();
    metrics.cronClaimRequest(1);
    background(p, e -> {
      if (e.getResultCode() == KeeperException.Code.OK.intValue()) {
        p.complete(true);
      } else if (e.getResultCode() == KeeperException.Code.NODEEXISTS.intValue()) {
        p.complete(false);
      } else {
        p.fail(error(e));
      }
    }, cb -> curator.create().creatingParentContainersIfNeeded().inBackground(cb).forPath(JOBS_PATH + job, c.encode()));
    return p.future();
  }

  /** @return the new version, or -1 when the record changed since {@code c.version()} was read */
  Future<Integer> write(String job, Claim c) {
    Promise<Integer> p = Promise.promise();
    metrics.cronClaimRequest(1);
    background(p, e -> {
      if (e.getResultCode() == KeeperException.Code.OK.intValue()) {
        p.complete(e.getStat().getVersion());
      } else if (e.getResultCode() == KeeperException.Code.BADVERSION.intValue()
        || e.getResultCode() == KeeperException.Code.NONODE.intValue()) {
        p.complete(-1);
      } else {
        p.fail(error(e));
      }
    }, cb -> curator.setData().withVersion(c.version()).inBackground(cb).forPath(JOBS_PATH + job, c.encode()));
    return p.future();
  }

  /** @return true when the node that wrote {@code c} still holds its name (its session is alive) */
  Future<Boolean> alive(Claim c) {
    Promise<Boolean> p = Promise.promise();
    background(p, e -> {
      if (e.getResultCode() == KeeperException.Code.NONODE.intValue()) {
        p.complete(false);
      } else if (e.getResultCode() == KeeperException.Code.OK.intValue()) {
        p.complete(c.ownerId().equals(new String(e.getData(), StandardCharsets.UTF_8)));
      } else {
        p.fail(error(e));
      }
    }, cb -> curator.getData().inBackground(cb).forPath(NameClaim.path(c.ownerName())));
    return p.future();
  }

  /** @return the progress of node {@code id}, or null when it has none */
  Future<Progress> progressOf(String id) {
    Promise<Progress> p = Promise.promise();
    background(p, e -> {
      if (e.getResultCode() == KeeperException.Code.NONODE.intValue()) {
        p.complete(null);
      } else if (e.getResultCode() == KeeperException.Code.OK.intValue()) {
        p.complete(new Progress(new JsonObject(new String(e.getData(), StandardCharsets.UTF_8)).getLong("through", 0L),
          e.getStat().getMtime()));
      } else {
        p.fail(error(e));
      }
    }, cb -> curator.getData().inBackground(cb).forPath(PROGRESS_PATH + id));
    return p.future();
  }

  /** Creates node {@code id}'s progress record (an existing one is kept). */
  Future<Void> createProgress(String id, long through) {
    Promise<Void> p = Promise.promise();
    background(p, e -> {
      if (e.getResultCode() == KeeperException.Code.OK.intValue() || e.getResultCode() == KeeperException.Code.NODEEXISTS.intValue()) {
        p.complete();
      } else {
        p.fail(error(e));
      }
    }, cb -> curator.create().creatingParentContainersIfNeeded().inBackground(cb).forPath(PROGRESS_PATH + id, progress(through)));
    return p.future();
  }

  /** Sets node {@code id}'s progress (one request, outside the batch). */
  Future<Void> setProgress(String id, long through) {
    Promise<Void> p = Promise.promise();
    metrics.cronClaimRequest(1);
    background(p, e -> {
      if (e.getResultCode() == KeeperException.Code.OK.intValue()) {
        p.complete();
      } else {
        p.fail(error(e));
      }
    }, cb -> curator.setData().inBackground(cb).forPath(PROGRESS_PATH + id, progress(through)));
    return p.future();
  }

  /** Creates node {@code id}'s progress record again (best effort: it was deleted). */
  void recreateProgress(String id, long through) {
    byte[] data = progress(through);
    quietly(() -> curator.create().creatingParentContainersIfNeeded().inBackground().forPath(PROGRESS_PATH + id, data));
  }

  /** Deletes node {@code id}'s progress record (best effort). */
  void deleteProgress(String id) {
    quietly(() -> curator.delete().inBackground().forPath(PROGRESS_PATH + id));
  }

  /** @return the batch operation setting node {@code id}'s progress */
  CuratorOp progressOp(String id, long through) throws Exception {
    return curator.transactionOp().setData().forPath(PROGRESS_PATH + id, progress(through));
  }

  /** @return the batch operation writing {@code c} over the version it was read at */
  CuratorOp claimOp(String job, Claim c) throws Exception {
    return curator.transactionOp().setData().withVersion(c.version()).forPath(JOBS_PATH + job, c.encode());
  }

  /** Runs {@code ops} as one transaction (one request); {@code done} gets its event on the context. */
  void transaction(List<CuratorOp> ops, Consumer<CuratorEvent> done) throws Exception {
    metrics.cronClaimRequest(ops.size());
    curator.transaction().inBackground((client, event) -> context.runOnContext(v -> done.accept(event))).forOperations(ops);
  }

  /** Deletes the progress records nobody wrote for {@value #PROGRESS_TTL_MS} ms (nodes long gone), but {@code selfId}'s. */
  void sweep(String selfId) {
    Promise<Void> p = Promise.promise();
    background(p, e -> {
      if (e.getResultCode() != KeeperException.Code.OK.intValue() || e.getChildren() == null) return;
      for (String id : e.getChildren()) {
        if (id.equals(selfId)) continue;
        quietly(() -> curator.checkExists().inBackground((c, ev) -> {
          if (ev.getStat() != null && System.currentTimeMillis() - ev.getStat().getMtime() > PROGRESS_TTL_MS) {
            c.delete().withVersion(ev.getStat().getVersion()).inBackground().forPath(PROGRESS_PATH + id);
          }
        }).forPath(PROGRESS_PATH + id));
      }
    }, cb -> curator.getChildren().inBackground(cb).forPath(PROGRESS_PATH.substring(0, PROGRESS_PATH.length() - 1)));
  }

  static Throwable error(CuratorEvent e) {
    return KeeperException.create(KeeperException.Code.get(e.getResultCode()), e.getPath());
  }

  private static byte[] progress(long through) {
    return new JsonObject().put("through", through).put("at", System.currentTimeMillis()).encode()
      .getBytes(StandardCharsets.UTF_8);
  }

  private interface Op {
    Object run() throws Exception;
  }

  /** Starts a best-effort background call. */
  private void quietly(Op op) {
    try {
      op.run();
    } catch (Exception e) {
      log.debug("[node={}] cron claims: {}", selfName, e.toString());
    }
  }

  private interface Call {
    void start(BackgroundCallback callback) throws Exception;
  }

  /** Starts a background Curator call; its event is handled on {@link #context}. */
  private void background(Promise<?> promise, Consumer<CuratorEvent> onEvent, Call call) {
    try {
      call.start((client, event) -> context.runOnContext(v -> {
        try {
          onEvent.accept(event);
        } catch (RuntimeException ex) {
          promise.tryFail(ex);
        }
      }));
    } catch (Exception e) {
      promise.tryFail(e);
    }
  }
}
