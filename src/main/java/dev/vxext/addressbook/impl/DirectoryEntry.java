package dev.vxext.addressbook.impl;

import dev.vxext.process.ProcessId;
import io.vertx.core.shareddata.Shareable;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;

/**
 * What a directory owner knows of one name: every instance reported for it and the winner (the oldest).
 *
 * @param winner the instance every node resolves the name to
 * @param instances all known instances, oldest first
 */
public record DirectoryEntry(ProcessId winner, List<ProcessId> instances) implements Shareable {

  /** @return the entry for these instances, or null when there are none */
  public static DirectoryEntry of(Collection<ProcessId> instances) {
    if (instances.isEmpty()) {
      return null;
    }
    List<ProcessId> sorted = new ArrayList<>(instances);
    sorted.sort(ProcessId.OLDEST_FIRST);
    return new DirectoryEntry(sorted.get(0), List.copyOf(sorted));
  }

  /**
   * @param available whether a node is available (in this node's view)
   * @return the oldest instance on an available node (the winner unless its node is gone), or null when
   *   every instance runs on a node that is not available
   */
  public ProcessId winnerAmong(Predicate<String> available) {
    if (available.test(winner.node())) {
      return winner;
    }
    for (ProcessId p : instances) {
      if (available.test(p.node())) {
        return p;
      }
    }
    return null;
  }
}
