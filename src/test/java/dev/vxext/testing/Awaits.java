package dev.vxext.testing;

import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polling helpers (no sleeps). */
public final class Awaits {

  private Awaits() {
  }

  /** Polls every 10 ms until {@code condition} holds, failing after {@code atMost}. */
  public static void until(Duration atMost, Callable<Boolean> condition) {
    Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(10)).pollDelay(Duration.ZERO)
      .ignoreExceptions().until(condition);
  }
}
