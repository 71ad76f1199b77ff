package dev.vxext.examples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A new user's first run: the README's Quick start, Daemons and Cron code (these files) run as they are,
 * from the installed library, on a node alone, and print what they did.
 */
class ExamplesTest {

  private final PrintStream original = System.out;
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

  @BeforeEach
  void capture() {
    System.setOut(new PrintStream(new TeeStream(original, printed), true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(original);
  }

  private List<String> lines() {
    return Arrays.asList(printed.toString(StandardCharsets.UTF_8).split("\\R"));
  }

  private List<String> runUntilDone(Runnable main) {
    main.run();
    await().atMost(Duration.ofSeconds(60)).until(() -> lines().contains("done"));
    return lines();
  }

  @Test
  void quickStartPrintsWhatItDid() {
    List<String> lines = runUntilDone(() -> QuickStart.main(new String[0]));
    assertThat(lines).containsSubsequence(
      "worker.A runs on node-1",
      "worker.A got {\"job\":7}",
      "worker.A replied {\"done\":{\"job\":7},\"by\":\"worker.A\"}",
      "done");
  }

  @Test
  void daemonsExampleSpawnsAndTheLeaderPlacesTheScannedDaemons() {
    List<String> lines = runUntilDone(() -> DaemonsExample.main(new String[0]));
    assertThat(lines).anyMatch(l -> l.startsWith("worker.C runs as ") && l.endsWith("the leader is node-1"));
    assertThat(lines).contains("worker.C got shard?", "worker.C replied {\"done\":\"shard?\",\"by\":\"worker.C\"}",
      "worker.A runs on node-1", "report.daily runs on node-1", "supervised: [worker.C]", "done");
    assertThat(lines).anyMatch(l -> l.matches("\\d+ declared, \\d+ running"));
    // stop ended worker.C before the node closed: its registration went with its deployment
    assertThat(lines).contains("worker.C is gone: UNDEPLOYED");
  }

  @Test
  void cronExampleReceivesATickAndListsItsJobs() {
    List<String> lines = runUntilDone(() -> CronExample.main(new String[0]));
    assertThat(lines).anyMatch(l -> l.startsWith("sweeper got tick ") && l.endsWith(" of cache.sweep"));
    assertThat(lines).anyMatch(l -> l.startsWith("job cache.sweep (NODE) on node-1, fired "));
    assertThat(lines).contains("job report.nightly (CLUSTER) on node-1, fired 0", "done");
  }

  /** Writes to the console and to the captured bytes. */
  private static final class TeeStream extends java.io.OutputStream {
    private final PrintStream console;
    private final ByteArrayOutputStream copy;

    TeeStream(PrintStream console, ByteArrayOutputStream copy) {
      this.console = console;
      this.copy = copy;
    }

    @Override
    public synchronized void write(int b) {
      console.write(b);
      copy.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      console.write(b, off, len);
      copy.write(b, off, len);
    }
  }
}
