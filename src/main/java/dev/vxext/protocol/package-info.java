/**
 * The nodes' wire protocol, in one place: the event-bus addresses, the headers, the actions a node address
 * takes ({@link dev.vxext.protocol.Action}) and the failure codes. Every package of the library builds on
 * it; it builds on nothing of the library. Applications use {@link dev.vxext.whereis.WhereIs}, which
 * publishes the part of it they may rely on.
 */
package dev.vxext.protocol;
