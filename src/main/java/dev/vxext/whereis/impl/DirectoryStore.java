package dev.vxext.whereis.impl;

import dev.vxext.addressbook.impl.DirectoryEntry;
import dev.vxext.process.ProcessId;
import io.vertx.core.shareddata.LocalMap;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The owner side of the directory: the entries other nodes (and this one) reported for names this node
 * owns, per sender, with the sequence state of each sender's stream.
 * <p>
 * Confined to the whereis context. The winner of every name is kept in the local map read by
 * {@code AddressBook.locateLocal}.
 */
final class DirectoryStore {

  /** The outcome of applying a sync message. */
  enum Result { OK, NEED_FULL }

  private static final class Sender {
    final String inc;
    long seq;
    final Map<String, ProcessId> entries = new HashMap<>();
    long digest;

    Sender(String inc, long seq) {
      this.inc = inc;
      this.seq = seq;
    }
  }

  /** Told when a newly indexed instance makes a name run on several nodes. */
  interface DuplicateListener {
    void duplicates(ProcessId winner, List<ProcessId> losers);
  }

  private final LocalMap<String, DirectoryEntry> directory;
  private final DuplicateListener duplicateListener;
  /** Told the name of every entry that changed (the locate near cache's invalidation). */
  private java.util.function.Consumer<String> changed = name -> { };
  private final Map<String, Sender> senders = new HashMap<>();
  private final Map<String, Map<String, ProcessId>> byName = new HashMap<>();

  DirectoryStore(LocalMap<String, DirectoryEntry> directory, DuplicateListener duplicateListener) {
    this.directory = directory;
    this.duplicateListener = duplicateListener;
  }

  /** @param changed told the name of every entry that changes from now on */
  void onChange(java.util.function.Consumer<String> changed) {
    this.changed = changed;
  }

  /** Applies a delta: removals (matching the deployment) before additions. */
  Result applyDelta(String from, String inc, long seq, List<ProcessId> downs, List<ProcessId> ups) {
    Sender s = senders.get(from);
    if (s == null || !s.inc.equals(inc) || seq > s.seq + 1) {
      return Result.NEED_FULL;
    }
    if (seq <= s.seq) {
      return Result.OK;
    }
    apply(s, from, downs, ups);
    s.seq = seq;
    return Result.OK;
  }

  /** Replaces everything {@code from} reported with {@code entries}. */
  Result applyFull(String from, String inc, long seq, List<ProcessId> entries) {
    Sender s = senders.get(from);
    if (s != null && s.inc.equals(inc) && seq <= s.seq) {
      return Result.OK;
    }
    replace(from, inc, seq, entries);
    return Result.OK;
  }

  /** Changes reported by this node for names it owns itself: no sequence, applied in order. */
  void applySelf(String self, List<ProcessId> downs, List<ProcessId> ups) {
    apply(senders.computeIfAbsent(self, k -> new Sender("self", 0)), self, downs, ups);
  }

  /** Replaces this node's own slice. */
  void replaceSelf(String self, Collection<ProcessId> entries) {
    replace(self, "self", 0, entries);
  }

  /** Compares a sender's digest with what this node holds of it. */
  Result checkDigest(String from, String inc, long seq, int count, long digest) {
    Sender s = senders.get(from);
    if (s == null) {
      return count == 0 ? Result.OK : Result.NEED_FULL;
    }
    if (!s.inc.equals(inc)) {
      return Result.NEED_FULL;
    }
    if (seq != s.seq) {
      return seq > s.seq ? Result.NEED_FULL : Result.OK;
    }
    return s.entries.size() == count && s.digest == digest ? Result.OK : Result.NEED_FULL;
  }

  /** Drops everything a departed node reported. @return how many entries were dropped */
  int dropNode(String node) {
    Sender s = senders.remove(node);
    if (s == null) {
      return 0;
    }
    int n = s.entries.size();
    for (ProcessId p : s.entries.values()) {
      unindex(p);
    }
    return n;
  }

  /** @return the oldest instance of {@code name} on an {@code available} node, or null */
  ProcessId winnerAmong(String name, java.util.function.Predicate<String> available) {
    DirectoryEntry e = directory.get(name);
    return e == null ? null : e.winnerAmong(available);
  }

  /** @return how many entries this node holds */
  int size() {
    int n = 0;
    for (Sender s : senders.values()) n += s.entries.size();
    return n;
  }

  /** Forgets everything. */
  void clear() {
    senders.clear();
    byName.clear();
    directory.clear();
  }

  private void replace(String from, String inc, long seq, Collection<ProcessId> entries) {
    dropNode(from);
    Sender s = new Sender(inc, seq);
    senders.put(from, s);
    apply(s, from, List.of(), entries);
  }

  private void apply(Sender s, String from, Collection<ProcessId> downs, Collection<ProcessId> ups) {
    for (ProcessId down : downs) {
      ProcessId current = s.entries.get(down.name());
      if (current != null && current.deploymentId().equals(down.deploymentId())) {
        s.entries.remove(down.name());
        s.digest ^= Wire.hash(current);
        unindex(current);
      }
    }
    for (ProcessId up : ups) {
      ProcessId old = s.entries.put(up.name(), up);
      if (old != null) {
        s.digest ^= Wire.hash(old);
        unindex(old);
      }
      s.digest ^= Wire.hash(up);
      index(up);
    }
  }

  private void index(ProcessId p) {
    Map<String, ProcessId> instances = byName.computeIfAbsent(p.name(), k -> new HashMap<>(2));
    instances.put(p.node(), p);
    DirectoryEntry entry = DirectoryEntry.of(instances.values());
    directory.put(p.name(), entry);
    changed.accept(p.name());
    if (entry.instances().size() > 1) {
      duplicateListener.duplicates(entry.winner(), entry.instances().subList(1, entry.instances().size()));
    }
  }

  private void unindex(ProcessId p) {
    Map<String, ProcessId> instances = byName.get(p.name());
    if (instances == null || !instances.remove(p.node(), p)) {
      return;
    }
    if (instances.isEmpty()) {
      byName.remove(p.name());
      directory.remove(p.name());
    } else {
      directory.put(p.name(), DirectoryEntry.of(instances.values()));
    }
    changed.accept(p.name());
  }
}
