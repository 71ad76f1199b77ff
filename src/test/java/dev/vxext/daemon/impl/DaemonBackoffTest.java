package dev.vxext.daemon.impl;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The crash-loop backoff, without a cluster: exponential, capped, jittered, forgotten on success. */
class DaemonBackoffTest {

  @Test
  void delaysDoubleUpToTheCap() {
    assertThat(DaemonBackoff.delay(1)).isEqualTo(1_000);
    assertThat(DaemonBackoff.delay(2)).isEqualTo(2_000);
    assertThat(DaemonBackoff.delay(3)).isEqualTo(4_000);
    assertThat(DaemonBackoff.delay(6)).isEqualTo(32_000);
    assertThat(DaemonBackoff.delay(7)).isEqualTo(60_000);
    assertThat(DaemonBackoff.delay(1_000)).isEqualTo(60_000);
  }

  @Test
  void aFailedDaemonWaitsWithJitterThenStartsAfresh() {
    DaemonBackoff b = new DaemonBackoff(new Random(7));
    long now = 1_000_000;
    assertThat(b.waiting("d", now)).isNull();
    for (int i = 1; i <= 8; i++) {
      DaemonBackoff.Entry e = b.failed("d", "start failed", now);
      long wait = e.retryAt() - now;
      long base = DaemonBackoff.delay(i);
      assertThat(e.failures()).isEqualTo(i);
      assertThat(wait).isBetween(base * 80 / 100, base * 120 / 100);
      assertThat(b.waiting("d", now + 1)).isEqualTo(e);
      assertThat(b.waiting("d", e.retryAt())).isNull();
      assertThat(b.waitingCount(now)).isEqualTo(1);
      assertThat(b.nextRetryAt(now)).isEqualTo(e.retryAt());
      now = e.retryAt();
    }
    b.running("d");
    assertThat(b.waiting("d", now)).isNull();
    assertThat(b.failed("d", "again", now).failures()).isEqualTo(1);
  }
}
