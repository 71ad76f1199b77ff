/**
 * Cluster membership as this node sees it.
 * <p>
 * Membership comes from the Vert.x cluster manager (ZooKeeper by default). A node that crashes is seen
 * gone only when its ZooKeeper session expires ({@code sessionTimeout}); a node that closes is seen gone
 * at once. Events are published on the local address {@code vxext.membership} as
 * {@link dev.vxext.cluster.MembershipEvent} JSON, after the address book applied them, and only for
 * nodes that run the extensions (their cluster metadata carries a node name).
 */
package dev.vxext.cluster;
