/**
 * Metrics: every node registers the meters named in {@link dev.vxext.metrics.MetricNames} in a Micrometer
 * registry (a Prometheus registry of its own unless the embedding application brings one), tagged with
 * the node name. The admin server ({@code admin.port}) serves them at {@code /metrics} in the Prometheus
 * text format; with {@code vertxMetrics: true} Vert.x's own meters (event bus, HTTP, pools) are in the
 * same registry.
 * <p>
 * Meters never block and never fail the operation they measure.
 */
package dev.vxext.metrics;
