package dev.vxext.cron;

import dev.vxext.config.JsonFields;
import dev.vxext.cron.impl.CronSchedule;
import dev.vxext.process.ProcessNames;
import io.vertx.core.json.JsonObject;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A cron job: on every tick of {@link #getSpec()} (in {@link #getZone()}), a message
 * {@code {job, scheduledAt, firedAt, node, payload}} goes to the process {@link #getTriggerProcess()}.
 * <p>
 * Specs: Unix 5 fields ({@code min hour dom month dow}) by default; with {@code dialect} {@code quartz}
 * (6 or 7 fields, seconds first, {@code ?} for one of day-of-month/day-of-week) or {@code spring}
 * (6 fields, seconds first). Macros {@code @yearly}, {@code @annually}, {@code @monthly}, {@code @weekly},
 * {@code @daily}, {@code @midnight}, {@code @hourly} have their standard meaning in every dialect.
 * A data object: setters validate and throw {@link IllegalArgumentException} naming the job.
 */
public class CronJob {

  /** Default zone: UTC. */
  public static final String DEFAULT_ZONE = "UTC";
  /** Default dialect: unix (5 fields, minute resolution). */
  public static final String DEFAULT_DIALECT = "unix";
  /** Default misfire grace: a tick missed by its owner is still fired by a new owner within 60 s. */
  public static final long DEFAULT_MISFIRE_GRACE = 60_000;
  /** The JSON keys of a job. */
  private static final List<String> KEYS = List.of("name", "spec", "dialect", "zone", "triggerProcess", "scope",
    "delivery", "misfireGrace", "payload");

  private String name;
  private String spec;
  private String dialect = DEFAULT_DIALECT;
  private ZoneId zone = ZoneId.of(DEFAULT_ZONE);
  private String triggerProcess;
  private CronScope scope = CronScope.CLUSTER;
  private CronDelivery delivery = CronDelivery.ROUTED;
  private long misfireGrace = DEFAULT_MISFIRE_GRACE;
  private JsonObject payload;

  public CronJob() {
  }

  /** A job with a name, a spec and the process it triggers; the other options keep their defaults. */
  public CronJob(String name, String spec, String triggerProcess) {
    setName(name);
    setSpec(spec);
    setTriggerProcess(triggerProcess);
  }

  /**
   * Reads a job from JSON (keys as in {@link #toJson()}); an unknown key or a value of the wrong type is
   * refused. {@code payload} is the user's: any JSON object.
   *
   * @throws IllegalArgumentException naming the job and the problem (the key, and the nearest known key for
   *   an unknown one)
   */
  public CronJob(JsonObject json) {
    Object declared = json.getValue("name");
    if (declared != null && !(declared instanceof String)) {
      throw new IllegalArgumentException("cron job name must be a string, got " + JsonFields.render(declared));
    }
    String n = (String) declared;
    setName(n);
    JsonFields f = JsonFields.within(json, "cron job '" + n + "'").allowOnly(KEYS);
    f.string("dialect", this::setDialect);
    f.string("zone", this::setZone);
    f.string("scope", this::setScope);
    f.string("delivery", this::setDelivery);
    f.int64("misfireGrace", this::setMisfireGrace);
    if (f.has("payload") && json.getValue("payload") != null) {
      setPayload(f.object("payload"));
    }
    setTriggerProcess(f.has("triggerProcess") ? f.string("triggerProcess") : null);
    setSpec(f.has("spec") ? f.string("spec") : null);
    validate();
  }

  /** @return the job as JSON */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("name", name).put("spec", spec).put("dialect", dialect)
      .put("zone", zone.getId()).put("triggerProcess", triggerProcess).put("scope", scope.name())
      .put("delivery", delivery.name()).put("misfireGrace", misfireGrace);
    if (payload != null) json.put("payload", payload.copy());
    return json;
  }

  public String getName() {
    return name;
  }

  /** Sets the job name: unique per node, a valid process name. @return this */
  public CronJob setName(String name) {
    String problem = ProcessNames.problem(name);
    if (problem != null) {
      throw new IllegalArgumentException("cron job name " + problem);
    }
    this.name = name;
    return this;
  }

  public String getSpec() {
    return spec;
  }

  /**
   * Sets the cron expression. The dialect may be set before or after it: here the spec is refused when
   * it is a valid expression in no dialect, or when it is valid in the current dialect but never fires
   * (30 February, a year in the past); whether it is valid in the job's final dialect is checked by
   * {@link #validate()} (called when the job is added to {@code NodeOptions} and when it is read from
   * JSON).
   *
   * @throws IllegalArgumentException naming the job: the spec is missing, invalid in every dialect, or never fires
   * @return this
   */
  public CronJob setSpec(String spec) {
    if (spec == null || spec.isBlank()) {
      throw problem("spec is missing");
    }
    CronSchedule schedule = null;
    IllegalArgumentException invalid = null;
    try {
      schedule = CronSchedule.of(spec, dialect, zone);
    } catch (IllegalArgumentException e) {
      invalid = e;
    }
    if (schedule == null && CronSchedule.DIALECTS.stream().noneMatch(d -> parses(spec, d))) {
      throw problem("invalid spec '" + spec + "' (" + dialect + "): " + invalid.getMessage());
    }
    if (schedule != null && schedule.nextAfter(Instant.now()) == null) {
      throw problem("spec '" + spec + "' never fires");
    }
    this.spec = spec;
    return this;
  }

  private static boolean parses(String spec, String dialect) {
    try {
      CronSchedule.parse(spec, dialect);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public String getDialect() {
    return dialect;
  }

  /**
   * Sets the dialect: {@code unix}, {@code quartz} or {@code spring}, before or after the spec (the spec
   * is checked against it by {@link #validate()}). @return this
   */
  public CronJob setDialect(String dialect) {
    String d = dialect == null ? "" : dialect.toLowerCase(Locale.ROOT);
    if (!CronSchedule.DIALECTS.contains(d)) {
      throw problem("unknown dialect '" + dialect + "' (expected one of " + CronSchedule.DIALECTS + ")");
    }
    this.dialect = d;
    return this;
  }

  public ZoneId getZone() {
    return zone;
  }

  /** Sets the time zone of the schedule (an IANA id such as {@code Europe/Berlin}). @return this */
  public CronJob setZone(String zone) {
    try {
      this.zone = ZoneId.of(Objects.requireNonNull(zone, "zone"));
    } catch (DateTimeException | NullPointerException e) {
      throw problem("invalid zone '" + zone + "'");
    }
    return this;
  }

  public String getTriggerProcess() {
    return triggerProcess;
  }

  /** Sets the name of the process that receives each tick. @return this */
  public CronJob setTriggerProcess(String triggerProcess) {
    String p = ProcessNames.problem(triggerProcess);
    if (p != null) {
      throw problem("triggerProcess " + p);
    }
    this.triggerProcess = triggerProcess;
    return this;
  }

  public CronScope getScope() {
    return scope;
  }

  /** Sets the scope. @return this */
  public CronJob setScope(CronScope scope) {
    this.scope = Objects.requireNonNull(scope, "scope");
    return this;
  }

  /** Sets the scope by name, {@code NODE} or {@code CLUSTER} (any case). @return this */
  public CronJob setScope(String scope) {
    try {
      return setScope(CronScope.valueOf(String.valueOf(scope).toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw problem("invalid scope '" + scope + "' (expected NODE or CLUSTER)");
    }
  }

  public CronDelivery getDelivery() {
    return delivery;
  }

  /** Sets where a {@code CLUSTER} job's tick goes (see {@link CronDelivery}; {@code NODE} jobs always fire locally). @return this */
  public CronJob setDelivery(CronDelivery delivery) {
    this.delivery = Objects.requireNonNull(delivery, "delivery");
    return this;
  }

  /** Sets the delivery by name, {@code ROUTED} or {@code OWNER_LOCAL} (any case). @return this */
  public CronJob setDelivery(String delivery) {
    try {
      return setDelivery(CronDelivery.valueOf(String.valueOf(delivery).toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw problem("invalid delivery '" + delivery + "' (expected ROUTED or OWNER_LOCAL)");
    }
  }

  public long getMisfireGrace() {
    return misfireGrace;
  }

  /** Sets how late a missed tick may still be fired, ms (0 to 86400000). @return this */
  public CronJob setMisfireGrace(long misfireGrace) {
    if (misfireGrace < 0 || misfireGrace > 86_400_000) {
      throw problem("misfireGrace must be between 0 and 86400000 ms");
    }
    this.misfireGrace = misfireGrace;
    return this;
  }

  public JsonObject getPayload() {
    return payload;
  }

  /** Sets an optional JSON payload added to every trigger message. @return this */
  public CronJob setPayload(JsonObject payload) {
    this.payload = payload == null ? null : payload.copy();
    return this;
  }

  /**
   * Checks the job is complete, its spec is valid in its dialect and fires at least once more (a spec
   * limited to some years can run out).
   *
   * @throws IllegalArgumentException naming the job: incomplete, its spec invalid in its dialect, or never firing
   */
  public void validate() {
    if (name == null) throw new IllegalArgumentException("cron job name is missing");
    if (spec == null) throw problem("spec is missing");
    if (triggerProcess == null) throw problem("triggerProcess is missing");
    CronSchedule schedule;
    try {
      schedule = CronSchedule.of(spec, dialect, zone);
    } catch (IllegalArgumentException e) {
      throw problem("invalid spec '" + spec + "' (" + dialect + "): " + e.getMessage());
    }
    if (schedule.nextAfter(Instant.now()) == null) {
      throw problem("spec '" + spec + "' never fires");
    }
  }

  private IllegalArgumentException problem(String what) {
    return new IllegalArgumentException("cron job '" + name + "': " + what);
  }
}
