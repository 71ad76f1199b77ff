package dev.vxext.config;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;

/**
 * One JSON object of the configuration, read strictly: {@link #allowOnly} refuses a key that is not
 * known, naming it, where it is and the nearest known key; the typed readers refuse a value of the wrong
 * JSON type, and a number that is not an integer, naming the key and the value found. Every refusal is an
 * {@link IllegalArgumentException} with a one-line message.
 * <p>
 * An integer too large for the property is handed to its setter saturated (so the setter's range check
 * refuses it); the setter's message then ends with {@code ", got <the JSON value>"} (replacing the setter's
 * own {@code ", got ..."}), so a port of 4294975376 is reported as such, not as the value it would have
 * overflowed to.
 */
public final class JsonFields {

  private final JsonObject json;
  private final String where;
  private final String prefix;

  private JsonFields(JsonObject json, String where, String prefix) {
    this.json = Objects.requireNonNull(json, "json");
    this.where = where;
    this.prefix = prefix;
  }

  /** @return the top-level object of the node options: keys are named as they are */
  public static JsonFields top(JsonObject json) {
    return new JsonFields(json, "top level", "");
  }

  /** @return the object under the top-level key {@code name}: keys are named {@code name.key} */
  public static JsonFields nested(JsonObject json, String name) {
    return new JsonFields(json, name, name + ".");
  }

  /** @return an object described by {@code context} (e.g. {@code cron job 'x'}): keys are named {@code context: key} */
  public static JsonFields within(JsonObject json, String context) {
    return new JsonFields(json, context, context + ": ");
  }

  /**
   * @param where how the object is named in an unknown-key message
   * @param prefix what precedes a key's name in a value's message
   * @return an object named as given
   */
  public static JsonFields of(JsonObject json, String where, String prefix) {
    return new JsonFields(json, where, prefix);
  }

  /** @return how a key of this object is named in messages */
  public String label(String key) {
    return prefix + key;
  }

  /** @return true when the key is present (even with a null value) */
  public boolean has(String key) {
    return json.containsKey(key);
  }

  /**
   * Refuses every key not in {@code known}.
   *
   * @return this
   * @throws IllegalArgumentException {@code <where>: unknown key 'k' — did you mean 'K'?}, or the known
   *   keys when none is close
   */
  public JsonFields allowOnly(Collection<String> known) {
    for (String key : json.fieldNames()) {
      if (!known.contains(key)) {
        throw new IllegalArgumentException(where + ": " + unknownKey(key, known));
      }
    }
    return this;
  }

  /** @return {@code unknown key 'k' — did you mean 'K'?} or {@code unknown key 'k' (known keys: ...)} */
  public static String unknownKey(String key, Collection<String> known) {
    String near = nearest(key, known);
    return near != null ? "unknown key '" + key + "' — did you mean '" + near + "'?"
      : "unknown key '" + key + "' (known keys: " + String.join(", ", known) + ")";
  }

  /**
   * @return the known key nearest to {@code key} (case-insensitive edit distance, a transposition
   *   counting as one edit), or null when none is reasonably close: at most 1 edit for keys of up to 4
   *   characters, 2 up to 8, 3 beyond
   */
  public static String nearest(String key, Collection<String> known) {
    String k = key.toLowerCase(Locale.ROOT);
    int limit = k.length() <= 4 ? 1 : k.length() <= 8 ? 2 : 3;
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int d = distance(k, candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return bestDistance <= limit ? best : null;
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) d[i][0] = i;
    for (int j = 0; j <= b.length(); j++) d[0][j] = j;
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  /** Reads a string (null refused) into {@code setter} when the key is present. */
  public void string(String key, Consumer<String> setter) {
    if (has(key)) setter.accept(string(key));
  }

  /** Reads a string or null into {@code setter} when the key is present. */
  public void nullableString(String key, Consumer<String> setter) {
    if (has(key)) setter.accept(json.getValue(key) == null ? null : string(key));
  }

  /** @return the string under {@code key} */
  public String string(String key) {
    Object v = json.getValue(key);
    if (v instanceof String s) return s;
    throw typeError(key, "a string", v);
  }

  /** Reads a boolean into {@code setter} when the key is present. */
  public void bool(String key, Consumer<Boolean> setter) {
    if (!has(key)) return;
    Object v = json.getValue(key);
    if (!(v instanceof Boolean b)) throw typeError(key, "true or false", v);
    setter.accept(b);
  }

  /** Reads a JSON object (null refused) into {@code setter} when the key is present. */
  public void object(String key, Consumer<JsonObject> setter) {
    if (has(key)) setter.accept(object(key));
  }

  /** @return the JSON object under {@code key} */
  public JsonObject object(String key) {
    Object v = json.getValue(key);
    if (v instanceof JsonObject o) return o;
    throw typeError(key, "a JSON object", v);
  }

  /** @return the JSON array under {@code key} */
  public JsonArray array(String key) {
    Object v = json.getValue(key);
    if (v instanceof JsonArray a) return a;
    throw typeError(key, "a JSON array", v);
  }

  /** Reads an integer into an {@code int} setter when the key is present (see the class comment). */
  public void int32(String key, IntConsumer setter) {
    if (!has(key)) return;
    Object v = json.getValue(key);
    long l = integer(key, v);
    int i = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, l));
    applyNumber(v, () -> setter.accept(i));
  }

  /** Reads an integer into a {@code long} setter when the key is present (see the class comment). */
  public void int64(String key, LongConsumer setter) {
    if (!has(key)) return;
    Object v = json.getValue(key);
    long l = integer(key, v);
    applyNumber(v, () -> setter.accept(l));
  }

  private static void applyNumber(Object raw, Runnable set) {
    try {
      set.run();
    } catch (IllegalArgumentException e) {
      // the setter saw the saturated value: report the JSON one
      String message = String.valueOf(e.getMessage());
      int got = message.lastIndexOf(", got ");
      throw new IllegalArgumentException((got >= 0 ? message.substring(0, got) : message) + ", got " + render(raw), e);
    }
  }

  /**
   * @return {@code v} as a long, saturated at the bounds of long when it is larger
   * @throws IllegalArgumentException when {@code v} is not a number or not an integer
   */
  public long integer(String key, Object v) {
    if (!(v instanceof Number n)) throw typeError(key, "a number", v);
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      return n.longValue();
    }
    BigDecimal d;
    try {
      d = n instanceof BigDecimal b ? b : n instanceof BigInteger b ? new BigDecimal(b) : new BigDecimal(n.toString());
    } catch (NumberFormatException e) { // NaN, infinity
      throw typeError(key, "an integer", v);
    }
    if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) throw typeError(key, "an integer", v);
    if (d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) return Long.MAX_VALUE;
    if (d.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) < 0) return Long.MIN_VALUE;
    return d.longValueExact();
  }

  /** @return {@code <key> must be <expected>, got <value as JSON>} */
  public IllegalArgumentException typeError(String key, String expected, Object value) {
    return new IllegalArgumentException(label(key) + " must be " + expected + ", got " + render(value));
  }

  /** @return {@code value} as it reads in JSON: strings quoted, null as null */
  public static String render(Object value) {
    if (value instanceof BigDecimal || value instanceof BigInteger || value instanceof Number) {
      return value.toString();
    }
    String s = Json.encode(value);
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }
}
