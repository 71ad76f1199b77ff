/**
 * The node runtime: one per Vert.x instance, built by {@code ExtensionsVerticle}, owning what the node's
 * services share and hand each other explicitly: the validated settings, the address book's maps (one
 * writer each), the membership and the liveness watch, the node endpoint (the clustered address
 * {@code vxext.node.<name>} and its call lanes, with a table of handlers keyed by
 * {@link dev.vxext.protocol.Action}), the requests in flight to other nodes, call routing and metrics.
 * The whereis, daemon, cron and admin services receive it through their constructors. Internal: not an
 * API for applications.
 */
package dev.vxext.runtime;
