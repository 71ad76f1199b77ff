package dev.vxext.whereis;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import dev.vxext.protocol.Protocol;

/**
 * The event-bus surface of the directory: addresses, actions and failure codes.
 * <p>
 * Local address {@value #ADDRESS}, header {@value #ACTION_HEADER}:
 * <ul>
 *   <li>{@code locate} with body {@code {"name": ...}} replies {@code {"name","node","deploymentId","startedAt","seq"}};</li>
 *   <li>{@code addressbook} replies the nodes and the entries known on this node.</li>
 * </ul>
 * Failures are {@link ReplyException}s with code {@value #BAD_REQUEST} (malformed request or invalid
 * name), {@value #NOT_FOUND} (unknown name), {@value #CONFLICT} (name taken), {@value #NOT_READY}
 * (extensions not running) or {@value #TIMEOUT} (no answer in time).
 */
public final class WhereIs {

  /** Local address of the directory API. */
  public static final String ADDRESS = Protocol.WHEREIS_ADDRESS;
  /** Local address of the node's process registry. */
  public static final String REGISTRY_ADDRESS = Protocol.REGISTRY_ADDRESS;
  /** Local address on which membership changes are published as JSON. */
  public static final String MEMBERSHIP_ADDRESS = Protocol.MEMBERSHIP_ADDRESS;
  /** Prefix of the one clustered address of each node: {@code vxext.node.<nodeName>}. */
  public static final String NODE_ADDRESS_PREFIX = Protocol.NODE_ADDRESS_PREFIX;
  /** Header that carries the operation. */
  public static final String ACTION_HEADER = Protocol.ACTION_HEADER;
  /** Header with the name of the node that sent a message to a node address (set on every such message). */
  public static final String FROM_HEADER = Protocol.FROM_HEADER;
  /** Most directory entries in one sync message; larger slices are sent in several messages. */
  public static final int MAX_SYNC_BATCH = Protocol.MAX_SYNC_BATCH;
  /** Most bytes of a forwarded call or send body. */
  public static final int MAX_MESSAGE_BYTES = Protocol.MAX_MESSAGE_BYTES;
  /** Header that carries the target process of a forwarded call or send. */
  public static final String TO_HEADER = Protocol.TO_HEADER;
  /** Header of a forwarded send delivered at most once (a cron tick's id). */
  public static final String ONCE_HEADER = Protocol.ONCE_HEADER;

  public static final int BAD_REQUEST = Protocol.BAD_REQUEST;
  /** A message to a node address from a node that is not a member. */
  public static final int FORBIDDEN = Protocol.FORBIDDEN;
  public static final int NOT_FOUND = Protocol.NOT_FOUND;
  public static final int CONFLICT = Protocol.CONFLICT;
  public static final int TOO_LARGE = Protocol.TOO_LARGE;
  /** A forwarded message reached a node where the process no longer runs; the caller locates it again. */
  public static final int MISDIRECTED = Protocol.MISDIRECTED;
  public static final int NOT_READY = Protocol.NOT_READY;
  public static final int TIMEOUT = Protocol.TIMEOUT;

  private WhereIs() {
  }

  /** @return the clustered address of node {@code nodeName} */
  public static String nodeAddress(String nodeName) {
    return Protocol.nodeAddress(nodeName);
  }

  /** @return the clustered address of call lane {@code lane} of node {@code nodeName} (see {@link Protocol#laneAddress}) */
  public static String laneAddress(String nodeName, int lane) {
    return Protocol.laneAddress(nodeName, lane);
  }

  /** @return a failure with the given code, without a stack trace */
  public static ReplyException failure(int code, String message) {
    return Protocol.failure(code, message);
  }

  /** @return true when {@code t} is a {@link ReplyException} with code {@code code} */
  public static boolean hasCode(Throwable t, int code) {
    return Protocol.hasCode(t, code);
  }

  /** Maps "no handler" on a local service address to a 503 that says the extensions are not running. */
  public static <T> Future<T> notRunningIfNoHandlers(Throwable t) {
    return Protocol.notRunningIfNoHandlers(t);
  }
}
