/**
 * Example verticles used by the {@code conf/*.json} configurations and the demo: a greeter process,
 * a counter daemon and a cron tick logger.
 */
package dev.vxext.examples;
