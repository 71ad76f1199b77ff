package dev.vxext.examples;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import dev.vxext.cluster.ClusterManagers;
import dev.vxext.process.ProcessVerticle;
import dev.vxext.process.Processes;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;

/**
 * Running a node inside a Vert.x application you build yourself: your clustered Vert.x (your cluster
 * manager, wrapped), {@link ClusterNode#deploy} for the whole Java API, a verticle of yours that registers
 * itself, and the event-bus API for code that does not use the Java one. Public API only.
 */
public final class EmbeddingExample {

  /** A verticle of the application that registers itself under the name in its config. */
  public static class Inventory extends ProcessVerticle {
    @Override
    public String name() {
      return config().getString("name");
    }

    @Override
    protected Future<?> onStart() {
      return Processes.registerSelf(context, name());
    }

    @Override
    protected void handle(Message<Object> message) {
      message.reply(new JsonObject().put("stock", 42));
    }
  }

  private EmbeddingExample() {
  }

  /**
   * Starts a clustered Vert.x the usual way, runs a node on it and deploys an application verticle.
   *
   * @return the node, once everything runs
   */
  public static Future<ClusterNode> start(String zookeeperHosts, String rootPath, String nodeName) {
    // tag::embedding[]
    JsonObject zkConfig = new JsonObject().put("zookeeperHosts", zookeeperHosts).put("rootPath", rootPath);
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1");
    return Vertx.builder().with(options).withClusterManager(ClusterManagers.wrap(new ZookeeperClusterManager(zkConfig)))
      .buildClustered()
      .compose(vertx -> ClusterNode.deploy(vertx, new NodeOptions().setNodeName(nodeName).setSyncInterval(500))
        .compose(node -> vertx.deployVerticle(Inventory::new,
            new DeploymentOptions().setConfig(new JsonObject().put("name", "inventory." + nodeName)))
          .map(id -> node)));
    // end::embedding[]
  }

  /** Locates a process over the event-bus API, as an application without the Java API would. */
  public static Future<String> locate(Vertx vertx, String name) {
    DeliveryOptions locate = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "locate");
    return vertx.eventBus().<JsonObject>request(WhereIs.ADDRESS, new JsonObject().put("name", name), locate)
      .map(reply -> reply.body().getString("node"));
  }

  /** The same through the Java API of the node running on {@code vertx}, from code inside the application. */
  public static Future<String> locateWithTheJavaApi(Vertx vertx, String name) {
    // tag::of[]
    // code running inside the application (a verticle of yours) finds the node of its Vert.x
    return ClusterNode.of(vertx).map(node -> node.locate(name))
      .orElse(Future.failedFuture("the cluster extensions do not run on this Vert.x instance"));
    // end::of[]
  }
}
