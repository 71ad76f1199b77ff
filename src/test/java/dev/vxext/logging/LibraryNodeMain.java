package dev.vxext.logging;

import dev.vxext.ClusterNode;
import dev.vxext.NodeOptions;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

/**
 * A program that uses the library (not the launcher): {@code ClusterNode.start} with the {@link NodeOptions}
 * JSON of its first argument; prints {@code library node started} and runs until killed.
 */
public final class LibraryNodeMain {

  private LibraryNodeMain() {
  }

  public static void main(String[] args) throws Exception {
    ClusterNode.start(new NodeOptions(new JsonObject(args[0]))).toCompletionStage().toCompletableFuture()
      .get(60, TimeUnit.SECONDS);
    System.out.println("library node started");
  }
}
