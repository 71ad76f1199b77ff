package dev.vxext.demo;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Helpers of {@link FailoverDemo}: person-readable tables, durations, one-line error descriptions and
 * bounded waits (futures with a timeout, polls with short sleeps).
 */
final class DemoTables {

  /** The pause between two polls of a condition, ms. */
  static final long POLL_MS = 20;

  private DemoTables() {
  }

  /** Prints a step header. */
  static void step(PrintStream out, String title) {
    out.println();
    out.println("== " + title + " ==");
  }

  /** Prints {@code rows} under {@code header} as an ASCII table; a null cell prints as "-". */
  static void table(PrintStream out, String[] header, List<String[]> rows) {
    int[] width = new int[header.length];
    for (int i = 0; i < header.length; i++) {
      width[i] = header[i].length();
      for (String[] row : rows) {
        width[i] = Math.max(width[i], cell(row, i).length());
      }
    }
    StringBuilder sep = new StringBuilder("+");
    for (int w : width) {
      sep.append("-".repeat(w + 2)).append('+');
    }
    out.println(sep);
    out.println(line(header, width));
    out.println(sep);
    for (String[] row : rows) {
      out.println(line(row, width));
    }
    out.println(sep);
  }

  private static String cell(String[] row, int i) {
    return i < row.length && row[i] != null ? row[i] : "-";
  }

  private static String line(String[] cells, int[] width) {
    StringBuilder sb = new StringBuilder("|");
    for (int i = 0; i < width.length; i++) {
      String c = cell(cells, i);
      sb.append(' ').append(c).append(" ".repeat(width[i] - c.length())).append(" |");
    }
    return sb.toString();
  }

  /** @return {@code nanos} as milliseconds, e.g. "5123 ms" */
  static String ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos) + " ms";
  }

  /** @return {@code nanos} as seconds with one decimal, e.g. "5.1 s" */
  static String seconds(long nanos) {
    return String.format("%.1f s", nanos / 1e9);
  }

  /** @return a one-line description of a failure (the reply code first for a {@link ReplyException}) */
  static String describe(Throwable t) {
    if (t instanceof ReplyException re) {
      return "failure " + re.failureCode() + ": " + re.getMessage();
    }
    if (t instanceof IllegalStateException && t.getMessage() != null) {
      return t.getMessage();
    }
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : ": " + message.split("\n")[0]);
  }

  /**
   * Blocks the calling thread (never an event loop) for a future, at most {@code timeoutMs}.
   *
   * @throws IllegalStateException saying {@code what} failed or timed out
   */
  static <T> T await(Future<T> future, long timeoutMs, String what) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + ": " + describe(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + ": no answer within " + timeoutMs + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + ": interrupted", e);
    }
  }

  /** Like {@link #await} but answers {@code null} instead of throwing on a failure or timeout. */
  static <T> T awaitOrNull(Future<T> future, long timeoutMs) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Polls {@code condition} every {@link #POLL_MS} ms until it holds.
   *
   * @throws IllegalStateException when it does not hold within {@code timeoutMs}
   */
  static void until(String what, long timeoutMs, BooleanSupplier condition) {
    if (!poll(timeoutMs, condition)) {
      throw new IllegalStateException("timed out after " + timeoutMs / 1000 + " s waiting until " + what);
    }
  }

  /** Polls {@code condition} every {@link #POLL_MS} ms for at most {@code timeoutMs}. @return whether it held */
  static boolean poll(long timeoutMs, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    long maxPolls = timeoutMs / POLL_MS + 1;
    for (long i = 0; i < maxPolls && System.nanoTime() < deadline; i++) {
      if (condition.getAsBoolean()) {
        return true;
      }
      pause();
    }
    return condition.getAsBoolean();
  }

  /** Sleeps {@link #POLL_MS} ms (a bounded polling pause). */
  static void pause() {
    try {
      Thread.sleep(POLL_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
