package dev.vxext.whereis.impl;

import dev.vxext.process.ProcessId;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The compact forms of directory entries and locate answers: round trips, and malformed input refused. */
class WireTest {

  private static final ProcessId LANED = new ProcessId("node-1", "worker.A", "dep-1", 1_700_000_000_000L, 7, 3);
  private static final ProcessId PLAIN = new ProcessId("node-1", "worker.B", "dep-2", 1_700_000_000_001L, 8);

  @Test
  void entriesRoundTripWithAndWithoutALane() {
    JsonArray ups = Wire.encodeUps(List.of(LANED, PLAIN));
    assertThat(ups.getJsonArray(0).size()).isEqualTo(5);
    assertThat(ups.getJsonArray(1).size()).as("no lane, no fifth element").isEqualTo(4);
    assertThat(Wire.decode("node-1", ups, true)).containsExactly(LANED, PLAIN);
    assertThat(Wire.hash(LANED)).isNotEqualTo(Wire.hash(new ProcessId("node-1", "worker.A", "dep-1", 1_700_000_000_000L, 7)));
  }

  @Test
  void aMalformedEntryIsABadRequest() {
    JsonArray negativeLane = new JsonArray().add(new JsonArray().add("w").add("d").add(1).add(1).add(-5));
    assertThatThrownBy(() -> Wire.decode("node-1", negativeLane, true)).isInstanceOf(ReplyException.class)
      .hasMessageContaining("malformed directory entry #0");
  }

  @Test
  void locateAnswersRoundTrip() {
    assertThat(Wire.decodeAnswer("worker.A", Wire.encodeAnswer(LANED))).isEqualTo(LANED);
    assertThat(Wire.decodeAnswer("worker.B", Wire.encodeAnswer(PLAIN))).isEqualTo(PLAIN);
    // the JSON answer of an older owner
    assertThat(Wire.decodeAnswer("worker.A", LANED.toJson())).isEqualTo(LANED);
    assertThat(Wire.decodeAnswer("worker.B", new JsonObject().put("node", "node-1").put("name", "worker.B")
      .put("deploymentId", "dep-2").put("startedAt", 1_700_000_000_001L).put("seq", 8))).isEqualTo(PLAIN);
  }

  @Test
  void malformedLocateAnswersAreRefused() {
    for (Object bad : new Object[] {null, 42, "", "node-1", "node-1|dep|1|2", "node-1|dep|x|2|0", "node-1|dep|1|2|0|9",
      "|dep|1|2|0", "node-1|dep|1|2|-7"}) {
      assertThatThrownBy(() -> Wire.decodeAnswer("w", bad)).as(String.valueOf(bad)).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
