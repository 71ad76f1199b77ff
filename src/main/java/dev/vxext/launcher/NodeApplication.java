package dev.vxext.launcher;

import dev.vxext.NodeOptions;
import dev.vxext.impl.ZookeeperProbe;
import io.vertx.core.VertxException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The main class of the fat jar: {@code java -jar vertx-cluster-extensions-<v>-fat.jar -conf node.json}
 * runs a node; {@code ... zookeeper [--port 2181] [--dir <dataDir>]} runs a {@link DevZookeeper development
 * ZooKeeper}; {@code -help} and {@code -version} need nothing else.
 * <p>
 * The {@code -conf} JSON is the {@link NodeOptions} JSON (node name, ZooKeeper hosts, launchers by
 * verticle class, cron jobs), with the {@link EnvOverrides overrides} ({@code VXEXT_<KEY>} environment
 * variables, {@code -Dvxext.<key>} system properties) applied. It is read and checked before Vert.x starts:
 * a missing or invalid configuration prints one line to stderr and exits with code 2, and so does a
 * ZooKeeper that cannot be reached within {@link dev.vxext.impl.ZookeeperConfig#REACH_TIMEOUT} ms (or the
 * session timeout, when shorter). A configuration with ZooKeeper hosts starts a clustered node
 * ({@code -cluster} is implied; {@code -cluster-host}/{@code -cluster-port} work the Vert.x way). The node
 * itself runs in {@link NodeLauncher}; SIGTERM closes it gracefully.
 * <p>
 * This class creates no logger and does not extend the Vert.x launcher (whose class creates one when it is
 * initialised): {@link LauncherLogging} must configure slf4j-simple before the first logger exists.
 */
public final class NodeApplication {

  private static final Set<String> HELP = Set.of("-h", "-help", "--help");
  private static final Set<String> VERSION = Set.of("-version", "--version");
  /** Options of Vert.x 4's launcher for its HA mode, which Vert.x 5's launcher does not have. */
  private static final Set<String> HA = Set.of("ha", "hagroup", "quorum");

  private NodeApplication() {
  }

  /**
   * Runs a node (or {@code zookeeper}, {@code -help}, {@code -version}); exits with 0 on a clean stop, 2 for
   * bad input or an unreachable ZooKeeper (one line on stderr starting with {@code vxext:}), the Vert.x
   * launcher's codes otherwise.
   */
  public static void main(String[] args) {
    LauncherLogging.configure();
    int code = run(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** @return the exit code: 0 once a node runs, help was printed or the development ZooKeeper stopped */
  private static int run(String[] args) {
    if (args.length > 0 && args[0].equals(DevZookeeper.COMMAND)) {
      return DevZookeeper.run(Arrays.copyOfRange(args, 1, args.length));
    }
    List<String> list = Arrays.asList(args);
    if (list.stream().anyMatch(HELP::contains)) {
      LauncherHelp.printHelp(System.out);
      return 0;
    }
    if (list.stream().anyMatch(VERSION::contains)) {
      LauncherHelp.printVersion(System.out);
      return 0;
    }
    NodeOptions options;
    try {
      options = options(args, System.getenv(), systemProperties());
      if (options.isClustered() && !options.isHazelcast()) {
        // before Vert.x and its cluster manager start: an unreachable ZooKeeper is one line, not 20 s of retries
        ZookeeperProbe.check(options);
      }
    } catch (IllegalArgumentException | VertxException e) {
      System.err.println("vxext: " + e.getMessage());
      return 2;
    }
    List<String> effective = new ArrayList<>(list);
    if (options.isClustered() && !effective.contains("-cluster") && !effective.contains("--cluster") && !effective.contains("-c")) {
      effective.add(0, "-cluster");
    }
    return new NodeLauncher(effective.toArray(new String[0]), options).launch();
  }

  private static Map<String, String> systemProperties() {
    Map<String, String> properties = new HashMap<>();
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith(EnvOverrides.PROPERTY_PREFIX)) properties.put(name, System.getProperty(name));
    }
    return properties;
  }

  /**
   * Reads the node options from the {@code -conf} argument (a file or inline JSON) and the overrides.
   *
   * @param env the environment ({@code VXEXT_*} variables)
   * @param properties the system properties ({@code vxext.*})
   * @throws IllegalArgumentException with a one-line explanation
   */
  static NodeOptions options(String[] args, Map<String, String> env, Map<String, String> properties) {
    String conf = null;
    boolean clusterFlag = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String name = a.replaceFirst("^--?", "").replaceFirst("=.*$", "").toLowerCase(Locale.ROOT);
      if (a.startsWith("-") && HA.contains(name)) {
        throw new IllegalArgumentException("-" + name + ": Vert.x 5's launcher has no HA; declare daemons in the"
          + " configuration instead (launchers): when a node dies, the elected leader restarts its daemons on another node");
      }
      if (a.equals("-conf") || a.equals("--conf")) {
        if (i + 1 >= args.length) throw new IllegalArgumentException("-conf needs a file name or a JSON object");
        conf = args[++i];
      } else if (a.startsWith("-conf=") || a.startsWith("--conf=")) {
        conf = a.substring(a.indexOf('=') + 1);
      } else if (a.equals("-cluster") || a.equals("--cluster") || a.equals("-c")) {
        clusterFlag = true;
      } else if (name.equals("instances") && a.startsWith("-")) {
        String value = a.contains("=") ? a.substring(a.indexOf('=') + 1) : i + 1 < args.length ? args[++i] : "";
        if (!value.trim().equals("1")) {
          throw new IllegalArgumentException("-instances " + value + ": a node runs once per process (one name, one"
            + " leader election, one admin server); start one process per node, or deploy your own verticles with"
            + " more instances");
        }
      }
    }
    if (conf == null) {
      throw new IllegalArgumentException("no configuration: pass -conf <file.json> (see conf/ for examples, -help for the options)");
    }
    JsonObject json = EnvOverrides.apply(ConfReader.read(conf), env, properties);
    NodeOptions options = new NodeOptions(json);
    options.validate();
    if (clusterFlag && !options.isClustered()) {
      throw new IllegalArgumentException("-cluster needs \"zookeeperHosts\" (or VXEXT_ZOOKEEPER_HOSTS), or \"clusterManager\": \"hazelcast\", in the configuration");
    }
    return options;
  }
}
