package dev.vxext.impl;

import dev.vxext.ClusterNode;
import dev.vxext.ExtensionsVerticle;
import dev.vxext.NodeOptions;
import dev.vxext.addressbook.AddressBook;
import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.addressbook.impl.LocalMapAddressBook;
import dev.vxext.cron.CronJobInfo;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.vxext.daemon.Spawner;
import dev.vxext.daemon.impl.DaemonVerticle;
import dev.vxext.daemon.impl.SpawnerImpl;
import dev.vxext.process.ExitReason;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessNames;
import dev.vxext.process.impl.ProcessDeployer;
import dev.vxext.runtime.NodeRuntime;
import dev.vxext.runtime.NodeSettings;
import dev.vxext.runtime.Router;
import java.util.Optional;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import dev.vxext.impl.ClusterVertx;
import dev.vxext.impl.ZookeeperProbe;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The {@link ClusterNode} implementation: starts Vert.x, deploys the extensions, and routes calls.
 * <p>
 * {@code call}/{@code send} go through a {@link Router}.
 */
public final class ClusterNodeImpl implements ClusterNode {

  private static final Logger log = LoggerFactory.getLogger(ClusterNodeImpl.class);

  private enum State { STARTED, CLOSED }

  private final Vertx vertx;
  private final NodeSettings settings;
  private final boolean ownsVertx;

  private final AddressBook addressBook;
  private final NodeRuntime runtime;
  private final BookMaps maps;
  private final Router router;
  private final ExitWatch exits;
  private final AtomicReference<State> state = new AtomicReference<>(State.STARTED);
  private volatile Future<Void> closed;
  /** Futures of operations still pending (calls, awaitExit...): failed with 503 when the node closes. */
  private final java.util.Set<Promise<?>> pending = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private ClusterNodeImpl(NodeRuntime runtime, boolean ownsVertx) {
    this.vertx = runtime.vertx();
    this.runtime = runtime;
    this.settings = runtime.settings();
    this.ownsVertx = ownsVertx;
    this.maps = runtime.maps();
    this.router = runtime.router();
    this.exits = new ExitWatch(vertx, settings.nodeName(), maps, () -> state.get() == State.STARTED);
    this.addressBook = new LocalMapAddressBook(settings.nodeName(), settings.directoryReplicas(), maps, runtime::lookup,
      settings.placement());
  }

  /** See {@link ClusterNode#deploy(Vertx, NodeOptions)}. */
  public static Future<ClusterNode> deploy(Vertx vertx, NodeOptions options) {
    NodeOptions opts;
    try {
      Objects.requireNonNull(vertx, "vertx");
      Objects.requireNonNull(options, "options");
      opts = new NodeOptions(options);
      opts.validate();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return vertx.deployVerticle(new ExtensionsVerticle(opts))
      .map(id -> new ClusterNodeImpl(NodeRuntime.of(vertx).orElseThrow(), false));
  }

  /** See {@link ClusterNode#of(Vertx)}. */
  public static Optional<ClusterNode> of(Vertx vertx) {
    Objects.requireNonNull(vertx, "vertx");
    return NodeRuntime.of(vertx).map(r -> new ClusterNodeImpl(r, false));
  }

  /** See {@link ClusterNode#start(NodeOptions)}. */
  public static Future<ClusterNode> start(NodeOptions options) {
    NodeOptions opts;
    try {
      Objects.requireNonNull(options, "options");
      opts = new NodeOptions(options);
      opts.validate();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (opts.isClustered() && !opts.isHazelcast()) {
      // on a thread of its own (the caller may be an event loop); the node is built there once ZooKeeper answers
      return ZookeeperProbe.probe(opts)
        .onFailure(e -> log.error("[node={}] not started: {}", opts.getNodeName(), e.getMessage()))
        .compose(reached -> build(opts));
    }
    return build(opts);
  }

  private static Future<ClusterNode> build(NodeOptions opts) {
    Future<Vertx> vertx;
    PrometheusMeterRegistry registry = ClusterVertx.meterRegistry(opts);
    try {
      VertxOptions vertxOptions = new VertxOptions();
      VertxBuilder builder = ClusterVertx.vertxMetrics(ClusterVertx.builder(opts, vertxOptions), vertxOptions, opts, registry);
      vertx = opts.isClustered() ? builder.buildClustered() : Future.succeededFuture(builder.build());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    // context-less: on failure the Vert.x instance is closed, and a context-bound future could not
    // notify its listeners once the event loops are gone
    Promise<ClusterNode> result = Promise.promise();
    vertx.onComplete(ar -> {
      if (ar.failed()) {
        log.error("[node={}] cannot start Vert.x: {}", opts.getNodeName(), ar.cause().getMessage());
        result.fail(ar.cause());
        return;
      }
      Vertx v = ar.result();
      ExtensionsVerticle extensions = new ExtensionsVerticle(opts, registry);
      v.deployVerticle(extensions).onComplete(dep -> {
        if (dep.succeeded()) {
          result.complete(new ClusterNodeImpl(NodeRuntime.of(v).orElseThrow(), true));
        } else {
          log.error("[node={}] start failed: {}", opts.getNodeName(), dep.cause().getMessage());
          v.close().onComplete(closed -> result.fail(dep.cause()));
        }
      });
    });
    return result.future();
  }

  /** Two handles of one node (from {@code deploy}/{@code start} and from {@code of}) are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ClusterNodeImpl other && other.runtime == runtime;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(runtime);
  }

  @Override
  public String toString() {
    return "ClusterNode[" + runtime.name() + "]";
  }

  @Override
  public String name() {
    return settings.nodeName();
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public AddressBook addressBook() {
    return addressBook;
  }

  /** @return a failed future: this node is closed */
  private <T> Future<T> closedFailure() {
    return Future.failedFuture(Protocol.failure(Protocol.NOT_READY, "node " + name() + " is closed"));
  }

  /**
   * Runs {@code operation} while the node is open, tracking its future: if the node closes before it
   * completes, it fails with 503 (Vert.x closing would leave it pending for good). Completes on the
   * caller's context when called from a verticle (its state stays on one thread); any other caller gets a
   * future without a context: one bound to a context of this instance could not notify it once the instance
   * is closed, so a chain such as {@code register(...).compose(...).eventually(node::close)} started from a
   * callback of {@link ClusterNode#start} would never complete.
   */
  private <T> Future<T> tracked(Supplier<Future<T>> operation) {
    if (state.get() != State.STARTED) {
      return closedFailure();
    }
    Promise<T> promise;
    Future<T> running;
    try {
      io.vertx.core.internal.ContextInternal current = (io.vertx.core.internal.ContextInternal) Vertx.currentContext();
      promise = current != null && current.isDeployment() ? current.promise() : Promise.promise();
      running = operation.get();
    } catch (RuntimeException e) {
      return state.get() != State.STARTED ? closedFailure() : Future.failedFuture(e);
    }
    pending.add(promise);
    running.onComplete(ar -> {
      pending.remove(promise);
      if (ar.succeeded()) {
        promise.tryComplete(ar.result());
      } else {
        promise.tryFail(ar.cause());
      }
    });
    return promise.future();
  }

  /** Fails every operation still pending: the node is closed. */
  private void failPending() {
    for (Promise<?> p : List.copyOf(pending)) {
      p.tryFail(Protocol.failure(Protocol.NOT_READY, "node " + name() + " was closed before this completed"));
    }
    pending.clear();
  }

  @Override
  public Future<ProcessId> register(String name, Supplier<? extends Deployable> verticle, DeploymentOptions deployment) {
    Objects.requireNonNull(verticle, "verticle");
    return tracked(() -> ProcessDeployer.deploy(vertx, name, verticle, deployment));
  }

  @Override
  public Future<String> locate(String name) {
    return lookup(name).map(ProcessId::node);
  }

  @Override
  public Future<ProcessId> lookup(String name) {
    return tracked(() -> runtime.lookup(name, settings.requestTimeout()));
  }

  @Override
  public <T> Future<Message<T>> call(String name, Object message) {
    return call(name, message, new DeliveryOptions());
  }

  @Override
  public <T> Future<Message<T>> call(String name, Object message, DeliveryOptions delivery) {
    return tracked(() -> router.call(name, message, delivery));
  }

  @Override
  public Future<Void> send(String name, Object message) {
    return tracked(() -> router.send(name, message));
  }

  @Override
  public Spawner spawner(String launcher) {
    String problem = ProcessNames.problem(launcher);
    // an invalid launcher name is a failure like any other: every call of this spawner fails (400)
    Spawner spawner = problem == null ? new SpawnerImpl(runtime, launcher) : null;
    return new Spawner() {
      @Override
      public String launcher() {
        return launcher;
      }

      @Override
      public Future<ProcessId> spawnRegister(String name, JsonObject args) {
        if (spawner == null) {
          return Future.failedFuture(Protocol.failure(Protocol.BAD_REQUEST, "invalid launcher name: name " + problem));
        }
        return tracked(() -> spawner.spawnRegister(name, args));
      }

      @Override
      public Future<Void> stop(String name) {
        return tracked(() -> spawner.stop(name));
      }

      @Override
      public Future<List<dev.vxext.daemon.SupervisedSpawn>> list() {
        return tracked(spawner::list);
      }
    };
  }

  @Override
  public Future<Void> addLauncher(String name, dev.vxext.daemon.Launcher launcher) {
    return tracked(() -> daemons().compose(d -> d.addLauncher(name, launcher)));
  }

  @Override
  public Future<Void> removeLauncher(String name) {
    return tracked(() -> daemons().compose(d -> d.removeLauncher(name)));
  }

  /** @return the daemon service of this node; 503 when it does not run */
  private Future<DaemonVerticle> daemons() {
    return runtime.service(DaemonVerticle.class).map(Future::succeededFuture).orElseGet(() ->
      Future.failedFuture(Protocol.failure(Protocol.NOT_READY, "the daemon service of node " + name() + " is not running")));
  }

  @Override
  public Future<Void> awaitExit(ProcessId process) {
    return awaitExitReason(process).mapEmpty();
  }

  @Override
  public Future<ExitReason> awaitExitReason(ProcessId process) {
    Objects.requireNonNull(process, "process");
    return tracked(() -> exits.exitOf(process));
  }

  @Override
  public Future<dev.vxext.daemon.DaemonReconciliation> scanDaemons() {
    DeliveryOptions o = new DeliveryOptions().setLocalOnly(true).addHeader(Protocol.ACTION_HEADER, "scan")
      .setSendTimeout(settings.scanTimeout() + settings.requestTimeout());
    return tracked(() -> vertx.eventBus().<JsonObject>request(Protocol.DAEMON_ADDRESS, new JsonObject(), o))
      .recover(Protocol::notRunningIfNoHandlers)
      .recover(t -> Future.failedFuture(t instanceof ReplyException e && e.failureType() == ReplyFailure.TIMEOUT
        ? Protocol.failure(Protocol.TIMEOUT, "no reconciliation ended within " + o.getSendTimeout() + " ms") : t))
      .map(m -> dev.vxext.daemon.DaemonReconciliation.fromJson(m.body()));
  }

  @Override
  public Future<List<CronJobInfo>> cronJobs() {
    DeliveryOptions o = new DeliveryOptions().setLocalOnly(true).addHeader(Protocol.ACTION_HEADER, "list");
    return tracked(() -> vertx.eventBus().<JsonArray>request(Protocol.CRON_ADDRESS, null, o)).recover(Protocol::notRunningIfNoHandlers)
      .map(m -> {
        List<CronJobInfo> list = new ArrayList<>();
        m.body().forEach(o2 -> list.add(CronJobInfo.fromJson((JsonObject) o2)));
        return list;
      });
  }

  @Override
  public int adminPort() {
    return state.get() == State.STARTED ? runtime.adminPort() : -1;
  }

  @Override
  public MeterRegistry meterRegistry() {
    return runtime.metrics().registry();
  }

  @Override
  public boolean isLeader() {
    return runtime.leader().self();
  }

  @Override
  public String leader() {
    return runtime.leader().node();
  }

  @Override
  public synchronized Future<Void> close() {
    if (!state.compareAndSet(State.STARTED, State.CLOSED)) {
      return closed;
    }
    // a promise without a context: vertx.close() shuts down the event loops a context-bound
    // future would need to notify its listeners
    Promise<Void> done = Promise.promise();
    // the graceful leave first (cron stops and delivers the ticks it claimed, the node announces it leaves,
    // its daemons are handed off), then the other processes (their names are withdrawn cleanly), then the
    // rest of the extensions, then Vert.x
    runtime.leave()
      .compose(v -> {
        List<Future<Void>> processes = new ArrayList<>();
        for (ProcessId p : addressBook.localProcesses()) {
          processes.add(vertx.undeploy(p.deploymentId()).otherwiseEmpty());
        }
        return Future.join(processes);
      })
      .eventually(() -> vertx.undeploy(runtime.deploymentId()))
      .onComplete(ar -> {
        failPending();
        Future<Void> shutdown = ownsVertx ? vertx.close() : Future.succeededFuture();
        shutdown.onComplete(done);
      });
    closed = done.future().andThen(ar -> log.info("[node={}] closed", name()));
    return closed;
  }
}
