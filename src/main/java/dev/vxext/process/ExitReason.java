package dev.vxext.process;

import java.util.Locale;

/**
 * Why a process is gone, as {@code ClusterNode.awaitExitReason} tells it. The Go original's {@code WaitPID}
 * reports an exit reason of the process itself; here a process is a Vert.x deployment registered under a
 * name, and the reason says what ended the registration. No leader ever stops a daemon here: the cluster's
 * own stops are {@link #DUPLICATE}, {@link #FENCED} and {@link #HANDED_OFF}, each done by the daemon's node.
 */
public enum ExitReason {
  /** Its deployment was undeployed (by the application, by its node closing, or it vanished). */
  UNDEPLOYED,
  /** Its name was unregistered ({@code Processes.unregister}); the deployment may still run, unnamed. */
  UNREGISTERED,
  /**
   * Its node left the cluster (or was not a member when asked). The process may have died with it, or still
   * run on a node cut off from the others: the cluster counts it gone either way.
   */
  NODE_LEFT,
  /** A daemon stopped because an older instance of the same name runs on another node. */
  DUPLICATE,
  /** A daemon stopped by its own node, cut off from ZooKeeper (self-fencing); the leader places it elsewhere. */
  FENCED,
  /** A daemon stopped by its node's graceful leave, for the leader to place it elsewhere at once. */
  HANDED_OFF,
  /**
   * It was already gone when asked, and its node does not remember why (a node keeps the reasons of its
   * last {@value #REMEMBERED} exits), or it never ran there.
   */
  UNKNOWN;

  /** How many exit reasons a node remembers, for processes asked about after they are gone. */
  public static final int REMEMBERED = 10_000;

  /** @return the reason's name on the wire (lower case) */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @return the reason named {@code wire}, or null when there is none of that name */
  public static ExitReason of(String wire) {
    if (wire == null) {
      return null;
    }
    for (ExitReason r : values()) {
      if (r.wire().equals(wire)) {
        return r;
      }
    }
    return null;
  }
}
