package dev.vxext.addressbook.impl;

import dev.vxext.process.ProcessId;
import io.vertx.core.shareddata.Shareable;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

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
}
