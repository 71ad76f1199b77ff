package dev.vxext.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * The actions a node address ({@code vxext.node.<name>}) takes, header {@value Protocol#ACTION_HEADER}; the
 * call lanes take {@link #CALL} and {@link #SEND} only. Senders and the receiving node use these constants:
 * no action is spelled twice.
 */
public enum Action {
  /** Is the node there? Answered to anyone. */
  PING("ping"),
  /** The processes registered on the node. */
  PROCESSES("processes"),
  /** Answered once a given process of the node is gone ({@code {name, deploymentId}}). */
  WATCH("watch"),
  /** A forwarded call to a process of the node ({@value Protocol#TO_HEADER} header). */
  CALL("call"),
  /** A forwarded send to a process of the node. */
  SEND("send"),
  /** Where does a name run, asked of one of its directory owners (the name as the body). */
  LOCATE("locate"),
  /**
   * A directory owner tells a node it answered a locate to that the answer may be stale ({@code {names:
   * [...]}}, or {@code {all: true}}): the node drops those names from its locate near cache. Not answered.
   */
  LOCATE_STALE("locate.stale"),
  /** Directory sync: changes of a sender's slice. */
  SYNC_DELTA("sync.delta"),
  /** Directory sync: a sender's whole slice. */
  SYNC_FULL("sync.full"),
  /** Directory sync: a digest of a sender's slice (anti-entropy). */
  SYNC_DIGEST("sync.digest"),
  /** A node announces its graceful leave (it leaves the ring). */
  MEMBER_LEAVING("member.leaving"),
  /**
   * A node's entry in the cluster manager changed ({@code {nodeId}}): it started, or stopped, running the
   * extensions on a Vert.x that stays in the cluster. The receiver reads the entry again from the cluster
   * manager and trusts only that. Answered to anyone, like {@link #PING}.
   */
  MEMBER_CHANGED("member.changed"),
  /** The leader asks the node to start a daemon (fenced by epoch). */
  DAEMON_SPAWN("daemon.spawn"),
  /** The leader announces itself (with its epoch). */
  DAEMON_LEADER("daemon.leader"),
  /** A directory owner saw a daemon twice: the younger instance stops. */
  DAEMON_DUPLICATE("daemon.duplicate"),
  /** A leaving node stopped its daemons (hand-off). */
  DAEMON_LEAVING("daemon.leaving"),
  /**
   * Stop a supervised spawn ({@code {launcher, name, deploymentId?}}): the node running it undeploys its own
   * instance; no epoch needed. Answered {@code {stopped: true|false}}.
   */
  DAEMON_STOP("daemon.stop"),
  /**
   * A supervised spawn ended on its own and its policy restarts it ({@code {name, launcher, failed, ranMs,
   * error?}}), told to the leader so it restarts it with the crash-loop backoff.
   */
  DAEMON_EXITED("daemon.exited"),
  /**
   * The leader moves a daemon ({@code {name, deploymentId, to}}, fenced by epoch): the node running that
   * instance stops it for a hand-off (its state stored for its successor) and answers {@code {stopped,
   * handoff, launcher, args}}; the leader then spawns it on {@code to}. Option {@code rebalance: on-join}.
   */
  DAEMON_MOVE("daemon.move"),
  /** The leader asks a node that offers a launcher for its recovery scan. */
  DAEMON_SCAN("daemon.scan"),
  /** The leader's last reconciliation report. */
  DAEMON_LIST("daemon.list"),
  /**
   * Asks the leader for a reconciliation now (body {@code {}}), answered with its report once it ran;
   * rate-limited, requests coalesce. A node that does not lead answers 421 naming the leader.
   */
  DAEMON_RECONCILE("daemon.reconcile"),
  /** The node's cron jobs. */
  CRON_LIST("cron.list");

  private static final Map<String, Action> BY_WIRE = new HashMap<>();

  static {
    for (Action a : values()) {
      BY_WIRE.put(a.wire, a);
    }
  }

  private final String wire;

  Action(String wire) {
    this.wire = wire;
  }

  /** @return the action's name on the wire (the header's value) */
  public String wire() {
    return wire;
  }

  /** @return true for the actions a node answers to any sender, member or not */
  public boolean open() {
    return this == PING || this == MEMBER_CHANGED;
  }

  /** @return the action named {@code wire}, or null */
  public static Action of(String wire) {
    return wire == null ? null : BY_WIRE.get(wire);
  }

  @Override
  public String toString() {
    return wire;
  }
}
