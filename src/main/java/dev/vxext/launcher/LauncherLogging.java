package dev.vxext.launcher;

import dev.vxext.impl.SimpleLoggerDefaults;

/**
 * The logging of the launcher (slf4j-simple, in the fat jar): INFO, date and time, short logger names;
 * ZooKeeper and Curator at ERROR (their client logs a WARN with a stack trace on every reconnection attempt,
 * and the node says in one line of its own when ZooKeeper is lost), Netty, vertx-zookeeper and Hazelcast at
 * WARN. A setting given as a system property or in a {@code simplelogger.properties} on the class path wins.
 * <p>
 * Must run before any logger exists: slf4j-simple reads its global settings once, when the first logger is
 * created. {@link NodeApplication} therefore creates none (nor extends the Vert.x launcher, whose class
 * creates one when it is loaded) before {@link #configure()}.
 */
final class LauncherLogging {

  /** The date and time of each line. */
  static final String DATE_TIME_FORMAT = "yyyy-MM-dd HH:mm:ss.SSS";

  private LauncherLogging() {
  }

  static void configure() {
    String p = SimpleLoggerDefaults.PREFIX;
    SimpleLoggerDefaults.setDefault(p + "defaultLogLevel", "info");
    SimpleLoggerDefaults.setDefault(p + "showDateTime", "true");
    SimpleLoggerDefaults.setDefault(p + "dateTimeFormat", DATE_TIME_FORMAT);
    SimpleLoggerDefaults.setDefault(p + "showShortLogName", "true");
    SimpleLoggerDefaults.setLevel("org.apache.zookeeper", "error");
    SimpleLoggerDefaults.setLevel("org.apache.curator", "error");
    SimpleLoggerDefaults.setLevel("io.vertx.spi.cluster.zookeeper", "warn");
    SimpleLoggerDefaults.setLevel("io.netty", "warn");
    // a lost peer: Vert.x logs a stack trace per failed connection attempt; the node's own one line
    // ("node X refuses connections ...: its process is gone") says it once
    SimpleLoggerDefaults.setLevel("io.vertx.core.eventbus.impl.clustered.ClusteredEventBus", "error");
    SimpleLoggerDefaults.setLevel("com.hazelcast", "warn");
    if (System.getProperty("hazelcast.logging.type") == null) {
      System.setProperty("hazelcast.logging.type", "slf4j");
    }
  }
}
