package dev.vxext;

import dev.vxext.addressbook.AddressBook;
import dev.vxext.daemon.Spawner;
import dev.vxext.impl.ClusterNodeImpl;
import dev.vxext.process.ProcessId;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;

import java.util.function.Supplier;

/**
 * One node of a cluster running the extensions: a Vert.x instance (clustered on ZooKeeper when
 * {@link NodeOptions#getZookeeperHosts()} is set, alone otherwise) with a unique node name.
 * <p>
 * Every method is non-blocking and may be called from any thread or event loop. Failures are
 * {@link io.vertx.core.eventbus.ReplyException}s with the codes of {@link dev.vxext.whereis.WhereIs}.
 */
public interface ClusterNode {

  /**
   * Starts a node: creates the Vert.x instance, joins the cluster and deploys {@link ExtensionsVerticle}.
   * On ZooKeeper, it first checks that ZooKeeper answers, on a thread of its own (the caller is never
   * blocked): within the session timeout, at least 3 s and at most 10 s
   * ({@link dev.vxext.impl.ZookeeperConfig#REACH_TIMEOUT}).
   *
   * @return a future completed with the started node, or failed when the options are invalid, ZooKeeper
   *   cannot be reached in time ({@code cannot reach ZooKeeper at <hosts> (root path <root>) within <n> s;
   *   is it running?}, nothing started), the cluster cannot be joined, or another node already uses this
   *   node name (the running node is untouched)
   */
  static Future<ClusterNode> start(NodeOptions options) {
    return ClusterNodeImpl.start(options);
  }

  /**
   * Runs a node on a Vert.x instance you built yourself (your cluster manager, your options): deploys
   * {@link ExtensionsVerticle} on it and hands back the full API. {@link #close()} then undeploys the
   * extensions (and the processes registered through this node) and leaves your Vert.x running. The
   * options' cluster-manager settings ({@code zookeeperHosts}...) are not used: the node runs on
   * {@code vertx}'s cluster manager, or alone when it has none. For the full failure handling (a ZooKeeper
   * session lost and renewed, node events without polling), build the Vert.x with
   * {@link dev.vxext.cluster.ClusterManagers#wrap} around your cluster manager.
   *
   * @return a future completed with the node; failed when the options are invalid, the node name is taken
   *   in the cluster, or the extensions already run on {@code vertx} (409: once per Vert.x instance)
   */
  static Future<ClusterNode> deploy(Vertx vertx, NodeOptions options) {
    return ClusterNodeImpl.deploy(vertx, options);
  }

  /**
   * @return the node running on {@code vertx} (equal to the one returned when it was deployed with {@link #deploy}, {@link #start}, the launcher or
   *   an {@link ExtensionsVerticle} of your own), for code running inside it; empty when none runs there
   */
  static java.util.Optional<ClusterNode> of(Vertx vertx) {
    return ClusterNodeImpl.of(vertx);
  }

  /** @return this node's name */
  String name();

  /** @return the Vert.x instance of this node */
  Vertx vertx();

  /** @return this node's view of the cluster */
  AddressBook addressBook();

  /**
   * Deploys a verticle and registers it under {@code name} on this node. The verticle should consume on
   * the local event-bus address {@code name} ({@link dev.vxext.process.ProcessVerticle} does).
   *
   * @return a future completed with the process id once it is deployed and registered; failed with 400
   *   for an invalid name, 409 when the name is already registered on this node (the first stays
   *   untouched, the new verticle is not deployed), or the deployment's own failure
   */
  Future<ProcessId> register(String name, Supplier<? extends Deployable> verticle, DeploymentOptions options);

  /**
   * @return a future completed with the name of the node that runs {@code name} (the oldest instance
   *   when several do); failed with 404 when none does, 400 for an invalid name, 504 on timeout
   */
  Future<String> locate(String name);

  /** Like {@link #locate(String)} but completes with the whole process id. */
  Future<ProcessId> lookup(String name);

  /**
   * Sends {@code message} to the process {@code name} wherever it runs and waits for its reply.
   *
   * @return a future completed with the reply; failed with 404 when no process has that name, the
   *   process's own failure code when it fails the message, 504 when it does not reply in time
   */
  <T> Future<Message<T>> call(String name, Object message);

  /** Like {@link #call(String, Object)} with delivery options (headers, timeout). */
  <T> Future<Message<T>> call(String name, Object message, DeliveryOptions options);

  /**
   * Sends {@code message} to the process {@code name} wherever it runs, without a reply.
   *
   * @return a future completed once the node that runs the process has handed it the message; failed
   *   with 404 when no process has that name
   */
  Future<Void> send(String name, Object message);

  /**
   * @return a spawner of the launcher {@code launcher} (declared with {@code NodeOptions.addLauncher} on
   *   the nodes that may run it); for an invalid launcher name, a spawner whose every call fails with 400
   *   (nothing is thrown)
   */
  Spawner spawner(String launcher);

  /**
   * Offers a daemon launcher on this running node, as {@code NodeOptions.addLauncher} does at start (the
   * Go original's {@code RegisterLauncher}). Every member sees this node offer it (its member entry changes;
   * a {@code updated} membership event is published) and the leader reconciles at once: the daemons its
   * scanner declares are placed on the nodes that offer it, spawners of it may pick this node.
   *
   * @return a future completed once this node offers it and the change is stored in the cluster manager and
   *   told to the members; failed with 400 for an invalid name or a null launcher, 409 when this node
   *   already offers a launcher of that name (nothing changes), 503 when the node is closed or leaving, or
   *   when the cluster manager did not store the change in time (this node offers it already; the change
   *   is stored and told again at the next reconciliation)
   */
  Future<Void> addLauncher(String name, dev.vxext.daemon.Launcher launcher);

  /**
   * Stops offering a daemon launcher on this running node (the Go original's {@code UnregisterLauncher}):
   * nothing new of it is placed here and spawn requests for it are refused (404). The daemons it already
   * started here keep running (they are not moved, and are still stopped when this node fences itself or
   * leaves); a declared daemon of it that stops later is placed again only on a node that still offers the
   * launcher.
   *
   * @return a future completed once the change is stored and told; failed with 400 for an invalid name, 404
   *   when this node offers no launcher of that name, 503 as for {@link #addLauncher}
   */
  Future<Void> removeLauncher(String name);

  /**
   * Asks the leader for a reconciliation now (the Go original's {@code MessageLaunchAllDaemon}): every
   * launcher's recovery scan runs, and every declared daemon that runs nowhere is placed. Rate-limited: a
   * reconciliation asked on demand starts at the earliest 1 s after the previous one started, and every
   * request until then joins it (none is refused). On a follower the request goes to the leader. The same
   * as action {@code scan} on the local address {@code vxext.daemon}.
   *
   * @return a future completed with the reconciliation that started after this call, once it ended;
   *   failed with 503 when no leader is known yet or leadership changes meanwhile (try again soon), 504
   *   when it did not end within {@code settleDelay + failoverDelay + 6 x requestTimeout}
   */
  Future<dev.vxext.daemon.DaemonReconciliation> scanDaemons();

  /**
   * @return a future completed when the process is gone: undeployed, unregistered, or its node left the
   *   cluster (at once when it is already gone); {@link #awaitExitReason} tells why
   */
  Future<Void> awaitExit(ProcessId process);

  /**
   * Like {@link #awaitExit} (the Go original's {@code WaitPID}), and tells why the process is gone.
   *
   * @return a future completed with the reason: {@code UNDEPLOYED}, {@code UNREGISTERED}, {@code NODE_LEFT},
   *   and for a daemon stopped by its node {@code DUPLICATE}, {@code FENCED} or {@code HANDED_OFF} (see
   *   {@link dev.vxext.process.ExitReason}); when it is gone already, at once, with the reason its node
   *   remembers ({@code UNKNOWN} when it does not); failed with 503 when this node closes first
   */
  Future<dev.vxext.process.ExitReason> awaitExitReason(ProcessId process);

  /**
   * @return a future completed with this node's cron jobs: owner node and next fire time of each
   *   (the same as action {@code list} on the local address {@code vxext.cron})
   */
  Future<java.util.List<dev.vxext.cron.CronJobInfo>> cronJobs();

  /**
   * @return the port of this node's admin server (cluster page, JSON API, {@code /metrics},
   *   {@code /health}), or -1 when {@code admin.port} is not set or the node is closed
   */
  int adminPort();

  /**
   * @return the Micrometer registry with this node's {@code vxext.*} meters
   *   ({@link dev.vxext.metrics.MetricNames}), tagged {@code node=<name>}; a Prometheus registry
   */
  io.micrometer.core.instrument.MeterRegistry meterRegistry();

  /** @return true while this node is the leader (a node alone always is) */
  boolean isLeader();

  /**
   * @return the leader's node name when known, else {@code null}. The answer can be stale by the time it
   *   is used; leader commands are fenced by epoch, not by this value.
   */
  String leader();

  /**
   * Undeploys the extensions and closes the Vert.x instance (leaving the cluster). Safe to call twice.
   *
   * @return a future completed when the node is closed
   */
  Future<Void> close();
}
