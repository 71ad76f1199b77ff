package dev.vxext;

import dev.vxext.testing.EchoProcess;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the node's futures complete: on the calling verticle's context inside a verticle (its state stays
 * single-threaded), and without a context elsewhere, so that a chain ending with {@code node::close} (which
 * closes the node's own Vert.x and its event loops) still completes: the README's Quick start does this.
 */
class NodeFutureContextTest {

  @Test
  void aChainStartedInStartsCallbackAndEndingWithCloseCompletes() throws Exception {
    CompletableFuture<String> outcome = new CompletableFuture<>();
    ClusterNode.start(new NodeOptions().setNodeName("chain-1")).compose(node ->
        node.register("chain.echo", EchoProcess::new, new DeploymentOptions())
          .compose(pid -> node.locate("chain.echo"))
          .compose(where -> node.<Object>call("chain.echo", "hi"))
          .eventually(node::close))
      .onComplete(ar -> outcome.complete(ar.succeeded() ? "completed" : String.valueOf(ar.cause())));
    assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo("completed");
  }

  @Test
  void insideAVerticleTheFuturesCompleteOnItsContext() throws Exception {
    ClusterNode node = ClusterNode.start(new NodeOptions().setNodeName("chain-2")).toCompletionStage()
      .toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      node.register("chain.echo", EchoProcess::new, new DeploymentOptions()).toCompletionStage()
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
      CompletableFuture<Boolean> sameContext = new CompletableFuture<>();
      node.vertx().deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          Context mine = context;
          node.locate("chain.echo").compose(where -> node.call("chain.echo", "hi"))
            .onComplete(ar -> sameContext.complete(ar.succeeded() && Vertx.currentContext() == mine));
          return Future.succeededFuture();
        }
      });
      assertThat(sameContext.get(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      node.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
