package dev.vxext.daemon;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * A daemon verticle that hands state to its successor when it is moved in a planned way: its node leaves
 * gracefully ({@code ClusterNode.close()}, SIGTERM through the launcher, undeploying the extensions). Before
 * the daemon is stopped, {@link #handOff()} is called on its context; the JSON object it returns is stored in
 * the cluster manager (map {@code vxext.handoffs}) and its successor, wherever the leader places it, finds it
 * in {@code config().getJsonObject("handoff")} ({@value #CONFIG_KEY}; the key replaces one of the same name in
 * the daemon's args).
 * <p>
 * Bounds: at most {@value #MAX_BYTES} bytes of encoded JSON (a larger state is refused: logged, and the
 * successor starts without one); {@link #handOff()} must complete within a quarter of the request timeout
 * (else no state). A crash, a {@code kill -9}, a node cut off from ZooKeeper that fences itself, a daemon
 * that ends on its own or is stopped by {@link Spawner#stop}: none hands anything off, the successor starts
 * without a {@value #CONFIG_KEY} key. The state reaches the successor when the leaving node's notice reached
 * the leader that places it (it is sent to every member); a state nobody takes is ignored after
 * {@value #MAX_AGE_MS} ms. With {@code instances > 1}, the first instance's state is handed off.
 */
public interface DaemonHandOff {

  /** The key of {@code config()} where a successor finds the state handed to it. */
  String CONFIG_KEY = "handoff";
  /** The largest state handed off, in bytes of encoded JSON (64 KiB). */
  int MAX_BYTES = 64 * 1024;
  /** How long a stored state waits for its successor, ms (10 minutes). */
  long MAX_AGE_MS = 600_000;

  /**
   * Called on the daemon's context when it is about to be stopped for a planned move (before {@code stop()}).
   *
   * @return a future completed with the state for its successor, or with null for none
   */
  Future<JsonObject> handOff();
}
