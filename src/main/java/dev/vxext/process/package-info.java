/**
 * Named processes: a Vert.x deployment registered under a name on one node.
 * <p>
 * A name is unique per node. The same name may run on several nodes (for example after a partition);
 * every node then resolves it to the oldest instance ({@link dev.vxext.process.ProcessId#OLDEST_FIRST}).
 * A registration ends when the deployment is undeployed by any means: through the API at once, and
 * otherwise at the next periodic inspection.
 */
package dev.vxext.process;
