package dev.vxext.examples;

import dev.vxext.ExtensionsVerticle;
import dev.vxext.NodeOptions;
import dev.vxext.addressbook.impl.LocalMapAddressBook;
import dev.vxext.process.ProcessVerticle;
import dev.vxext.process.Processes;
import dev.vxext.whereis.WhereIs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;

/**
 * Adding the extensions to a Vert.x application you build yourself: deploy {@link ExtensionsVerticle}
 * next to your verticles, let a verticle register itself, and locate it over the event bus.
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
   * Starts a clustered Vert.x the usual way, adds the extensions and an application verticle.
   *
   * @return the Vert.x instance, once everything runs
   */
  public static Future<Vertx> start(String zookeeperHosts, String rootPath, String nodeName) {
    JsonObject zkConfig = new JsonObject().put("zookeeperHosts", zookeeperHosts).put("rootPath", rootPath);
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1");
    return Vertx.builder().with(options).withClusterManager(new ZookeeperClusterManager(zkConfig)).buildClustered()
      .compose(vertx -> vertx.deployVerticle(new ExtensionsVerticle(new NodeOptions().setNodeName(nodeName)
          .setZookeeperHosts(zookeeperHosts).setZookeeperRootPath(rootPath).setSyncInterval(500)))
        .compose(id -> vertx.deployVerticle(Inventory::new,
          new io.vertx.core.DeploymentOptions().setConfig(new JsonObject().put("name", "inventory." + nodeName))))
        .map(id -> vertx));
  }

  /** Locates a process over the event bus API, as an application without our Java API would. */
  public static Future<String> locate(Vertx vertx, String name) {
    DeliveryOptions locate = new DeliveryOptions().addHeader(WhereIs.ACTION_HEADER, "locate");
    return vertx.eventBus().<JsonObject>request(WhereIs.ADDRESS, new JsonObject().put("name", name), locate)
      .map(reply -> reply.body().getString("node"));
  }

  /** The same through the Java address book. */
  public static Future<String> locateWithTheBook(Vertx vertx, String name) {
    return LocalMapAddressBook.lookup(vertx, name, 5_000).map(p -> p.node());
  }
}
