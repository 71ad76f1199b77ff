package dev.vxext.protocol;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * Addresses, headers, limits and failure codes of the library's messages (the actions are {@link Action}).
 */
public final class Protocol {

  /** Local address of the directory API (locate, addressbook, status). */
  public static final String WHEREIS_ADDRESS = "vxext.whereis";
  /** Local address of the node's process registry. */
  public static final String REGISTRY_ADDRESS = "vxext.registry";
  /** Local address on which membership changes are published as JSON. */
  public static final String MEMBERSHIP_ADDRESS = "vxext.membership";
  /** Local address on which leadership changes are published as JSON. */
  public static final String LEADERSHIP_ADDRESS = "vxext.leadership";
  /** Local address of the cron service (action {@code list}). */
  public static final String CRON_ADDRESS = "vxext.cron";
  /** Local address of the daemon service (action {@code list}). */
  public static final String DAEMON_ADDRESS = "vxext.daemon";
  /** Prefix of the one clustered address of each node: {@code vxext.node.<nodeName>}. */
  public static final String NODE_ADDRESS_PREFIX = "vxext.node.";

  /** Header that carries the operation. */
  public static final String ACTION_HEADER = "action";
  /** Header with the name of the node that sent a message to a node address (set on every such message). */
  public static final String FROM_HEADER = "from";
  /** Header that carries the target process of a forwarded call or send. */
  public static final String TO_HEADER = "to";
  /** Header of a forwarded call's timeout, ms. */
  public static final String TIMEOUT_HEADER = "timeout";
  /** Header carrying the leader epoch of a leader's command. */
  public static final String EPOCH_HEADER = "epoch";
  /**
   * Header of a forwarded send that must be delivered at most once (a cron tick): its id. The target node
   * delivers an id once and acknowledges repeats without delivering them, so the sender may retry after an
   * uncertain failure.
   */
  public static final String ONCE_HEADER = "vxext-once";

  /** Most directory entries in one sync message; larger slices are sent in several messages. */
  public static final int MAX_SYNC_BATCH = 10_000;
  /** Most bytes of a forwarded call or send body. */
  public static final int MAX_MESSAGE_BYTES = 1 << 20;

  public static final int BAD_REQUEST = 400;
  /** A message to a node address from a node that is not a member. */
  public static final int FORBIDDEN = 403;
  public static final int NOT_FOUND = 404;
  public static final int CONFLICT = 409;
  public static final int TOO_LARGE = 413;
  /** A forwarded message reached a node where the process no longer runs; the caller locates it again. */
  public static final int MISDIRECTED = 421;
  public static final int NOT_READY = 503;
  public static final int TIMEOUT = 504;

  private Protocol() {
  }

  /** @return the clustered address of node {@code nodeName} */
  public static String nodeAddress(String nodeName) {
    return NODE_ADDRESS_PREFIX + nodeName;
  }

  /**
   * @return the clustered address of call lane {@code lane} of node {@code nodeName}:
   *         {@code vxext.node.<nodeName>#<lane>} ({@code #} is not allowed in node names, so it never
   *         collides with another node's address). A lane takes only forwarded calls and sends, on one
   *         event loop: the one its processes run on, so a call reaches them without a thread hop.
   */
  public static String laneAddress(String nodeName, int lane) {
    return NODE_ADDRESS_PREFIX + nodeName + '#' + lane;
  }

  /** @return a failure with the given code, without a stack trace */
  public static ReplyException failure(int code, String message) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, message, true);
  }

  /** @return true when {@code t} is a {@link ReplyException} with code {@code code} */
  public static boolean hasCode(Throwable t, int code) {
    return t instanceof ReplyException && ((ReplyException) t).failureCode() == code;
  }

  /** @return the failure code of {@code t}, 500 when it carries none */
  public static int codeOf(Throwable t) {
    return t instanceof ReplyException r ? r.failureCode() : 500;
  }

  /** Maps "no handler" on a local service address to a 503 that says the extensions are not running. */
  public static <T> Future<T> notRunningIfNoHandlers(Throwable t) {
    if (t instanceof ReplyException && ((ReplyException) t).failureType() == ReplyFailure.NO_HANDLERS) {
      return Future.failedFuture(failure(NOT_READY, "the cluster extensions are not running on this Vert.x instance"));
    }
    return Future.failedFuture(t);
  }
}
