/**
 * Cron jobs that fire a message to a named process: on every node that declares the job
 * ({@link dev.vxext.cron.CronScope#NODE}) or on exactly one node per tick
 * ({@link dev.vxext.cron.CronScope#CLUSTER}).
 * <p>
 * Guarantees: a cluster tick is claimed with compare-and-set on a cluster counter before it fires, so it
 * never fires twice, even while nodes disagree about who owns the job. A tick missed during a change of
 * owner is fired by the new owner within the job's misfire grace, otherwise counted as missed; no
 * backlog is replayed. A tick whose trigger process cannot be reached is retried within the grace.
 */
package dev.vxext.cron;
