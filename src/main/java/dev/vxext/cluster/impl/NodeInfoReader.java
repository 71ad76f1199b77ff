package dev.vxext.cluster.impl;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.spi.cluster.zookeeper.ZookeeperClusterManager;
import org.apache.curator.framework.api.CuratorEventType;
import org.apache.zookeeper.KeeperException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads another node's {@link NodeInfo} without tripping over a node that is still starting.
 * <p>
 * vertx-zookeeper first creates a member's znode with its id as data and writes the NodeInfo later;
 * its {@code getNodeInfo} parses whatever is there, and parsing the id as a NodeInfo reads a bogus length
 * and can spend seconds copying memory. On ZooKeeper this reader fetches the znode itself (in the
 * background, never on an event loop) and answers "not ready" until a well-formed NodeInfo is stored.
 * Other cluster managers are asked directly. The answer completes on the caller's context (the
 * membership's): what the caller does next (a join published to the directory's owner streams) stays there.
 */
final class NodeInfoReader {

  private static final String NODES_PATH = "/cluster/nodes/";

  private final Vertx vertx;
  private final ClusterManager cm;
  private final ZookeeperClusterManager zk;

  NodeInfoReader(Vertx vertx, ClusterManager cm) {
    this.vertx = vertx;
    this.cm = cm;
    ClusterManager inner = cm instanceof FanOutClusterManager ? ((FanOutClusterManager) cm).delegate() : cm;
    this.zk = inner instanceof ZookeeperClusterManager ? (ZookeeperClusterManager) inner : null;
  }

  /**
   * @return the node's info, completed on the caller's context; failed while the node has not published a
   *   well-formed one
   */
  Future<NodeInfo> read(String nodeId) {
    // not vertx.runOnContext from Curator's thread: that is a context of its own, on another event loop
    Context caller = vertx.getOrCreateContext();
    Promise<NodeInfo> promise = Promise.promise();
    if (zk == null) {
      cm.getNodeInfo(nodeId, (info, failure) -> caller.runOnContext(v -> promise.complete(info, failure)));
      return promise.future();
    }
    try {
      zk.getCuratorFramework().getData().inBackground((client, event) -> {
        NodeInfo info = null;
        String problem = null;
        if (event.getType() == CuratorEventType.GET_DATA && event.getResultCode() == KeeperException.Code.OK.intValue()) {
          info = parse(nodeId, event.getData());
          problem = info == null ? "node info of " + nodeId + " not published yet" : null;
        } else {
          problem = "cannot read node info of " + nodeId + " (rc=" + event.getResultCode() + ")";
        }
        NodeInfo result = info;
        String failure = problem;
        caller.runOnContext(v -> {
          if (result != null) {
            promise.tryComplete(result);
          } else {
            promise.tryFail(new VertxException(failure, true));
          }
        });
      }).forPath(NODES_PATH + nodeId);
    } catch (Exception e) {
      promise.tryFail(e);
    }
    return promise.future();
  }

  /** @return the parsed info, or null when {@code data} is not a complete NodeInfo */
  static NodeInfo parse(String nodeId, byte[] data) {
    if (data == null || data.length < 12 || Arrays.equals(data, nodeId.getBytes(StandardCharsets.UTF_8))) {
      return null;
    }
    Buffer buffer = Buffer.buffer(data);
    int hostLen = buffer.getInt(0);
    if (hostLen < 0 || 4 + hostLen + 8 > data.length) {
      return null;
    }
    int metaLen = buffer.getInt(4 + hostLen + 4);
    if (metaLen > data.length - (4 + hostLen + 8)) {
      return null;
    }
    try {
      NodeInfo info = new NodeInfo();
      info.readFromBuffer(0, buffer);
      return info;
    } catch (RuntimeException e) {
      return null;
    }
  }
}
