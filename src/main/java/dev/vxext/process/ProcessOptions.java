package dev.vxext.process;

import dev.vxext.config.Deployables;
import dev.vxext.config.JsonFields;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A plain named process declared in the node options (key {@code processes}): registered on the node when
 * it starts, as {@code node.register(name, verticle, deploymentOptions)} would, with {@code config} as the
 * verticle's config. JSON: {@code {"name": "greeter", "verticle": "com.example.Greeter", "config": {...},
 * "deploymentOptions": {...}}}.
 * <p>
 * A data object: setters validate and throw {@link IllegalArgumentException} naming the process;
 * {@link #validate()} (called when it is added to {@code NodeOptions}) resolves the class, so a class that is
 * missing or not a verticle is refused when the options are read, before anything starts.
 */
public class ProcessOptions {

  /** The JSON keys of a process. */
  public static final List<String> KEYS = List.of("name", "verticle", "config", "deploymentOptions");

  private String name;
  private String verticle;
  private JsonObject config;
  private JsonObject deploymentOptions;

  public ProcessOptions() {
  }

  /** A process {@code name} running a new instance of class {@code verticle}. */
  public ProcessOptions(String name, String verticle) {
    setName(name);
    setVerticle(verticle);
  }

  /** Copy constructor. */
  public ProcessOptions(ProcessOptions other) {
    this.name = other.name;
    this.verticle = other.verticle;
    this.config = other.config == null ? null : other.config.copy();
    this.deploymentOptions = other.deploymentOptions == null ? null : other.deploymentOptions.copy();
  }

  /**
   * Reads a process from JSON (keys as in {@link #toJson()}) strictly: an unknown key is refused with the
   * nearest known one, a value of the wrong type naming the key; {@code config} is the user's (any JSON
   * object), {@code deploymentOptions} is read by Vert.x (its {@code instances} checked here).
   *
   * @throws IllegalArgumentException naming the process and the problem
   */
  public ProcessOptions(JsonObject json) {
    Objects.requireNonNull(json, "json");
    Object declared = json.getValue("name");
    if (declared == null) {
      throw new IllegalArgumentException("process name is missing");
    }
    if (!(declared instanceof String n)) {
      throw new IllegalArgumentException("process name must be a string, got " + JsonFields.render(declared));
    }
    setName(n);
    JsonFields f = JsonFields.within(json, where()).allowOnly(KEYS);
    if (!f.has("verticle")) {
      throw problem("\"verticle\" (a class name) is required");
    }
    setVerticle(f.string("verticle"));
    if (f.has("config") && json.getValue("config") != null) {
      setConfig(f.object("config"));
    }
    if (f.has("deploymentOptions") && json.getValue("deploymentOptions") != null) {
      setDeploymentOptions(f.object("deploymentOptions"));
    }
  }

  /** @return the process as JSON */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("name", name).put("verticle", verticle);
    if (config != null) json.put("config", config.copy());
    if (deploymentOptions != null) json.put("deploymentOptions", deploymentOptions.copy());
    return json;
  }

  /** @return the process name */
  public String getName() {
    return name;
  }

  /**
   * Sets the process name: 1 to 128 characters of {@code [A-Za-z0-9._@-]}, not starting with a reserved
   * prefix ({@code vxext.}, {@code __vertx.}). @return this
   */
  public ProcessOptions setName(String name) {
    String problem = ProcessNames.registrationProblem(name);
    if (problem != null) {
      throw new IllegalArgumentException("process name " + problem);
    }
    this.name = name;
    return this;
  }

  /** @return the verticle's class name */
  public String getVerticle() {
    return verticle;
  }

  /**
   * Sets the fully qualified name of the verticle class (a public, concrete {@link Deployable} with a
   * public no-argument constructor; resolved by {@link #validate()}). @return this
   */
  public ProcessOptions setVerticle(String verticle) {
    if (verticle == null || verticle.isBlank()) {
      throw problem("\"verticle\" (a class name) is required");
    }
    if (!verticle.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*")) {
      throw problem("verticle '" + verticle + "' is not a class name");
    }
    this.verticle = verticle;
    return this;
  }

  /** @return the verticle's config (a copy), or null */
  public JsonObject getConfig() {
    return config == null ? null : config.copy();
  }

  /** Sets the verticle's config (any JSON object; null for none). @return this */
  public ProcessOptions setConfig(JsonObject config) {
    if (config != null && deploymentOptions != null && deploymentOptions.containsKey("config")) {
      throw bothConfigs();
    }
    this.config = config == null ? null : config.copy();
    return this;
  }

  /** @return the Vert.x deployment options JSON (a copy), or null */
  public JsonObject getDeploymentOptions() {
    return deploymentOptions == null ? null : deploymentOptions.copy();
  }

  /**
   * Sets Vert.x {@code DeploymentOptions} JSON ({@code instances}, {@code threadingModel}...), read by
   * Vert.x; {@code instances} must be at least 1. The config goes in {@link #setConfig}, or here, not in
   * both. Null for the defaults.
   *
   * @return this
   */
  public ProcessOptions setDeploymentOptions(JsonObject deploymentOptions) {
    if (deploymentOptions != null) {
      Deployables.deploymentOptions(where(), deploymentOptions.copy());
      if (config != null && deploymentOptions.containsKey("config")) {
        throw bothConfigs();
      }
    }
    this.deploymentOptions = deploymentOptions == null ? null : deploymentOptions.copy();
    return this;
  }

  /** As {@link #setDeploymentOptions(JsonObject)}, from Vert.x's options. @return this */
  public ProcessOptions setDeploymentOptions(DeploymentOptions deploymentOptions) {
    return setDeploymentOptions(deploymentOptions == null ? null : deploymentOptions.toJson());
  }

  /**
   * Checks the process is complete and its class can be deployed.
   *
   * @throws IllegalArgumentException naming the process: no name, no verticle, the class not found, not a
   *   concrete verticle, or without a public no-argument constructor
   */
  public void validate() {
    if (name == null) throw new IllegalArgumentException("process name is missing");
    if (verticle == null) throw problem("\"verticle\" (a class name) is required");
    Deployables.factory(where(), verticle);
  }

  /**
   * @return a factory of the verticle's instances
   * @throws IllegalArgumentException as {@link #validate()}
   */
  public Supplier<? extends Deployable> factory() {
    validate();
    return Deployables.factory(where(), verticle);
  }

  /** @return the options to deploy it with: {@code deploymentOptions} with {@code config} */
  public DeploymentOptions deployment() {
    DeploymentOptions d = deploymentOptions == null ? new DeploymentOptions()
      : Deployables.deploymentOptions(where(), deploymentOptions.copy());
    if (config != null) {
      d.setConfig(config.copy());
    }
    return d;
  }

  private String where() {
    return "process '" + name + "'";
  }

  private IllegalArgumentException problem(String what) {
    return new IllegalArgumentException(where() + ": " + what);
  }

  private IllegalArgumentException bothConfigs() {
    return problem("give the config as \"config\" or as \"deploymentOptions.config\", not both");
  }

  @Override
  public String toString() {
    return "ProcessOptions" + toJson().encode();
  }
}
