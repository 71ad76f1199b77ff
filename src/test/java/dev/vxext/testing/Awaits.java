package dev.vxext.testing;

import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** Polling helpers (no sleeps). */
public final class Awaits {

  private Awaits() {
  }

  /** Polls every 10 ms until {@code condition} holds, failing after {@code atMost}. */
  public static void until(Duration atMost, Callable<Boolean> condition) {
    Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(10)).pollDelay(Duration.ZERO)
      .ignoreExceptions().until(condition);
  }

  /**
   * Polls {@code problems} (every 10 ms, its exceptions counting as a problem) until it returns an empty
   * list; fails after {@code atMost} with {@code what} and the last problems it returned.
   *
   * @return the ms it took
   */
  public static long untilNone(Duration atMost, String what, Supplier<List<String>> problems) {
    long start = System.currentTimeMillis();
    List<String> last = new ArrayList<>();
    try {
      Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(10)).pollDelay(Duration.ZERO).until(() -> {
        List<String> now;
        try {
          now = problems.get();
        } catch (RuntimeException e) {
          now = List.of(String.valueOf(e));
        }
        last.clear();
        last.addAll(now);
        return now.isEmpty();
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("not " + what + " within " + atMost.toMillis() + " ms: "
        + last.subList(0, Math.min(12, last.size())) + (last.size() > 12 ? " ... (" + last.size() + ")" : ""), e);
    }
    return System.currentTimeMillis() - start;
  }
}
