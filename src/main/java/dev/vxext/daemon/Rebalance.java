package dev.vxext.daemon;

/**
 * When the daemon leader moves running daemons to the node the placement would pick for them now (option
 * {@code rebalance} of {@code NodeOptions}, JSON values {@code never} and {@code on-join}).
 * <p>
 * A move is a planned hand-off: the node running the daemon stops it (collecting its {@link DaemonHandOff}
 * state), then the leader starts it on its new node with that state. The daemon is unavailable between the
 * two (it never runs twice); a leader change or a refused start during a move leaves the daemon to the
 * ordinary reconciliation, which places it by the usual rules.
 */
public enum Rebalance {

  /** Never: a running daemon stays on its node until that node leaves or is lost (sticky placement, the default). */
  NEVER("never"),
  /**
   * When a node joins (once the view has settled), the daemons whose placement pick is now that node move to
   * it, a bounded number at a time.
   */
  ON_JOIN("on-join");

  private final String wire;

  Rebalance(String wire) {
    this.wire = wire;
  }

  /** @return the value in JSON ({@code never}, {@code on-join}) */
  public String wire() {
    return wire;
  }

  /**
   * @return the value written {@code wire} in JSON (exactly {@code never} or {@code on-join})
   * @throws IllegalArgumentException for anything else, naming the key and the allowed values
   */
  public static Rebalance of(String wire) {
    for (Rebalance r : values()) {
      if (r.wire.equals(wire)) {
        return r;
      }
    }
    throw new IllegalArgumentException("rebalance must be one of never, on-join, got "
      + (wire == null ? "null" : "\"" + wire + "\""));
  }
}
