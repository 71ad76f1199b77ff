package dev.vxext.config;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks the {@code eventBusOptions} passthrough before Vert.x reads it. Vert.x's generated converter
 * skips a key it does not know and a value of the wrong type without a word, so {@code "SSL": true} or
 * {@code "ssl": "true"} gave a plaintext event bus from a file that looks secure. Here every key must be
 * an {@link EventBusOptions} property (the keys {@code new EventBusOptions().toJson()} writes, those it
 * leaves out while unset, and the TLS keys {@code TCPSSLOptions(JsonObject)} reads) with a value of the
 * property's JSON type; {@code ssl: true} needs a key/certificate option.
 */
public final class EventBusJson {

  /** The TLS key/certificate options Vert.x reads from JSON. */
  public static final String KEY_CERT_KEYS = "pemKeyCertOptions, pfxKeyCertOptions or keyStoreOptions";

  private static final Map<String, Class<?>> KEYS;
  /** Names that look right but that Vert.x does not read: what to write instead. */
  private static final Map<String, String> HINTS = Map.of(
    "jksOptions", "keyStoreOptions",
    "keyCertOptions", "pemKeyCertOptions', 'pfxKeyCertOptions' or 'keyStoreOptions",
    "trustOptions", "pemTrustOptions', 'pfxTrustOptions' or 'trustStoreOptions",
    "jksTrustOptions", "trustStoreOptions",
    "pfxOptions", "pfxKeyCertOptions' or 'pfxTrustOptions");

  static {
    Map<String, Class<?>> keys = new LinkedHashMap<>();
    new EventBusOptions().toJson().forEach(e -> keys.put(e.getKey(), e.getValue() == null ? Object.class : e.getValue().getClass()));
    // left out of toJson while unset
    keys.put("host", String.class);
    keys.put("clusterPublicHost", String.class);
    keys.put("clusterPublicPort", Integer.class);
    keys.put("clusterNodeMetadata", JsonObject.class);
    // read by TCPSSLOptions(JsonObject) itself
    for (String tls : new String[] {"pemKeyCertOptions", "keyStoreOptions", "pfxKeyCertOptions", "pemTrustOptions",
      "pfxTrustOptions", "trustStoreOptions", "jdkSslEngineOptions", "openSslEngineOptions"}) {
      keys.put(tls, JsonObject.class);
    }
    KEYS = Collections.unmodifiableMap(keys);
  }

  private EventBusJson() {
  }

  /** @return the keys accepted in {@code eventBusOptions}, with the JSON type of their values */
  public static Map<String, Class<?>> keys() {
    return KEYS;
  }

  /**
   * @param json the {@code eventBusOptions} JSON
   * @throws IllegalArgumentException naming the key: unknown (with the nearest known one), of the wrong
   *   type, refused by Vert.x, or {@code ssl} true without a key/certificate
   */
  public static void check(JsonObject json) {
    JsonFields f = JsonFields.nested(json, "eventBusOptions");
    for (String key : json.fieldNames()) {
      if (!KEYS.containsKey(key)) {
        String hint = HINTS.get(key);
        throw new IllegalArgumentException("eventBusOptions: " + (hint == null ? JsonFields.unknownKey(key, KEYS.keySet())
          : "unknown key '" + key + "' — did you mean '" + hint + "'?"));
      }
    }
    for (Map.Entry<String, Class<?>> e : KEYS.entrySet()) {
      if (json.containsKey(e.getKey())) {
        checkType(f, e.getKey(), e.getValue(), json.getValue(e.getKey()));
      }
    }
    EventBusOptions options;
    try {
      options = new EventBusOptions(json);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("eventBusOptions: " + e.getMessage(), e);
    }
    if (options.isSsl() && options.getKeyCertOptions() == null) {
      throw new IllegalArgumentException("eventBusOptions.ssl is true but no key/certificate is configured (" + KEY_CERT_KEYS + ")");
    }
  }

  private static void checkType(JsonFields f, String key, Class<?> type, Object value) {
    if (type == Boolean.class) {
      if (!(value instanceof Boolean)) throw f.typeError(key, "true or false", value);
    } else if (type == Integer.class) {
      long l = f.integer(key, value);
      if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) throw f.typeError(key, "an integer of 32 bits", value);
    } else if (type == Long.class) {
      long l = f.integer(key, value);
      if (l == Long.MIN_VALUE || l == Long.MAX_VALUE) throw f.typeError(key, "an integer of 64 bits", value);
    } else if (key.equals("clientAuth")) {
      if (!(value instanceof String s) || Arrays.stream(ClientAuth.values()).noneMatch(a -> a.name().equals(s))) {
        throw f.typeError(key, "one of NONE, REQUEST, REQUIRED", value);
      }
    } else if (type == String.class) {
      if (!(value instanceof String)) throw f.typeError(key, "a string", value);
    } else if (type == JsonArray.class) {
      if (!(value instanceof JsonArray)) throw f.typeError(key, "a JSON array", value);
    } else if (type == JsonObject.class) {
      if (!(value instanceof JsonObject)) throw f.typeError(key, "a JSON object", value);
    }
  }
}
