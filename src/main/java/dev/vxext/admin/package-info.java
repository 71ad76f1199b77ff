/**
 * The admin HTTP server of a node ({@link dev.vxext.admin.AdminOptions}, off unless {@code admin.port} is
 * set): a live cluster page at {@code /}, a JSON API under {@code /api}, Prometheus metrics at
 * {@code /metrics} and health checks at {@code /health}.
 * <p>
 * Endpoints: {@code GET /api/nodes}, {@code /api/processes[?node=]}, {@code /api/locate/{name}},
 * {@code /api/daemons}, {@code /api/cron}, {@code /metrics}, {@code /health}; and two acts, served only
 * when the server has a token: {@code POST /api/call/{name}[?timeout=ms]} (the node's {@code call} with the
 * JSON object body: 200 with the process's reply) and {@code POST /api/send/{name}} (the node's
 * {@code send}: 202 once handed over). Errors are
 * {@code {"status": <code>, "error": <reason>, "message": <text>}} with status 400 (bad input: a name, a
 * body that is not a JSON object, a timeout not between 1 ms and the request timeout), 401 (missing or
 * wrong token), 403 (call or send on a server without a token), 404 (unknown process, node or path), 413 (a
 * body over 1 MiB), 502 (the process failed the message: its code is in the message), 503 (no leader,
 * extensions not running, node closed) or 504 (a node or process did not answer in time). Cluster-wide answers are gathered from every node with the request
 * timeout; a node that does not answer is listed under {@code unreachable} instead of failing the request.
 * <p>
 * Health ({@code /health}, 200 when every check is UP, else 503): {@code cluster-manager} (connected to
 * ZooKeeper / Hazelcast active; UP alone), {@code membership} (this node is in its own view),
 * {@code leader} (a leader is known), {@code whereis} (the directory service runs and no sync message to
 * an owner has waited for its acknowledgement longer than the request timeout).
 */
package dev.vxext.admin;
