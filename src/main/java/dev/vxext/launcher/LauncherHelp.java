package dev.vxext.launcher;

import dev.vxext.launcher.EnvOverrides.Key;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * What {@code -help} and {@code -version} print (and {@code zookeeper --help}). The configuration keys and
 * their overrides are listed from {@link EnvOverrides#keys()}, so from the keys the configuration reading
 * accepts.
 */
final class LauncherHelp {

  static final String JAR = "java -jar vertx-cluster-extensions-<version>-fat.jar";
  /** Where maven-jar-plugin puts the build's coordinates in the jar (and so in the fat jar). */
  static final String POM_PROPERTIES = "META-INF/maven/dev.vxext/vertx-cluster-extensions/pom.properties";
  /** The file of vertx-core that holds its version (read by {@code VertxInternal.version()}). */
  static final String VERTX_VERSION = "META-INF/vertx/vertx-version.txt";

  private LauncherHelp() {
  }

  static void printHelp(PrintStream out) {
    out.println("Usage:");
    out.println("  " + JAR + " -conf node.json [options]");
    out.println("  " + JAR + " zookeeper [--port 2181] [--dir <dataDir>]");
    out.println();
    out.println("Runs one node of a cluster: its name, its cluster (ZooKeeper or Hazelcast), its daemon launchers,");
    out.println("cron jobs and admin server come from -conf (NodeOptions JSON; examples in conf/). A configuration");
    out.println("with zookeeperHosts (or clusterManager hazelcast) joins the cluster. 'zookeeper' runs a ZooKeeper");
    out.println("for development only (see zookeeper --help).");
    out.println();
    out.println("Options:");
    out.println("  -conf <file|json>            the configuration: a JSON file, or inline JSON (required)");
    out.println("  -cluster-host <host>         event-bus host to bind and advertise (wins over clusterHost)");
    out.println("  -cluster-port <port>         event-bus port (wins over clusterPort)");
    out.println("  -cluster-public-host <host>  event-bus host the other nodes connect to (NAT, containers)");
    out.println("  -cluster-public-port <port>  event-bus port the other nodes connect to");
    out.println("  -options <file|json>         Vert.x options (VertxOptions JSON)");
    out.println("  -cluster                     implied by a configuration that names a cluster");
    out.println("  -h, -help, --help            this help");
    out.println("  -version, --version          the versions of this node and of Vert.x");
    out.println("  Refused: -ha, -hagroup, -quorum (Vert.x 5's launcher has no HA: declare daemons, the elected");
    out.println("  leader restarts them on another node when theirs dies); -instances other than 1 (one node per");
    out.println("  process).");
    out.println();
    out.println("Configuration keys (README: Configuration reference), their JSON type and overrides:");
    for (Key key : EnvOverrides.keys()) {
      String overrides = key.kind().scalar() ? String.format("%-31s -D%s", key.env(), key.property())
        : key.path().equals("admin") ? "(its keys below)" : "(in the -conf file only)";
      out.println(String.format("  %-20s %-10s %s", key.path(), key.kind().label, overrides));
    }
    out.println();
    out.println("Overrides: every key with a string, number or true/false value can be set by");
    out.println("  - the environment variable VXEXT_<KEY>, the key in UPPER_SNAKE (zookeeperRootPath ->");
    out.println("    VXEXT_ZOOKEEPER_ROOT_PATH, admin.port -> VXEXT_ADMIN_PORT);");
    out.println("  - the system property vxext.<key>, before -jar: java -Dvxext.sessionTimeout=6000 -jar ...");
    out.println("  A system property wins over the environment, which wins over the -conf file. Values are read");
    out.println("  as the key's type and checked like the file; an unknown VXEXT_* variable or vxext.* property");
    out.println("  is refused. Keep secrets (admin.token, zookeeperCredentials) out of the file this way.");
    out.println();
    out.println("Logging (slf4j-simple, on stderr): INFO, ZooKeeper and Curator at ERROR; change it with");
    out.println("  -Dorg.slf4j.simpleLogger.defaultLogLevel=<level>, -Dorg.slf4j.simpleLogger.log.<logger>=<level>.");
    out.println();
    out.println("Exit codes: 0 stopped (SIGTERM: the node hands its daemons off and leaves), 2 bad input or");
    out.println("ZooKeeper unreachable (one line starting with 'vxext:'), others from the Vert.x launcher.");
  }

  static void printZookeeperHelp(PrintStream out) {
    out.println("Usage:");
    out.println("  " + JAR + " zookeeper [--port 2181] [--dir <dataDir>]");
    out.println();
    out.println("Runs a ZooKeeper server for development only: a single server on 127.0.0.1, no replication,");
    out.println("no failover. Production needs a ZooKeeper ensemble (3 or 5 servers on separate machines).");
    out.println();
    out.println("  --port <port>   client port on 127.0.0.1 (default " + DevZookeeper.DEFAULT_PORT + "; 0 picks a free one)");
    out.println("  --dir <dir>     data directory, kept at exit (default: a new temporary directory, deleted");
    out.println("                  at exit)");
    out.println();
    out.println("Prints 'vxext: development ZooKeeper listening on 127.0.0.1:<port>' when ready; stops on SIGTERM");
    out.println("or Ctrl-C. Point the nodes at it: \"zookeeperHosts\": \"127.0.0.1:<port>\".");
  }

  /** Prints this node's version and Vert.x's, one line each. */
  static void printVersion(PrintStream out) {
    out.println("vertx-cluster-extensions " + version());
    out.println("Vert.x " + vertxVersion());
  }

  /**
   * @return the version of this build: from its pom.properties in the jar, else from the jar's manifest
   *   ({@code Implementation-Version}), else {@code dev} (classes not from a jar)
   */
  static String version() {
    Properties p = new Properties();
    try (InputStream in = LauncherHelp.class.getClassLoader().getResourceAsStream(POM_PROPERTIES)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException | IllegalArgumentException e) {
      // fall through
    }
    String v = p.getProperty("version");
    if (v == null || v.isBlank()) {
      v = LauncherHelp.class.getPackage().getImplementationVersion();
    }
    return v == null || v.isBlank() ? "dev" : v.trim();
  }

  /** @return the Vert.x version vertx-core states, or {@code unknown} */
  static String vertxVersion() {
    try (InputStream in = LauncherHelp.class.getClassLoader().getResourceAsStream(VERTX_VERSION)) {
      return in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
