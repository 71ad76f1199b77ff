package dev.vxext.impl;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Defaults for slf4j-simple that never override what the user configured. slf4j-simple reads its settings
 * from system properties first, then from {@code simplelogger.properties} on the class path; a key set in
 * either counts as configured and is left alone.
 * <p>
 * slf4j-simple reads its global settings ({@code defaultLogLevel}, {@code showDateTime},
 * {@code dateTimeFormat}, {@code showShortLogName}) once, when SLF4J binds to it (the first logger anywhere
 * in the JVM), and the level of a logger when that logger is created: a default set later applies only to
 * loggers created later.
 * <p>
 * The rule for the library ({@link #quietZookeeperClientEnvironment()}): when slf4j-simple is the SLF4J
 * provider and no level is configured for {@code org.apache.zookeeper.ZooKeeper} or a parent of it
 * ({@code org.apache.zookeeper}, {@code org.apache}, {@code org}), the library sets
 * {@code org.slf4j.simpleLogger.log.org.apache.zookeeper.ZooKeeper=warn} before it creates its first
 * ZooKeeper client: ZooKeeper's client then does not dump the JVM's environment (about 30 INFO lines of
 * {@code Client environment:...}). Nothing else is changed, and nothing at all with another SLF4J provider
 * (configure that logger in logback, log4j2... yourself).
 */
public final class SimpleLoggerDefaults {

  /** Prefix of every slf4j-simple setting. */
  public static final String PREFIX = "org.slf4j.simpleLogger.";
  /** Prefix of a logger's level setting: {@code org.slf4j.simpleLogger.log.<logger>}. */
  public static final String LEVEL_PREFIX = PREFIX + "log.";
  /** The logger of ZooKeeper's client class, which logs the client environment at INFO. */
  public static final String ZOOKEEPER_CLIENT_LOGGER = "org.apache.zookeeper.ZooKeeper";
  private static final String FILE = "simplelogger.properties";
  private static final String SIMPLE_LOGGER_FACTORY = "org.slf4j.simple.SimpleLoggerFactory";

  private SimpleLoggerDefaults() {
  }

  /** @return true when {@code key} is a system property or a key of {@code simplelogger.properties} */
  public static boolean configured(String key) {
    return System.getProperty(key) != null || FileSettings.PROPERTIES.containsKey(key);
  }

  /** Sets the system property {@code key} to {@code value} unless {@link #configured(String) configured}. */
  public static void setDefault(String key, String value) {
    if (!configured(key)) {
      System.setProperty(key, value);
    }
  }

  /** Sets the level of {@code logger} unless a level is configured for it (its parents do not count). */
  public static void setLevel(String logger, String level) {
    setDefault(LEVEL_PREFIX + logger, level);
  }

  /** @return true when a level is configured for {@code logger} or one of its parents */
  public static boolean levelConfigured(String logger) {
    String name = logger;
    while (true) {
      if (configured(LEVEL_PREFIX + name)) return true;
      int dot = name.lastIndexOf('.');
      if (dot < 0) return false;
      name = name.substring(0, dot);
    }
  }

  /**
   * Keeps ZooKeeper's client from logging the JVM's environment, by the rule of the class comment. Call it
   * before the first ZooKeeper client is created; afterwards it changes nothing.
   */
  public static void quietZookeeperClientEnvironment() {
    if (!SIMPLE_LOGGER_FACTORY.equals(org.slf4j.LoggerFactory.getILoggerFactory().getClass().getName())) return;
    if (levelConfigured(ZOOKEEPER_CLIENT_LOGGER)) return;
    System.setProperty(LEVEL_PREFIX + ZOOKEEPER_CLIENT_LOGGER, "warn");
  }

  /** {@code simplelogger.properties}, found as slf4j-simple finds it; read once. */
  private static final class FileSettings {
    static final Properties PROPERTIES = load();

    private static Properties load() {
      Properties p = new Properties();
      ClassLoader tccl = Thread.currentThread().getContextClassLoader();
      try (InputStream in = tccl != null ? tccl.getResourceAsStream(FILE) : ClassLoader.getSystemResourceAsStream(FILE)) {
        if (in != null) p.load(in);
      } catch (IOException | IllegalArgumentException e) {
        // unreadable: slf4j-simple ignores it too
      }
      return p;
    }
  }
}
