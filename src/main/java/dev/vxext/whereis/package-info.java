/**
 * The cluster-wide directory of named processes.
 * <p>
 * Each name is owned by {@code directoryReplicas} nodes of the ring. Changes are pushed at once on an
 * acked, ordered, retried stream per owner; gaps, restarts and lost messages are repaired by full-slice
 * resends and a digest comparison every {@code syncInterval}. Eventually consistent: a name is
 * locatable from every node one push after it is registered, and vanishes when it is undeployed or its
 * node leaves.
 */
package dev.vxext.whereis;
