/**
 * Each node's view of the cluster: available nodes, a consistent-hash ring over them (the Go project's
 * bounded-load ring, reproduced exactly), its own processes and the directory entries it owns. Reads
 * never block and never copy (immutable values in a Vert.x local map).
 */
package dev.vxext.addressbook;
