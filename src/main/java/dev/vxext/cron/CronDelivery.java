package dev.vxext.cron;

/** Where the tick of a {@link CronScope#CLUSTER} job goes. */
public enum CronDelivery {
  /**
   * To the process of the trigger name wherever it runs in the cluster (located, then sent; at most once per
   * tick on its node, retried within the misfire grace). The default.
   */
  ROUTED,
  /**
   * To the process of the trigger name on the node that owns the job, as the Go original (ergo-extensions)
   * delivers: no lookup, no network hop. The trigger process should then run on every node that declares the
   * job (a {@code processes} entry of each node's configuration, say); a tick whose owner runs no such process
   * is retried within the misfire grace and then counted missed.
   */
  OWNER_LOCAL
}
