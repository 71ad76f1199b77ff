package dev.vxext.cron;

/** Where a cron job fires. */
public enum CronScope {
  /** Every node that declares the job fires it to its own local process of the trigger name. */
  NODE,
  /** Exactly one node fires each tick: the ring's pick among the nodes that declare the job. */
  CLUSTER
}
