package dev.vxext.examples;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.process.ProcessVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

public class QuickStart {

  /** A named process: it consumes on the local event-bus address of its name. */
  public static class Worker extends ProcessVerticle {
    @Override
    protected void handle(Message<Object> message) {
      System.out.println(name() + " got " + message.body());
      message.reply(new JsonObject().put("done", message.body()).put("by", name()));
    }
  }

  public static void main(String[] args) {
    // a node alone; add .setZookeeperHosts("127.0.0.1:2181") to join a cluster
    NodeOptions options = new NodeOptions().setNodeName("node-1");    // unique in the cluster
    ClusterNode.start(options).compose(node ->
      node.register("worker.A", Worker::new, new DeploymentOptions())        // a named process
        .compose(pid -> node.locate("worker.A"))                             // works from any node
        .compose(where -> {
          System.out.println("worker.A runs on " + where);
          return node.<JsonObject>call("worker.A", new JsonObject().put("job", 7));
        })
        .compose(reply -> {
          System.out.println("worker.A replied " + reply.body());
          return node.send("worker.A", "fire and forget");                   // one way, no reply
        })
        .eventually(node::close))               // stops its processes, leaves, closes its Vert.x
      .onSuccess(v -> System.out.println("done"))
      .onFailure(e -> System.err.println("quick start failed: " + e.getMessage()));
  }
}
