package dev.vxext.process.impl;

import dev.vxext.protocol.Protocol;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The forwarder's size check of JSON bodies: a bound never below the encoded size, and the limit kept. */
class ForwardedSizeTest {

  private enum Color { RED }

  @Test
  void theBoundIsNeverBelowTheEncodedSize() {
    JsonObject nested = new JsonObject().put("op", "ping").put("payload", "0123456789abcdef")
      .put("escaped", "\u0001\"\\\n\t").put("unicode", "é€😀").put("int", Integer.MIN_VALUE).put("long", Long.MIN_VALUE)
      .put("double", -1.7976931348623157E308).put("float", Float.MIN_VALUE).put("bool", false).putNull("null")
      .put("bytes", new byte[]{1, 2, 3, 4, 5}).put("buffer", Buffer.buffer("hello")).put("instant", Instant.MAX)
      .put("enum", Color.RED).put("map", Map.of("k", List.of(1, "two", 3.0))).put("", new JsonArray());
    List<Object> samples = List.of(new JsonObject(), new JsonArray(), nested,
      new JsonArray().add(nested).add(new JsonArray().add(new JsonObject().put("deep", nested))).addNull());
    for (Object body : samples) {
      long encoded = body instanceof JsonObject j ? j.toBuffer().length() : ((JsonArray) body).toBuffer().length();
      assertThat(Forwarder.jsonBound(body, 0)).as("%s", body).isGreaterThanOrEqualTo(encoded);
      assertThat(Forwarder.size(body)).isGreaterThanOrEqualTo(encoded).isLessThanOrEqualTo(Protocol.MAX_MESSAGE_BYTES);
    }
  }

  @Test
  void aBodyOverTheLimitIsMeasuredExactly() {
    // the bound counts 6 bytes a character: here it exceeds the limit, the encoded size does not
    JsonObject justUnder = new JsonObject().put("s", "a".repeat(Protocol.MAX_MESSAGE_BYTES / 2));
    assertThat(Forwarder.size(justUnder)).isEqualTo(justUnder.toBuffer().length()).isLessThan(Protocol.MAX_MESSAGE_BYTES);
    JsonArray over = new JsonArray().add("a".repeat(Protocol.MAX_MESSAGE_BYTES));
    assertThat(Forwarder.size(over)).isGreaterThan(Protocol.MAX_MESSAGE_BYTES);
    // a value of a type the walk does not know is measured encoded
    JsonObject other = new JsonObject().put("big", new java.math.BigDecimal("1".repeat(100)));
    assertThat(Forwarder.jsonBound(other, 0)).isEqualTo(-1);
    assertThat(Forwarder.size(other)).isEqualTo(other.toBuffer().length());
  }
}
