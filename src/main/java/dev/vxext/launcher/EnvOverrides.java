package dev.vxext.launcher;

import dev.vxext.NodeOptions;
import dev.vxext.admin.AdminOptions;
import dev.vxext.config.JsonFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The launcher's overrides of the {@code -conf} JSON, one rule for every key with a scalar value (string,
 * number, true/false), derived from {@link NodeOptions#jsonKeys()} and, for the {@code admin} object,
 * {@link AdminOptions#jsonKeys()}:
 * <ul>
 *   <li>the environment variable {@code VXEXT_<KEY>}, the key in UPPER_SNAKE ({@code zookeeperRootPath}:
 *   {@code VXEXT_ZOOKEEPER_ROOT_PATH}; {@code admin.port}: {@code VXEXT_ADMIN_PORT});</li>
 *   <li>the system property {@code vxext.<key>} ({@code -Dvxext.sessionTimeout=6000},
 *   {@code -Dvxext.admin.port=8089}).</li>
 * </ul>
 * A system property wins over the environment, which wins over the file. A value is read as the key's JSON
 * type (its type in {@code new NodeOptions().toJson()}; a string when the default is null) and then checked
 * by the same strict reading as the file; a refusal names the variable or property. An unknown
 * {@code VXEXT_*} variable or {@code vxext.*} property is refused with the nearest known one; arrays and
 * objects ({@code launchers}, {@code cronJobs}...) are not overridable.
 */
final class EnvOverrides {

  static final String ENV_PREFIX = "VXEXT_";
  static final String PROPERTY_PREFIX = "vxext.";
  private static final String ADMIN = "admin";

  /** A key's JSON type. */
  enum Kind {
    STRING("string"), NUMBER("number"), BOOLEAN("true/false"), OBJECT("object"), ARRAY("array");

    final String label;

    Kind(String label) {
      this.label = label;
    }

    boolean scalar() {
      return this != OBJECT && this != ARRAY;
    }
  }

  /** A key of the configuration: its path ({@code sessionTimeout}, {@code admin.port}) and JSON type. */
  record Key(String path, Kind kind) {
    /** @return the environment variable that overrides it */
    String env() {
      return ENV_PREFIX + path.replace(".", "_").replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    /** @return the system property that overrides it */
    String property() {
      return PROPERTY_PREFIX + path;
    }
  }

  private EnvOverrides() {
  }

  /** @return every key of the configuration, in the order of {@link NodeOptions#jsonKeys()}, admin's after admin */
  static List<Key> keys() {
    JsonObject defaults = new NodeOptions().toJson();
    JsonObject adminDefaults = new AdminOptions().toJson();
    List<Key> keys = new ArrayList<>();
    for (String key : NodeOptions.jsonKeys()) {
      keys.add(new Key(key, kind(defaults.getValue(key))));
      if (key.equals(ADMIN)) {
        for (String sub : AdminOptions.jsonKeys()) {
          keys.add(new Key(ADMIN + "." + sub, kind(adminDefaults.getValue(sub))));
        }
      }
    }
    return keys;
  }

  private static Kind kind(Object defaultValue) {
    if (defaultValue instanceof JsonObject) return Kind.OBJECT;
    if (defaultValue instanceof JsonArray) return Kind.ARRAY;
    if (defaultValue instanceof Number) return Kind.NUMBER;
    if (defaultValue instanceof Boolean) return Kind.BOOLEAN;
    return Kind.STRING; // a string, or null (nodeName, zookeeperCredentials, admin.token)
  }

  /**
   * @param env the environment ({@code VXEXT_*} entries are read)
   * @param properties the system properties ({@code vxext.*} entries are read)
   * @return a copy of {@code conf} with the overrides applied, each value checked alone
   * @throws IllegalArgumentException one line naming the variable or property
   */
  static JsonObject apply(JsonObject conf, Map<String, String> env, Map<String, String> properties) {
    List<Key> keys = keys();
    Map<String, Key> byEnv = new LinkedHashMap<>();
    Map<String, Key> byProperty = new LinkedHashMap<>();
    keys.forEach(k -> {
      byEnv.put(k.env(), k);
      byProperty.put(k.property(), k);
    });
    JsonObject json = conf.copy();
    // the environment first, the system properties over it
    new TreeMap<>(env).forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX)) set(json, resolve(name, name, byEnv), name, value);
    });
    new TreeMap<>(properties).forEach((name, value) -> {
      if (name.startsWith(PROPERTY_PREFIX)) set(json, resolve(name, "-D" + name, byProperty), "-D" + name, value);
    });
    return json;
  }

  private static Key resolve(String name, String source, Map<String, Key> known) {
    Key key = known.get(name);
    if (key != null && key.kind().scalar()) return key;
    if (key != null) {
      String message = source + ": " + key.path() + " is a JSON " + key.kind().label + " and cannot be overridden; set it in the -conf file";
      if (key.path().equals(ADMIN)) {
        message += ", or override its keys (" + String.join(", ", known.entrySet().stream()
          .filter(e -> e.getValue().path().startsWith(ADMIN + ".")).map(e -> label(e.getKey())).toList()) + ")";
      }
      throw new IllegalArgumentException(message);
    }
    List<String> scalars = known.entrySet().stream().filter(e -> e.getValue().kind().scalar()).map(Map.Entry::getKey).toList();
    String near = JsonFields.nearest(name, scalars);
    throw new IllegalArgumentException(source + ": unknown override" + (near != null ? " — did you mean " + label(near) + "?"
      : " (-help lists them)"));
  }

  private static String label(String name) {
    return name.startsWith(PROPERTY_PREFIX) ? "-D" + name : name;
  }

  private static void set(JsonObject json, Key key, String source, String raw) {
    Object value = convert(key.kind(), raw);
    int dot = key.path().indexOf('.');
    try {
      if (dot < 0) {
        new NodeOptions(new JsonObject().put(key.path(), value)); // the file's strict reading, this key alone
        json.put(key.path(), value);
      } else {
        String parent = key.path().substring(0, dot);
        String sub = key.path().substring(dot + 1);
        new AdminOptions(new JsonObject().put(sub, value));
        JsonObject nested = json.getValue(parent) instanceof JsonObject o ? o.copy() : new JsonObject();
        json.put(parent, nested.put(sub, value));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  /** @return {@code raw} as the JSON type, or the string itself when it is not one (the check then says so) */
  static Object convert(Kind kind, String raw) {
    String s = raw.trim();
    if (kind == Kind.BOOLEAN) {
      return s.equalsIgnoreCase("true") ? Boolean.TRUE : s.equalsIgnoreCase("false") ? Boolean.FALSE : raw;
    }
    if (kind == Kind.NUMBER) {
      try {
        BigDecimal d = new BigDecimal(s);
        if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) return d;
        BigInteger i = d.toBigInteger();
        return i.bitLength() < 64 ? (Object) i.longValue() : i;
      } catch (NumberFormatException e) {
        return raw;
      }
    }
    return raw;
  }
}
