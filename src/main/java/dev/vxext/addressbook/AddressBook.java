package dev.vxext.addressbook;

import dev.vxext.process.ProcessId;

import java.util.List;
import java.util.Optional;

/**
 * This node's eventually consistent view of the cluster: the available nodes, the processes registered
 * here, and the directory entries this node owns.
 * <p>
 * Reads are lock-free and never block (the view lives in a Vert.x local map of immutable values), so
 * every method may be called from an event loop. The view can lag the cluster by the time a membership
 * event or a directory push takes to arrive.
 */
public interface AddressBook {

  /** @return the name of this node */
  String selfNode();

  /** @return the nodes currently available, sorted by name (this node included) */
  List<NodeEntry> availableNodes();

  /**
   * Picks the node for {@code name} on the consistent-hash ring of the available nodes. Every node with
   * the same view picks the same node.
   *
   * @return the node name, or {@code null} when no node is available
   */
  String pickNode(String name);

  /**
   * Picks among the given candidate nodes with the same ring algorithm as {@link #pickNode(String)}.
   *
   * @return the node name, or {@code null} when {@code candidates} is empty
   */
  String pickNode(String name, List<String> candidates);

  /**
   * @return the directory owners of {@code name}: the first {@code directoryReplicas} nodes on the ring
   */
  List<String> owners(String name);

  /**
   * Looks {@code name} up without leaving this node: in the processes registered here and the directory
   * entries this node owns. The oldest instance wins.
   *
   * @return the process, or empty when this node knows none
   */
  Optional<ProcessId> locateLocal(String name);

  /** @return the processes registered on this node, sorted by name */
  List<ProcessId> localProcesses();

  /**
   * @return a cluster-wide query using {@code options}
   */
  AddressBookQuery query(QueryOptions options);
}
