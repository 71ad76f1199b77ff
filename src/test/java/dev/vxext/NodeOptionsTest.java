package dev.vxext;

import dev.vxext.process.ProcessOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeOptionsTest {

  @Test
  void jsonRoundTripKeepsEveryValue() {
    NodeOptions o = new NodeOptions().setNodeName("node-1").setZookeeperHosts("127.0.0.1:2181")
      .setZookeeperRootPath("prod").setSessionTimeout(8000).setSyncInterval(1500).setDirectoryReplicas(3)
      .setRequestTimeout(2000).setClusterHost("10.0.0.5").setClusterPort(15701);
    o.setSettleDelay(1234).setFailoverDelay(567).setReconcileInterval(4321).setRebalance(dev.vxext.daemon.Rebalance.ON_JOIN);
    NodeOptions back = new NodeOptions(o.toJson());
    assertThat(back.toJson()).isEqualTo(o.toJson());
    assertThat(new NodeOptions(o).getSettleDelay()).isEqualTo(1234);
    assertThat(new NodeOptions(o).getFailoverDelay()).isEqualTo(567);
    assertThat(new NodeOptions().getFailoverDelay()).isEqualTo(NodeOptions.DEFAULT_FAILOVER_DELAY).isEqualTo(1_500);
    assertThat(new NodeOptions(o).getReconcileInterval()).isEqualTo(4321);
    assertThat(o.toJson().getString("rebalance")).isEqualTo("on-join");
    assertThat(back.getRebalance()).isEqualTo(dev.vxext.daemon.Rebalance.ON_JOIN);
    assertThat(new NodeOptions().getRebalance()).isEqualTo(NodeOptions.DEFAULT_REBALANCE).isEqualTo(dev.vxext.daemon.Rebalance.NEVER);
    assertThat(new NodeOptions().toJson().getString("rebalance")).isEqualTo("never");
    assertThat(back.isClustered()).isTrue();
    assertThat(new NodeOptions().setNodeName("x").isClustered()).isFalse();
  }

  @Test
  void hazelcastOptionsRoundTripAndUnknownManagersAreRefused() {
    NodeOptions hz = new NodeOptions(new JsonObject().put("nodeName", "h").put("clusterManager", "hazelcast")
      .put("hazelcastMembers", new io.vertx.core.json.JsonArray().add("127.0.0.1:5801")).put("hazelcastPort", 5801));
    assertThat(hz.isClustered()).isTrue();
    assertThat(hz.isHazelcast()).isTrue();
    assertThat(new NodeOptions(hz.toJson()).toJson()).isEqualTo(hz.toJson());
    assertThatThrownBy(() -> new NodeOptions(new JsonObject().put("nodeName", "e").put("clusterManager", "etcd")))
      .hasMessageContaining("etcd");
  }

  @Test
  void defaultsAreDocumentedConstants() {
    NodeOptions o = new NodeOptions();
    assertThat(o.getSyncInterval()).isEqualTo(NodeOptions.DEFAULT_SYNC_INTERVAL).isEqualTo(3000);
    assertThat(o.getDirectoryReplicas()).isEqualTo(NodeOptions.DEFAULT_DIRECTORY_REPLICAS).isEqualTo(2);
    assertThat(o.getZookeeperHosts()).isEmpty();
  }

  @Test
  void invalidValuesAreRefusedWithTheOptionName() {
    assertThatThrownBy(() -> new NodeOptions().setNodeName("")).hasMessageContaining("nodeName").hasMessageContaining("empty");
    assertThatThrownBy(() -> new NodeOptions().setNodeName("x".repeat(129))).hasMessageContaining("nodeName").hasMessageContaining("128");
    assertThatThrownBy(() -> new NodeOptions().setNodeName("a b")).hasMessageContaining("nodeName");
    assertThatThrownBy(() -> new NodeOptions().setFailoverDelay(-1)).hasMessageContaining("failoverDelay");
    assertThatThrownBy(() -> new NodeOptions().setRebalance(null)).hasMessageContaining("rebalance");
    assertThatThrownBy(() -> new NodeOptions(new JsonObject().put("failoverDelay", 600_001))).hasMessageContaining("failoverDelay");
    assertThatThrownBy(() -> new NodeOptions().setNodeName(null)).hasMessageContaining("nodeName");
    assertThatThrownBy(() -> new NodeOptions().setSyncInterval(0)).hasMessageContaining("syncInterval");
    assertThatThrownBy(() -> new NodeOptions().setDirectoryReplicas(0)).hasMessageContaining("directoryReplicas");
    assertThatThrownBy(() -> new NodeOptions().setSessionTimeout(10)).hasMessageContaining("sessionTimeout");
    assertThatThrownBy(() -> new NodeOptions().setRequestTimeout(-1)).hasMessageContaining("requestTimeout");
    assertThatThrownBy(() -> new NodeOptions().setZookeeperRootPath("a/b")).hasMessageContaining("zookeeperRootPath");
    assertThatThrownBy(() -> new NodeOptions().setClusterPort(70000)).hasMessageContaining("clusterPort");
    assertThatThrownBy(() -> new NodeOptions(new JsonObject().put("syncInterval", "fast"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NodeOptions().validate()).hasMessageContaining("nodeName is required");
    assertThat(new NodeOptions().setNodeName("node_1.eu-west@host").getNodeName()).isEqualTo("node_1.eu-west@host");
  }

  @Test
  void adminOptionsRoundTripAndBadValuesAreRefusedNamingTheKey() {
    NodeOptions o = new NodeOptions(new JsonObject().put("nodeName", "n").put("vertxMetrics", true)
      .put("admin", new JsonObject().put("port", 8081).put("token", "0123456789abcdef")));
    assertThat(o.getAdmin().isEnabled()).isTrue();
    assertThat(o.getAdmin().getPort()).isEqualTo(8081);
    assertThat(o.getAdmin().getHost()).isEqualTo("127.0.0.1");
    assertThat(o.isVertxMetrics()).isTrue();
    assertThat(new NodeOptions(o.toJson()).toJson()).isEqualTo(o.toJson());
    assertThat(o.toString()).doesNotContain("0123456789abcdef");
    assertThat(new NodeOptions().getAdmin().isEnabled()).isFalse();
    assertThatThrownBy(() -> new NodeOptions(new JsonObject().put("admin", new JsonObject().put("port", 70000))))
      .hasMessageContaining("admin.port");
    assertThatThrownBy(() -> new NodeOptions(new JsonObject().put("admin", new JsonObject().put("port", 1).put("token", "short"))))
      .hasMessageContaining("admin.token");
    assertThatThrownBy(() -> new NodeOptions(new JsonObject().put("admin", new JsonObject().put("port", 1).put("host", "0.0.0.0"))))
      .hasMessageContaining("admin.token is required");
    assertThatThrownBy(() -> new NodeOptions(new JsonObject().put("admin", new JsonObject().put("prot", 1))))
      .hasMessageContaining("unknown key 'prot'");
    assertThatThrownBy(() -> new NodeOptions(new JsonObject().put("admin", "8080")))
      .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void processesRoundTripAndBadOnesAreRefusedNamingTheProcess() {
    String echo = "dev.vxext.testing.EchoProcess";
    NodeOptions o = new NodeOptions().setNodeName("n")
      .addProcess(new ProcessOptions("greeter", echo).setConfig(new JsonObject().put("node", "n")))
      .addProcess(new ProcessOptions().setName("greeter.B").setVerticle(echo)
        .setDeploymentOptions(new DeploymentOptions().setInstances(2)));
    JsonObject json = o.toJson();
    assertThat(json.getJsonArray("processes")).hasSize(2);
    NodeOptions back = new NodeOptions(json);
    assertThat(back.toJson()).isEqualTo(json);
    assertThat(new NodeOptions(o).getProcesses()).extracting(ProcessOptions::getName).containsExactly("greeter", "greeter.B");
    ProcessOptions greeter = back.getProcesses().get(0);
    assertThat(greeter.getVerticle()).isEqualTo(echo);
    assertThat(greeter.getConfig()).isEqualTo(new JsonObject().put("node", "n"));
    assertThat(greeter.deployment().getConfig()).isEqualTo(new JsonObject().put("node", "n"));
    assertThat(greeter.deployment().getInstances()).isEqualTo(1);
    assertThat(back.getProcesses().get(1).deployment().getInstances()).isEqualTo(2);
    assertThat(new NodeOptions().getProcesses()).isEmpty();
    // the Java API refuses what the JSON refuses, naming the process
    assertThatThrownBy(() -> new ProcessOptions().setName("vxext.mine"))
      .hasMessage("process name 'vxext.mine' starts with the reserved prefix 'vxext.' (addresses of the node's own services)");
    assertThatThrownBy(() -> new NodeOptions().addProcess(new ProcessOptions().setName("p")))
      .hasMessage("process 'p': \"verticle\" (a class name) is required");
    assertThatThrownBy(() -> new NodeOptions().addProcess(new ProcessOptions("p", "com.example.Nope")))
      .hasMessage("process 'p': verticle class com.example.Nope not found");
    assertThatThrownBy(() -> new ProcessOptions("p", echo).setDeploymentOptions(new DeploymentOptions().setInstances(0)))
      .hasMessage("process 'p': deploymentOptions.instances must be at least 1, got 0");
    assertThatThrownBy(() -> o.addProcess(new ProcessOptions("greeter", echo))).hasMessage("process 'greeter' is declared twice");
  }
}
