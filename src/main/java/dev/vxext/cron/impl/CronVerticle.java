package dev.vxext.cron.impl;

import dev.vxext.addressbook.NodeEntry;
import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.cron.CronJob;
import dev.vxext.cron.CronJobInfo;
import dev.vxext.cron.CronScope;
import dev.vxext.runtime.NodeRuntime;
import dev.vxext.runtime.Router;
import dev.vxext.protocol.Action;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Fires this node's cron jobs. {@code NODE} jobs fire here to the local trigger process. A
 * {@code CLUSTER} job is active on the node the ring picks among the nodes declaring it; that node
 * claims each tick cluster-wide ({@link TickClaim}) before firing, so a tick fires once even while nodes
 * disagree about ownership. A node that becomes owner fires, oldest first, the ticks its predecessor
 * missed that are within the job's misfire grace, and counts older ones as missed. A trigger that cannot be
 * delivered is retried every second within the grace; one that may be a daemon not placed yet (the cluster
 * is starting or electing a leader) is waited for quietly, and its miss is a warning, not an error.
 * <p>
 * Local address {@value #ADDRESS}, action {@code list}: the jobs with owner and next fire time.
 */
public final class CronVerticle extends VerticleBase {

  /** Local address of the cron service. */
  public static final String ADDRESS = Protocol.CRON_ADDRESS;

  private static final Logger log = LoggerFactory.getLogger(CronVerticle.class);
  private static final int MAX_CATCH_UP = 1_000;

  private final NodeRuntime runtime;
  private final List<CronJob> declared;
  private final String self;
  private final long requestTimeout;
  private final Clock clock;
  private final List<JobState> jobs = new ArrayList<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private BookMaps maps;
  private Router router;
  private TickClaims claims;
  private DaemonPlacement placement;
  /** First delivery attempts still in flight (waited for on stop). */
  private final java.util.Set<Future<Void>> deliveries = new java.util.HashSet<>();
  private dev.vxext.metrics.impl.NodeMetrics metrics;
  private boolean stopped;

  private final class JobState {
    final CronJob job;
    final CronSchedule schedule;
    boolean active;
    String owner;
    long timer = -1;
    CronSchedule.Tick next;
    long fired;
    long missed;
    long generation;
    /** The ticks of this job are claimed one after the other: a retried claim is not overtaken. */
    Future<Void> firing = Future.succeededFuture();

    JobState(CronJob job) {
      this.job = job;
      this.schedule = CronSchedule.of(job.getSpec(), job.getDialect(), job.getZone());
    }
  }

  public CronVerticle(NodeRuntime runtime, List<CronJob> jobs) {
    this(runtime, jobs, Clock.systemUTC());
  }

  public CronVerticle(NodeRuntime runtime, List<CronJob> jobs, Clock clock) {
    this.runtime = runtime;
    this.declared = List.copyOf(jobs);
    this.self = runtime.name();
    this.requestTimeout = runtime.settings().requestTimeout();
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    maps = runtime.maps();
    router = runtime.router();
    placement = new DaemonPlacement(runtime);
    metrics = runtime.metrics();
    for (CronJob job : declared) {
      jobs.add(new JobState(job));
    }
    Future<Void> claimsReady = startClaims();
    MessageConsumer<Object> api = vertx.eventBus().localConsumer(ADDRESS, this::handle);
    MessageConsumer<JsonObject> members = vertx.eventBus().localConsumer(Protocol.MEMBERSHIP_ADDRESS, m -> rebalance());
    consumers.add(api);
    consumers.add(members);
    runtime.endpoint().handle(Action.CRON_LIST, context, this::list);
    return Future.all(api.completion(), members.completion(), claimsReady).onSuccess(v -> rebalance());
  }

  /** Claims ahead on ZooKeeper (see {@link ClaimAhead}); one counter round trip per tick elsewhere. */
  private Future<Void> startClaims() {
    io.vertx.core.spi.cluster.ClusterManager cm = ((io.vertx.core.internal.VertxInternal) vertx).clusterManager();
    org.apache.curator.framework.CuratorFramework curator = dev.vxext.cluster.impl.FanOutClusterManager.curator(cm);
    if (curator == null || jobs.stream().noneMatch(s -> s.job.getScope() == CronScope.CLUSTER)) {
      claims = new TickClaim(vertx);
      return Future.succeededFuture();
    }
    ClaimAhead ahead = new ClaimAhead(vertx, curator, cm.getNodeId(), self,
      runtime.settings().sessionTimeout(), runtime::lastContact, metrics);
    claims = ahead;
    runtime.addConnectionListener(state -> {
      if (state != dev.vxext.cluster.impl.ConnectionMonitor.State.RECONNECTED) {
        context.runOnContext(v -> ahead.connectionTrouble());
      }
    });
    return ahead.start();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    jobs.forEach(this::deactivate);
    // ticks already claimed are delivered before the router closes (bounded by the request timeout):
    // a claimed tick that is not delivered would be lost, since no other node fires it again
    List<Future<Void>> inFlight = new ArrayList<>(deliveries);
    jobs.forEach(s -> inFlight.add(s.firing));
    Future<Void> drained = Future.join(inFlight).<Void>mapEmpty().otherwiseEmpty()
      .timeout(requestTimeout, java.util.concurrent.TimeUnit.MILLISECONDS).otherwiseEmpty();
    // the ticks claimed ahead and not fired are the next owner's: released before leaving
    return drained.compose(v -> claims == null ? Future.<Void>succeededFuture() : claims.close()
      .timeout(requestTimeout, java.util.concurrent.TimeUnit.MILLISECONDS).otherwiseEmpty()).compose(v -> {
      runtime.endpoint().remove(Action.CRON_LIST);
      List<Future<Void>> done = new ArrayList<>();
      consumers.forEach(c -> done.add(c.unregister()));
      return Future.join(done);
    });
  }

  private void handle(Message<Object> msg) {
    String action = msg.headers().get(Protocol.ACTION_HEADER);
    if (!"list".equals(action)) {
      msg.fail(Protocol.BAD_REQUEST, "unknown cron action '" + action + "' (expected list)");
      return;
    }
    list(msg);
  }

  /** Answers the jobs of this node, with their owner and next fire time. */
  private void list(Message<Object> msg) {
    JsonArray list = new JsonArray();
    for (JobState s : jobs) {
      long next = s.active && s.next != null ? s.next.at().toEpochMilli() : 0;
      // the job's own definition too, for the admin page (CronJobInfo.fromJson ignores it)
      list.add(new CronJobInfo(s.job.getName(), s.job.getScope(), s.owner, next, s.fired, s.missed).toJson()
        .put("spec", s.job.getSpec()).put("trigger", s.job.getTriggerProcess()));
    }
    msg.reply(list);
  }

  /** Recomputes which jobs this node fires (at start and on every membership change). */
  private void rebalance() {
    if (stopped) return;
    for (JobState s : jobs) {
      String owner = s.job.getScope() == CronScope.NODE ? self : owner(s.job.getName());
      boolean shouldRun = self.equals(owner);
      s.owner = owner;
      if (shouldRun && !s.active) {
        activate(s);
      } else if (!shouldRun && s.active) {
        log.info("[node={}] cron job '{}' moves to {}", self, s.job.getName(), owner);
        deactivate(s);
      }
    }
  }

  private String owner(String job) {
    return runtime.settings().placement().choose(job, maps.view().placeable(n -> n.declares(job)));
  }

  private void activate(JobState s) {
    s.active = true;
    long gen = ++s.generation;
    Instant activatedAt = clock.instant();
    Future<Instant> caughtUp = s.job.getScope() == CronScope.CLUSTER ? catchUp(s, activatedAt) : Future.succeededFuture(activatedAt);
    caughtUp.onComplete(ar -> {
      if (s.generation != gen || !s.active) return;
      if (ar.failed() && s.job.getScope() == CronScope.CLUSTER) {
        // without the job's record this node may fire none of its ticks: taken over again in a second
        log.warn("[node={}] cron job '{}': take-over failed ({}); trying again", self, s.job.getName(), ar.cause().getMessage());
        vertx.setTimer(1_000, t -> {
          if (s.generation == gen && s.active) {
            s.active = false;
            activate(s);
          }
        });
        return;
      }
      // ticks that came due while catching up are next (and fire at once): none is skipped
      schedule(s, s.schedule.nextAfter(ar.succeeded() ? ar.result() : activatedAt), gen);
    });
  }

  private void deactivate(JobState s) {
    boolean wasActive = s.active;
    s.active = false;
    s.generation++;
    if (s.timer >= 0) {
      vertx.cancelTimer(s.timer);
      s.timer = -1;
    }
    s.next = null;
    if (wasActive && s.job.getScope() == CronScope.CLUSTER) {
      // once the ticks in flight are settled, the ones claimed ahead go to the next owner
      String name = s.job.getName();
      s.firing.onComplete(ar -> {
        if (!s.active) claims.release(name);
      });
    }
  }

  /**
   * The new owner of a cluster job fires the ticks missed within the grace, counts older ones, and counts
   * as missed the ticks a dead owner claimed and may have fired (see {@link TickClaims.Takeover}).
   * @return the instant up to which every tick was handled
   */
  private Future<Instant> catchUp(JobState s, Instant now) {
    String name = s.job.getName();
    return claims.acquire(name, now.toEpochMilli()).compose(t -> {
      if (t.uncertainThrough() > t.uncertainFrom()) {
        int uncertain = s.schedule.countBetween(Instant.ofEpochMilli(t.uncertainFrom()), Instant.ofEpochMilli(t.uncertainThrough() + 1));
        if (uncertain > 0) {
          s.missed += uncertain;
          metrics.cronMisfires(name, uncertain);
          log.warn("[node={}] cron job '{}': {} tick(s) older than the misfire grace were missed (claimed by a node that"
            + " died before recording whether it fired them: not fired twice)", self, name, uncertain);
        }
      }
      Instant handled = Instant.ofEpochMilli(t.dueAfter());
      Instant graceStart = now.minusMillis(s.job.getMisfireGrace());
      Instant since = handled.isAfter(graceStart) ? handled : graceStart.minusMillis(1);
      int missed = handled.isBefore(graceStart) ? s.schedule.countBetween(handled, graceStart) : 0;
      if (missed > 0) {
        s.missed += missed;
        metrics.cronMisfires(name, missed);
        log.warn("[node={}] cron job '{}': {} tick(s) older than the misfire grace were missed", self, name, missed);
      }
      // every tick missed within the grace, oldest first, at most MAX_CATCH_UP
      List<CronSchedule.Tick> due = new ArrayList<>();
      for (CronSchedule.Tick tick = s.schedule.nextAfter(since); tick != null && !tick.at().isAfter(now);
           tick = s.schedule.next(tick.at(), tick.wall())) {
        due.add(tick);
        if (due.size() > MAX_CATCH_UP) {
          due.remove(0);
          s.missed++;
          metrics.cronMisfires(name, 1);
        }
      }
      if (!due.isEmpty()) {
        log.info("[node={}] cron job '{}': firing {} missed tick(s) from {}", self, name, due.size(), due.get(0).at());
      }
      Future<Void> chain = Future.succeededFuture();
      for (CronSchedule.Tick tick : due) {
        chain = chain.compose(v -> fire(s, tick));
      }
      // the ticks up to the take-over's end were settled or counted: the schedule resumes after them
      return chain.map(handled.isAfter(now) ? handled : now);
    });
  }

  private void schedule(JobState s, CronSchedule.Tick tick, long gen) {
    s.next = tick;
    if (tick == null) {
      return;
    }
    if (s.job.getScope() == CronScope.CLUSTER) {
      claims.scheduled(s.job.getName(), tick.at().toEpochMilli());
    }
    long delay = Math.max(1, tick.at().toEpochMilli() - clock.millis());
    s.timer = vertx.setTimer(delay, t -> {
      s.timer = -1;
      if (s.generation != gen || !s.active) return;
      if (clock.instant().isBefore(tick.at().minusMillis(2))) {
        schedule(s, tick, gen);
        return;
      }
      s.firing = s.firing.compose(v -> fire(s, tick));
      schedule(s, s.schedule.next(tick.at(), tick.wall()), gen);
    });
  }

  private Future<Void> fire(JobState s, CronSchedule.Tick tick) {
    long scheduledAt = tick.at().toEpochMilli();
    Future<Boolean> won = s.job.getScope() == CronScope.CLUSTER ? claims.claim(s.job.getName(), scheduledAt)
      : Future.succeededFuture(true);
    return won.compose(ok -> {
      if (!ok) {
        metrics.cronClaimLost(s.job.getName());
        log.debug("[node={}] cron job '{}': tick {} already fired elsewhere", self, s.job.getName(), tick.at());
        if (s.active && s.job.getScope() == CronScope.CLUSTER && !claims.holds(s.job.getName())) {
          // another node took the job over while this one was frozen or cut off; it is this node's again
          // (the ring says so): taken over again, from that node's release or death
          log.info("[node={}] cron job '{}' was taken over by another node meanwhile; taking it back", self, s.job.getName());
          s.active = false;
          activate(s);
        }
        return Future.succeededFuture();
      }
      deliver(s, scheduledAt, false);
      claims.settled(s.job.getName(), scheduledAt);
      return Future.<Void>succeededFuture();
    }).recover(t -> retryClaim(s, tick, t));
  }

  /**
   * A claim that failed (ZooKeeper unreachable) is retried every second within the misfire grace, else
   * the tick is counted as missed; a job that moved meanwhile leaves it to the next owner's catch-up.
   */
  private Future<Void> retryClaim(JobState s, CronSchedule.Tick tick, Throwable t) {
    if (stopped || !s.active) {
      log.info("[node={}] cron job '{}': tick {} not claimed ({}); left to the next owner", self, s.job.getName(),
        tick.at(), t.getMessage());
      return Future.succeededFuture();
    }
    if (clock.millis() + 1_000 <= tick.at().toEpochMilli() + s.job.getMisfireGrace()) {
      log.warn("[node={}] cron job '{}': could not claim tick {} ({}); retrying", self, s.job.getName(), tick.at(), t.getMessage());
      Promise<Void> retried = Promise.promise();
      vertx.setTimer(1_000, id -> fire(s, tick).onComplete(retried));
      return retried.future();
    }
    s.missed++;
    metrics.cronMisfires(s.job.getName(), 1);
    claims.settled(s.job.getName(), tick.at().toEpochMilli());
    log.error("[node={}] cron job '{}': tick {} missed: not claimed within the misfire grace ({})", self, s.job.getName(),
      tick.at(), t.getMessage());
    return Future.succeededFuture();
  }

  private void deliver(JobState s, long scheduledAt, boolean waiting) {
    JsonObject msg = new JsonObject().put("job", s.job.getName()).put("scheduledAt", scheduledAt)
      .put("firedAt", clock.millis()).put("node", self);
    if (s.job.getPayload() != null) {
      msg.put("payload", s.job.getPayload().copy());
    }
    String target = s.job.getTriggerProcess();
    Future<Void> sent;
    if (s.job.getScope() == CronScope.NODE || s.job.getDelivery() == dev.vxext.cron.CronDelivery.OWNER_LOCAL) {
      if (maps.processes().get(target) == null) {
        sent = Future.failedFuture(Protocol.failure(Protocol.NOT_FOUND, "no process '" + target + "' on node " + self));
      } else {
        vertx.eventBus().send(target, msg, new DeliveryOptions().setLocalOnly(true));
        sent = Future.succeededFuture();
      }
    } else {
      // at most once: a retry after an uncertain failure (the ack lost, the target node gone meanwhile) is
      // dropped by the target node when the first one reached it
      sent = router.send(target, msg, new DeliveryOptions().addHeader(Protocol.ONCE_HEADER,
        s.job.getName() + "@" + scheduledAt));
      if (!sent.isComplete()) {
        deliveries.add(sent);
        sent.onComplete(ar -> deliveries.remove(sent));
      }
    }
    // a tick counts as fired once delivered; one never delivered within the grace counts as missed
    sent.onSuccess(v -> {
      s.fired++;
      metrics.cronFired(s.job.getName(), clock.millis() - scheduledAt);
    });
    sent.onFailure(t -> undelivered(s, scheduledAt, t, waiting));
  }

  /**
   * A trigger not delivered is retried every second within the misfire grace, else counted as missed. When
   * its target may be a daemon not placed yet (the cluster is starting, a leader is being elected), the tick
   * waits for it quietly, and a miss is a warning; otherwise each retry is a warning and a miss an error.
   */
  private void undelivered(JobState s, long scheduledAt, Throwable t, boolean waiting) {
    String target = s.job.getTriggerProcess();
    Future<Boolean> placing = s.job.getScope() == CronScope.CLUSTER && Protocol.hasCode(t, Protocol.NOT_FOUND)
      ? placement.pending(target) : Future.succeededFuture(false);
    placing.onComplete(ar -> {
      boolean daemon = ar.succeeded() && ar.result();
      long deadline = scheduledAt + s.job.getMisfireGrace();
      if (!stopped && clock.millis() + 1_000 <= deadline) {
        if (!daemon) {
          log.warn("[node={}] cron job '{}': trigger '{}' not delivered ({}); retrying", self, s.job.getName(), target, t.getMessage());
        } else if (!waiting) {
          log.info("[node={}] cron job '{}': trigger '{}' not found yet, the daemons are being placed; tick {} waits for it"
            + " until {}", self, s.job.getName(), target, Instant.ofEpochMilli(scheduledAt), Instant.ofEpochMilli(deadline));
        }
        vertx.setTimer(1_000, id -> deliver(s, scheduledAt, waiting || daemon));
        return;
      }
      s.missed++;
      metrics.cronMisfires(s.job.getName(), 1);
      if (daemon) {
        log.warn("[node={}] cron job '{}': tick {} missed: trigger '{}' not found within the misfire grace ({} ms) while the"
          + " daemons are being placed", self, s.job.getName(), Instant.ofEpochMilli(scheduledAt), target, s.job.getMisfireGrace());
      } else {
        log.error("[node={}] cron job '{}': tick {} lost: trigger '{}' not delivered within the misfire grace ({})",
          self, s.job.getName(), Instant.ofEpochMilli(scheduledAt), target, t.getMessage());
      }
    });
  }
}
