package dev.vxext.admin;

import dev.vxext.config.JsonFields;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Options of a node's admin HTTP server (the cluster page, the JSON API, {@code /metrics} and
 * {@code /health}). Off unless a port is set. JSON keys: {@code port}, {@code host}, {@code token}.
 * <p>
 * Bound to {@value #DEFAULT_HOST} by default. With a token, every request but {@code /health} and the
 * page's static files needs the header {@code Authorization: Bearer <token>}; a host other than a
 * loopback address requires a token.
 */
public class AdminOptions {

  /** Port value meaning "no admin server". */
  public static final int DISABLED = -1;
  /** Default bind address: loopback only. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Shortest token accepted. */
  public static final int MIN_TOKEN_LENGTH = 16;
  private static final List<String> KEYS = List.of("port", "host", "token");
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1", "[::1]");

  private int port = DISABLED;
  private String host = DEFAULT_HOST;
  private String token;

  /** Disabled admin server. */
  public AdminOptions() {
  }

  /** Copy constructor. */
  public AdminOptions(AdminOptions other) {
    this.port = other.port;
    this.host = other.host;
    this.token = other.token;
  }

  /**
   * Reads the options from JSON; a missing key keeps its default.
   *
   * @throws IllegalArgumentException when a value is invalid or of the wrong type, naming the key
   */
  public AdminOptions(JsonObject json) {
    Objects.requireNonNull(json, "json");
    JsonFields f = JsonFields.nested(json, "admin").allowOnly(KEYS);
    f.int32("port", this::setPort);
    f.string("host", this::setHost);
    f.nullableString("token", this::setToken);
  }

  /** @return the keys of the admin JSON object: {@code port}, {@code host}, {@code token} */
  public static List<String> jsonKeys() {
    return KEYS;
  }

  /** @return as JSON (the token included: do not log it) */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("port", port).put("host", host);
    if (token != null) json.put("token", token);
    return json;
  }

  /** @return true when the admin server is to run */
  public boolean isEnabled() {
    return port != DISABLED;
  }

  /** @return the port, {@value #DISABLED} when off, 0 for any free port */
  public int getPort() {
    return port;
  }

  /**
   * Sets the port of the admin server: 1–65535, 0 for any free port (see {@code ClusterNode.adminPort()}),
   * {@value #DISABLED} for none.
   *
   * @return this
   */
  public AdminOptions setPort(int port) {
    if (port < DISABLED || port > 65_535) {
      throw new IllegalArgumentException("admin.port must be between 0 and 65535 (or -1 for none), got " + port);
    }
    this.port = port;
    return this;
  }

  /** @return the bind address */
  public String getHost() {
    return host;
  }

  /** Sets the bind address (default {@value #DEFAULT_HOST}). @return this */
  public AdminOptions setHost(String host) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("admin.host must not be empty");
    }
    this.host = host;
    return this;
  }

  /** @return the bearer token, or null */
  public String getToken() {
    return token;
  }

  /**
   * Sets the bearer token the API and {@code /metrics} require (at least {@value #MIN_TOKEN_LENGTH}
   * characters, no spaces); null for none (only allowed on a loopback host).
   *
   * @return this
   */
  public AdminOptions setToken(String token) {
    if (token != null && (token.length() < MIN_TOKEN_LENGTH || !token.matches("\\S+"))) {
      throw new IllegalArgumentException("admin.token must be at least " + MIN_TOKEN_LENGTH + " characters without spaces");
    }
    this.token = token;
    return this;
  }

  /**
   * Checks the options as a whole.
   *
   * @throws IllegalArgumentException when the server would listen beyond loopback without a token
   */
  public void validate() {
    if (isEnabled() && token == null && !LOOPBACK.contains(host)) {
      throw new IllegalArgumentException("admin.token is required when admin.host (" + host + ") is not a loopback address");
    }
  }

  @Override
  public String toString() {
    return "AdminOptions{port=" + port + ", host=" + host + ", token=" + (token == null ? "none" : "***") + "}";
  }
}
