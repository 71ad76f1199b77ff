package dev.vxext.runtime;

import dev.vxext.cluster.impl.ClusterMembership;
import dev.vxext.protocol.Action;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Context;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The node runtime's own actions of the node address: {@link Action#PING}, {@link Action#MEMBER_LEAVING}
 * (only a node itself may say it is leaving) and {@link Action#MEMBER_CHANGED} (a member's entry changed:
 * read it again). Each validates its body and always replies.
 */
final class MemberActions {

  private final String self;
  private final NodeEndpoint endpoint;
  private final ClusterMembership membership;

  MemberActions(String self, NodeEndpoint endpoint, ClusterMembership membership) {
    this.self = self;
    this.endpoint = endpoint;
    this.membership = membership;
  }

  /** Serves the actions, the membership ones on {@code context} (the membership's). */
  void register(Context context) {
    endpoint.handle(Action.PING, null, msg -> msg.reply(new JsonObject().put("node", self)));
    endpoint.handle(Action.MEMBER_LEAVING, context, this::leaving);
    endpoint.handle(Action.MEMBER_CHANGED, context, this::changed);
  }

  private void leaving(Message<Object> msg) {
    String from = msg.headers().get(Protocol.FROM_HEADER);
    String node = msg.body() instanceof JsonObject b && b.getValue("node") instanceof String n ? n : null;
    if (node == null) {
      msg.fail(Protocol.BAD_REQUEST, "member.leaving needs {\"node\": <its own name>}");
    } else if (!node.equals(from)) {
      endpoint.refuse(msg, from, Protocol.FORBIDDEN, "'" + from + "' cannot say that '" + node + "' is leaving");
    } else {
      membership.leaving(node);
      msg.reply(new JsonObject().put("ok", true));
    }
  }

  /** {@code {"nodeId", "launchers"?}}: the launchers are a hint, checked against the entry it reads. */
  private void changed(Message<Object> msg) {
    JsonObject body = msg.body() instanceof JsonObject b ? b : null;
    String id = body != null && body.getValue("nodeId") instanceof String n ? n : null;
    Object hint = body == null ? null : body.getValue("launchers");
    if (id == null || (hint != null && !(hint instanceof JsonArray))) {
      msg.fail(Protocol.BAD_REQUEST, "member.changed needs {\"nodeId\": <the sender's cluster node id>}"
        + " (and optionally \"launchers\": [<names>])");
      return;
    }
    List<String> claimed = null;
    if (hint instanceof JsonArray array) {
      claimed = new ArrayList<>();
      for (Object o : array) claimed.add(String.valueOf(o));
    }
    membership.recheck(id, claimed);
    msg.reply(new JsonObject().put("ok", true));
  }
}
