package dev.vxext.daemon;

import java.util.Locale;

/**
 * What happens to a supervised spawn ({@link Spawner#spawnRegister}) once it <em>ends on its own</em>: its
 * deployment is undeployed while neither the library nor {@link Spawner#stop} asked for it (the verticle
 * undeploys itself, or some code undeploys its deployment id).
 * <p>
 * It ends <b>with a failure</b> when its {@code stop()} fails (returns a failed future or throws) as it ends;
 * it ends <b>cleanly</b> otherwise. A daemon signals a crash by undeploying itself with a failing
 * {@code stop()}; Vert.x itself never undeploys a verticle because a handler threw.
 * <p>
 * None of these are exits, whatever the policy: the loss of its node (crash, {@code kill -9}, session
 * expiry, the node fencing itself), a graceful leave (hand-off), the younger of two instances being stopped,
 * the node or its Vert.x closing. The daemon is placed again then, as every daemon is. A placement whose start
 * fails is retried with the crash-loop backoff under every policy (the daemon never ran, so it never exited).
 * <p>
 * Daemons a launcher's recovery scanner declares are not subject to a policy: the scanner says they must
 * run, so the next reconciliation starts them again however they ended.
 */
public enum RestartPolicy {

  /** Started again after every exit, clean or failed (with the crash-loop backoff). */
  ALWAYS("always"),
  /** Started again after an exit with a failure (with the crash-loop backoff); a clean exit ends it for good. */
  ON_FAILURE("on-failure"),
  /** Never started again after an exit: its record is removed, as by {@link Spawner#stop}. */
  NEVER("never");

  /** The policy of a launcher that does not set one. */
  public static final RestartPolicy DEFAULT = ON_FAILURE;

  private final String wire;

  RestartPolicy(String wire) {
    this.wire = wire;
  }

  /** @return the policy's name in JSON ({@code always}, {@code on-failure}, {@code never}) */
  public String wire() {
    return wire;
  }

  /** @return true when a spawn that ended ({@code failed} or cleanly) is started again */
  public boolean restarts(boolean failed) {
    return this == ALWAYS || (this == ON_FAILURE && failed);
  }

  /**
   * @return the policy named {@code name} ({@code always}, {@code on-failure}, {@code never}; case and
   *   {@code _}/{@code -} ignored)
   * @throws IllegalArgumentException for any other name
   */
  public static RestartPolicy of(String name) {
    if (name != null) {
      String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
      for (RestartPolicy p : values()) {
        if (p.wire.equals(n)) {
          return p;
        }
      }
    }
    throw new IllegalArgumentException("restart policy must be one of always, on-failure, never; got '" + name + "'");
  }
}
