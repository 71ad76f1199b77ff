package dev.vxext.daemon.impl;

import dev.vxext.runtime.NodeRuntime;
import dev.vxext.addressbook.NodeEntry;
import dev.vxext.addressbook.impl.MembershipView;
import dev.vxext.daemon.Spawner;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessNames;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * {@link Spawner}: looks the name up cluster-wide first (idempotent), then asks the node the ring picks
 * among the nodes offering the launcher. That node refuses a second copy of a name it already runs, and
 * two callers racing on one name pick the same node, so they get the same process.
 */
public final class SpawnerImpl implements Spawner {

  private final NodeRuntime runtime;
  private final String launcher;
  private final long timeout;

  public SpawnerImpl(NodeRuntime runtime, String launcher) {
    this.runtime = runtime;
    this.launcher = launcher;
    this.timeout = runtime.settings().requestTimeout();
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
    JsonObject config = args == null ? new JsonObject() : args;
    return runtime.lookup(name, timeout).recover(t -> {
      if (!Protocol.hasCode(t, Protocol.NOT_FOUND)) {
        return Future.failedFuture(t);
      }
      String target = runtime.settings().placement().choose(name, eligible);
      return DaemonVerticle.spawnRequest(runtime, target, launcher, name, config, 0, timeout);
    });
  }
}
