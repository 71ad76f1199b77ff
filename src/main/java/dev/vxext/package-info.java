/**
 * vertx-cluster-extensions: named processes, a cluster directory (whereis), leader-driven daemons and
 * cluster cron for Vert.x 5. Start with {@link dev.vxext.ClusterNode#start(dev.vxext.NodeOptions)}, or
 * deploy {@link dev.vxext.ExtensionsVerticle} into your own Vert.x instance.
 */
package dev.vxext;
