package dev.vxext.daemon.impl;

import dev.vxext.runtime.NodeRuntime;
import dev.vxext.addressbook.NodeEntry;
import dev.vxext.addressbook.impl.MembershipView;
import dev.vxext.daemon.Spawner;
import dev.vxext.daemon.SupervisedSpawn;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessNames;
import dev.vxext.protocol.Action;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * {@link Spawner}: records the spawn cluster-wide ({@link SpawnRecords}), looks the name up (idempotent),
 * then asks the node the ring picks among the nodes offering the launcher. That node refuses a second copy
 * of a name it already runs, and two callers racing on one name pick the same node, so they get the same
 * process. {@code stop} removes the record first, then asks the node running the process to undeploy it.
 */
public final class SpawnerImpl implements Spawner {

  private final NodeRuntime runtime;
  private final String launcher;
  private final long timeout;
  private final SpawnRecords records;

  public SpawnerImpl(NodeRuntime runtime, String launcher) {
    this.runtime = runtime;
    this.launcher = launcher;
    this.timeout = runtime.settings().requestTimeout();
    this.records = new SpawnRecords(runtime.vertx(), timeout);
  }

  @Override
  public String launcher() {
    return launcher;
  }

  @Override
  public Future<ProcessId> spawnRegister(String name, JsonObject args) {
    String problem = ProcessNames.registrationProblem(name);
    if (problem != null) {
      return Future.failedFuture(Protocol.failure(Protocol.BAD_REQUEST, "invalid process name: name " + problem));
    }
    MembershipView view = runtime.view();
    List<String> eligible = view.placeable(n -> n.offers(launcher));
    if (eligible.isEmpty()) {
      List<String> offering = view.nodes().stream().filter(n -> n.offers(launcher)).map(NodeEntry::name).toList();
      return Future.failedFuture(offering.isEmpty()
        ? Protocol.failure(Protocol.NOT_FOUND, "no node offers launcher '" + launcher + "'")
        : Protocol.failure(Protocol.NOT_READY, "every node offering launcher '" + launcher + "' is leaving ("
          + String.join(", ", offering) + "); try again soon"));
    }
    SupervisedSpawn mine = new SupervisedSpawn(name, launcher, args, SpawnHost.localPolicy(runtime.vertx(), launcher),
      System.currentTimeMillis());
    return records.create(mine).compose(record -> {
      if (!record.launcher().equals(launcher)) {
        return Future.failedFuture(Protocol.failure(Protocol.CONFLICT, "'" + name + "' is a supervised spawn of launcher '"
          + record.launcher() + "', not '" + launcher + "': stop it there first"));
      }
      boolean created = record.since() == mine.since() && record.restart() == mine.restart();
      return runtime.lookup(name, timeout).recover(t -> {
        if (!Protocol.hasCode(t, Protocol.NOT_FOUND)) {
          return Future.failedFuture(t);
        }
        String target = runtime.settings().placement().choose(name, eligible);
        return DaemonVerticle.spawnRequest(runtime, target, launcher, name, record.args(), 0, timeout)
          // its start failed for good: nothing is left supervised; unknown outcome: the leader places it
          .recover(f -> created && definitive(f) ? records.remove(record).transform(ar -> Future.failedFuture(f))
            : Future.failedFuture(f));
      });
    });
  }

  /** @return true for a failure of the target itself (refused input, the verticle's start failed), not of the way there */
  private static boolean definitive(Throwable t) {
    if (!(t instanceof ReplyException r) || r.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      return false;
    }
    int code = r.failureCode();
    return code == Protocol.BAD_REQUEST || code == Protocol.NOT_FOUND || code == 500;
  }

  @Override
  public Future<Void> stop(String name) {
    String problem = ProcessNames.problem(name);
    if (problem != null) {
      return Future.failedFuture(Protocol.failure(Protocol.BAD_REQUEST, "invalid process name: name " + problem));
    }
    return records.get(name).compose(record -> {
      if (record != null && !record.launcher().equals(launcher)) {
        return Future.failedFuture(Protocol.failure(Protocol.CONFLICT, "'" + name + "' is a supervised spawn of launcher '"
          + record.launcher() + "', not '" + launcher + "': not stopped"));
      }
      Future<Boolean> removed = record == null ? Future.succeededFuture(false) : records.remove(record);
      // the record first: a leader that finds the name missing from now on does not start it again
      return removed.compose(r -> runtime.lookup(name, timeout)).transform(ar -> {
        if (ar.failed()) {
          return Protocol.hasCode(ar.cause(), Protocol.NOT_FOUND) ? Future.succeededFuture() : Future.failedFuture(ar.cause());
        }
        ProcessId pid = ar.result();
        DeliveryOptions o = new DeliveryOptions().addHeader(Protocol.ACTION_HEADER, Action.DAEMON_STOP.wire()).setSendTimeout(timeout);
        JsonObject body = new JsonObject().put("launcher", launcher).put("name", name).put("deploymentId", pid.deploymentId());
        return runtime.peers().<JsonObject>request(runtime.vertx(), pid.node(), Protocol.nodeAddress(pid.node()), body, o).mapEmpty();
      });
    });
  }

  @Override
  public Future<List<SupervisedSpawn>> list() {
    return records.all().map(all -> all.stream().filter(s -> s.launcher().equals(launcher)).toList());
  }
}
