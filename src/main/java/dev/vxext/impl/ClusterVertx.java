package dev.vxext.impl;

import dev.vxext.NodeOptions;
import dev.vxext.cron.CronJob;
import dev.vxext.cron.CronScope;
import dev.vxext.cluster.impl.ClusterMembership;
import dev.vxext.cluster.impl.FanOutClusterManager;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.vxext.metrics.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Builds the Vert.x instance of a node: alone, or clustered on ZooKeeper or Hazelcast with the node's
 * name, launchers and cluster cron jobs in its cluster metadata, and a cluster manager that fans node
 * events out.
 */
public final class ClusterVertx {

  /** Prefix of the Hazelcast cluster name; the rest is {@code zookeeperRootPath}. */
  public static final String HAZELCAST_CLUSTER_PREFIX = "vxext-";
  private static final String HAZELCAST_CM = "io.vertx.spi.cluster.hazelcast.HazelcastClusterManager";
  private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|.*:.*");
  /** Ports probed per member listed without a port: hazelcastPort .. hazelcastPort + this - 1. */
  private static final int HAZELCAST_PORT_TRIES = 10;

  private ClusterVertx() {
  }

  /** @return a builder for {@code options}; call {@code buildClustered()} when the options are clustered */
  public static VertxBuilder builder(NodeOptions options, VertxOptions vertxOptions) {
    if (!options.isClustered()) {
      return Vertx.builder().with(vertxOptions);
    }
    // our host/port, then the eventBusOptions passthrough (TLS...) on top, then the metadata
    JsonObject eventBus = vertxOptions.getEventBusOptions().toJson()
      .put("host", options.getClusterHost()).put("port", options.getClusterPort())
      .mergeIn(options.getEventBusOptions());
    if (Boolean.TRUE.equals(options.getEventBusOptions().getValue("ssl")) && !options.getEventBusOptions().containsKey("trustAll")) {
      // Vert.x's event bus trusts every server certificate unless told otherwise (EventBusOptions.DEFAULT_TRUST_ALL):
      // with TLS on, a node checks the certificate of the node it connects to against its trust options
      eventBus.put("trustAll", false);
    }
    vertxOptions.setEventBusOptions(new EventBusOptions(eventBus).setClusterNodeMetadata(metadata(options)));
    ClusterManager cm = options.isHazelcast() ? hazelcast(options) : zookeeper(options);
    return Vertx.builder().with(vertxOptions).withClusterManager(new FanOutClusterManager(cm));
  }

  /** @return a node's meter registry: Prometheus, every meter tagged {@code node=<nodeName>} */
  public static PrometheusMeterRegistry meterRegistry(NodeOptions options) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags(MetricNames.NODE_TAG, options.getNodeName());
    return registry;
  }

  /**
   * With {@link NodeOptions#isVertxMetrics()}: Vert.x's own meters (vertx-micrometer-metrics) are recorded in
   * {@code registry}, next to the node's: the metrics options are enabled and the builder gets a Micrometer
   * metrics factory on that registry. Without it, nothing changes.
   *
   * @return {@code builder}
   */
  public static VertxBuilder vertxMetrics(VertxBuilder builder, VertxOptions vertxOptions, NodeOptions options,
                                          MeterRegistry registry) {
    if (options.isVertxMetrics()) {
      enableVertxMetrics(vertxOptions);
      builder.withMetrics(new MicrometerMetricsFactory(registry));
    }
    return builder;
  }

  /** Enables the metrics in {@code vertxOptions}, keeping Micrometer options given there (with Vert.x's -options). */
  public static void enableVertxMetrics(VertxOptions vertxOptions) {
    vertxOptions.setMetricsOptions(vertxOptions.getMetricsOptions() instanceof MicrometerMetricsOptions m
      ? m.setEnabled(true) : new MicrometerMetricsOptions().setEnabled(true));
  }

  /**
   * ZooKeeper: vertx-zookeeper's own client, or, with {@code zookeeperCredentials}, a Curator client that
   * authenticates with digest credentials and creates every znode with the {@code CREATOR_ALL} ACL, so a
   * client without the credentials can neither read nor write the cluster's znodes.
   */
  private static ClusterManager zookeeper(NodeOptions options) {
    SimpleLoggerDefaults.quietZookeeperClientEnvironment();
    String credentials = options.getZookeeperCredentials();
    if (credentials == null) {
      return new ZookeeperClusterManager(ZookeeperConfig.of(options));
    }
    ACLProvider creatorOnly = new ACLProvider() {
      @Override
      public List<ACL> getDefaultAcl() {
        return ZooDefs.Ids.CREATOR_ALL_ACL;
      }

      @Override
      public List<ACL> getAclForPath(String path) {
        return ZooDefs.Ids.CREATOR_ALL_ACL;
      }
    };
    CuratorFramework curator = CuratorFrameworkFactory.builder()
      .connectString(options.getZookeeperHosts())
      .namespace(options.getZookeeperRootPath())
      .sessionTimeoutMs((int) options.getSessionTimeout())
      .connectionTimeoutMs(ZookeeperConfig.CONNECT_TIMEOUT)
      .retryPolicy(new ExponentialBackoffRetry(100, 5, 10_000))
      .authorization("digest", credentials.getBytes(StandardCharsets.UTF_8))
      .aclProvider(creatorOnly)
      .build();
    curator.start();
    return new ZookeeperClusterManager(curator);
  }

  private static ClusterManager hazelcast(NodeOptions options) {
    try {
      Class.forName(HAZELCAST_CM, false, ClusterVertx.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException("clusterManager \"hazelcast\" needs io.vertx:vertx-hazelcast on the class path", e);
    }
    return new HazelcastClusterManager(hazelcastConfig(options));
  }

  /**
   * The Hazelcast configuration of a node: vertx-hazelcast's own (its {@code __vertx.*} map settings, or a
   * {@code cluster.xml} / {@code -Dvertx.hazelcast.config} file when present), with the cluster name
   * {@value #HAZELCAST_CLUSTER_PREFIX}{@code <zookeeperRootPath>}, no phone home, SLF4J logging, a TCP-IP
   * join on {@code hazelcastMembers} (multicast and auto-detection off), {@code hazelcastPort} with
   * auto-increment, bound to {@code clusterHost} only (unless it is a wildcard address).
   *
   * @return the configuration given to {@code HazelcastClusterManager}
   * @throws IllegalStateException when vertx-hazelcast cannot read its configuration file
   */
  public static Config hazelcastConfig(NodeOptions options) {
    Config config = ConfigUtil.loadConfig();
    if (config == null) {
      throw new IllegalStateException("cannot read the Hazelcast configuration (cluster.xml or -Dvertx.hazelcast.config)");
    }
    config.setClusterName(HAZELCAST_CLUSTER_PREFIX + options.getZookeeperRootPath());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.tcp.join.port.try.count", String.valueOf(HAZELCAST_PORT_TRIES));
    NetworkConfig net = config.getNetworkConfig();
    net.setPort(options.getHazelcastPort()).setPortAutoIncrement(true);
    String host = "localhost".equals(options.getClusterHost()) ? "127.0.0.1" : options.getClusterHost();
    if (!"0.0.0.0".equals(host) && !"::".equals(host)) {
      if (IP_LITERAL.matcher(host).matches()) {
        net.getInterfaces().setEnabled(true).addInterface(host);
      } else {
        config.setProperty("hazelcast.local.localAddress", host);
      }
      config.setProperty("hazelcast.socket.bind.any", "false");
    }
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getKubernetesConfig().setEnabled(false);
    join.getAwsConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(new ArrayList<>(options.getHazelcastMembers()));
    return config;
  }

  /** @return the cluster metadata that identifies a node running the extensions */
  public static JsonObject metadata(NodeOptions options) {
    return new JsonObject().put(ClusterMembership.NAME_KEY, options.getNodeName())
      .put(ClusterMembership.LAUNCHERS_KEY, new JsonArray(new ArrayList<>(new TreeSet<>(options.getLaunchers().keySet()))))
      .put(ClusterMembership.CRON_KEY, new JsonArray(options.getCronJobs().stream()
        .filter(j -> j.getScope() == CronScope.CLUSTER).map(CronJob::getName).sorted().toList()));
  }
}
