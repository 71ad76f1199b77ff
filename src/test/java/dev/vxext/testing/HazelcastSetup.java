package dev.vxext.testing;

/** What a test on Hazelcast sets before any Hazelcast class loads. */
public final class HazelcastSetup {

  private HazelcastSetup() {
  }

  /**
   * Logs through SLF4J, and only errors (the --add-opens and "CP Subsystem is not enabled" warnings are
   * expected in tests); a member waits 1 s, not 5, before it sends its join request.
   */
  public static void quietAndQuick() {
    System.setProperty("hazelcast.logging.type", "slf4j");
    System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "error");
    System.setProperty("hazelcast.wait.seconds.before.join", "1");
  }
}
