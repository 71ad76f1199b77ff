package dev.vxext.examples;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.daemon.DaemonProcess;
import dev.vxext.daemon.DaemonScanners;
import dev.vxext.daemon.Launcher;
import dev.vxext.daemon.Spawner;
import dev.vxext.daemon.SupervisedSpawn;
import dev.vxext.examples.QuickStart.Worker;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.Supplier;

/**
 * Daemons: a launcher with a recovery scanner (the leader keeps {@code worker.A} and {@code worker.B}
 * running) and a daemon spawned on demand ({@code worker.C}). Runs alone; the same code runs on every node
 * of a cluster.
 */
public class DaemonsExample {

  public static void main(String[] args) {
    // tag::daemons[]
    // on every node that may run workers (the same launcher name everywhere)
    NodeOptions options = new NodeOptions().setNodeName("node-1")     // + setZookeeperHosts(...) in a cluster
      .addLauncher("worker", new Launcher(Worker::new, new DeploymentOptions(),
        // the recovery scanner: which daemons must run (pages of DaemonProcess, e.g. from a database)
        DaemonScanners.of(List.of(new DaemonProcess("worker.A", new JsonObject().put("shard", 1)),
                                  new DaemonProcess("worker.B", new JsonObject().put("shard", 2))))));

    ClusterNode.start(options).compose(node ->
      // start one on demand, anywhere: idempotent by name
      node.spawner("worker").spawnRegister("worker.C", new JsonObject().put("shard", 3))
        .compose(pid -> {
          System.out.println("worker.C runs as " + pid + "; the leader is " + node.leader());
          node.awaitExitReason(pid)                      // completes when it is gone, with why
            .onSuccess(why -> System.out.println("worker.C is gone: " + why));
          return node.<JsonObject>call("worker.C", "shard?");
        })
        // end::daemons[]
        .compose(reply -> {
          System.out.println("worker.C replied " + reply.body());
          // the leader places the scanner's daemons once the cluster view has settled
          return retry(node.vertx(), () -> node.locate("worker.A"), 100);
        })
        .compose(where -> {
          System.out.println("worker.A runs on " + where);
          // tag::runtime[]
          // offer another launcher on this running node; its scanner's daemons are placed at once
          return node.addLauncher("report", new Launcher(Worker::new, new DeploymentOptions(),
              DaemonScanners.singleton("report.daily", new JsonObject())))
            .compose(v -> node.scanDaemons())        // a reconciliation now, on the leader
            .onSuccess(r -> System.out.println(r.declared() + " declared, " + r.running() + " running"))
          // end::runtime[]
            .compose(r -> retry(node.vertx(), () -> node.locate("report.daily"), 100));
        })
        .compose(where -> {
          System.out.println("report.daily runs on " + where);
          // tag::supervised[]
          Spawner workers = node.spawner("worker");
          return workers.list()                               // this launcher's supervised spawns
            .onSuccess(spawns -> System.out.println("supervised: " + spawns.stream().map(SupervisedSpawn::name).toList()))
            .compose(spawns -> workers.stop("worker.C"));     // ends it for good, cluster-wide
          // end::supervised[]
        })
        .compose(v -> node.close()))
      .onSuccess(v -> System.out.println("done"))
      .onFailure(e -> System.err.println("daemons example failed: " + e.getMessage()));
  }

  /** Tries again every 100 ms (at most {@code attempts} times) until the operation succeeds. */
  static <T> Future<T> retry(Vertx vertx, Supplier<Future<T>> operation, int attempts) {
    return operation.get().recover(e -> {
      if (attempts <= 1) {
        return Future.failedFuture(e);
      }
      Promise<T> later = Promise.promise();
      vertx.setTimer(100, t -> retry(vertx, operation, attempts - 1).onComplete(later));
      return later.future();
    });
  }
}
