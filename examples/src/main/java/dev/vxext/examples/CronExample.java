package dev.vxext.examples;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.cron.CronJob;
import dev.vxext.cron.CronScope;
import dev.vxext.process.ProcessVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * Cluster cron: a nightly {@code CLUSTER} job (one node per tick) and a {@code NODE} job every second (every
 * node that declares it). Runs alone until the first sweep, then prints the jobs.
 */
public class CronExample {

  /** The trigger process of {@code cache.sweep}: tells the example when a tick arrived. */
  public static class Sweeper extends ProcessVerticle {
    @Override
    protected void handle(Message<Object> message) {
      JsonObject tick = (JsonObject) message.body();
      System.out.println("sweeper got tick " + tick.getLong("scheduledAt") + " of " + tick.getString("job"));
      vertx.eventBus().send("example.swept", tick.getString("job"));
      if (message.replyAddress() != null) {
        message.reply(null);
      }
    }
  }

  public static void main(String[] args) {
    NodeOptions options = new NodeOptions().setNodeName("node-1");
    // tag::cron[]
    options.addCronJob(new CronJob("report.nightly", "30 2 * * *", "reporter")  // Unix 5 fields
        .setZone("Europe/Berlin"));                                               // default scope CLUSTER
    options.addCronJob(new CronJob().setName("cache.sweep").setDialect("quartz")
        .setSpec("* * * * * ?").setTriggerProcess("sweeper").setScope(CronScope.NODE));
    // end::cron[]
    ClusterNode.start(options).compose(node -> {
      Promise<Void> swept = Promise.promise();
      node.vertx().eventBus().consumer("example.swept", m -> swept.tryComplete());
      return node.register("sweeper", Sweeper::new, new DeploymentOptions())
        .compose(pid -> swept.future())
        // tag::jobs[]
        .compose(v -> node.cronJobs())   // each job with its owner and next fire time (also: vxext.cron, "list")
        // end::jobs[]
        .onSuccess(jobs -> jobs.forEach(job -> System.out.println(
          "job " + job.name() + " (" + job.scope() + ") on " + job.owner() + ", fired " + job.fired())))
        .eventually(node::close);
    })
      .onSuccess(v -> System.out.println("done"))
      .onFailure(e -> System.err.println("cron example failed: " + e.getMessage()));
  }
}
