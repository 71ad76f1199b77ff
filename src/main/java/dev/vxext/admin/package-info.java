/**
 * The admin HTTP server of a node ({@link dev.vxext.admin.AdminOptions}, off unless {@code admin.port} is
 * set): a live cluster page at {@code /}, a JSON API under {@code /api}, Prometheus metrics at
 * {@code /metrics} and health checks at {@code /health}.
 * <p>
 * Endpoints: {@code GET /api/nodes}, {@code /api/processes[?node=]}, {@code /api/locate/{name}},
 * {@code /api/daemons}, {@code /api/cron}, {@code /metrics}, {@code /health}. Errors are
 * {@code {"status": <code>, "error": <reason>, "message": <text>}} with status 400 (bad input), 401 (missing
 * or wrong token), 404 (unknown process, node or path), 503 (no leader, extensions not running) or 504
 * (a node did not answer in time). Cluster-wide answers are gathered from every node with the request
 * timeout; a node that does not answer is listed under {@code unreachable} instead of failing the request.
 * <p>
 * Health ({@code /health}, 200 when every check is UP, else 503): {@code cluster-manager} (connected to
 * ZooKeeper / Hazelcast active; UP alone), {@code membership} (this node is in its own view),
 * {@code leader} (a leader is known), {@code whereis} (the directory service runs and no sync message to
 * an owner has waited for its acknowledgement longer than the request timeout).
 */
package dev.vxext.admin;
