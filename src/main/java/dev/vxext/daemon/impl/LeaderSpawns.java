package dev.vxext.daemon.impl;

import dev.vxext.daemon.DaemonProcess;
import dev.vxext.daemon.Launcher;
import dev.vxext.daemon.RestartPolicy;
import dev.vxext.daemon.SupervisedSpawn;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The leader's side of supervised spawns: each reconciliation reads the records ({@link SpawnRecords}) and
 * treats those of a launcher as daemons it declares, besides its scanner's (a name the scanner declares is a
 * scanned daemon); a spawn's record is read again right before it is placed, so a spawn stopped meanwhile is
 * not started again; a spawn that ended on its own and is to be restarted waits for the crash-loop backoff
 * (the count of exits in a row starts afresh once an instance ran for {@link DaemonBackoff#CAP_MS}).
 * Confined to the daemon verticle's context.
 */
final class LeaderSpawns {

  private final SpawnRecords records;
  private final DaemonBackoff backoff;
  private final Map<String, Launcher> launchers;
  /** The records as read at the start of the current reconciliation, by name. */
  private Map<String, SupervisedSpawn> snapshot = Map.of();
  private final Map<String, Integer> exitsInARow = new HashMap<>();
  /** Spawns that ended and are to be restarted: the deployment id of the instance that ended, by name. */
  private final Map<String, String> exiting = new HashMap<>();

  LeaderSpawns(SpawnRecords records, DaemonBackoff backoff, Map<String, Launcher> launchers) {
    this.records = records;
    this.backoff = backoff;
    this.launchers = launchers;
  }

  /** Reads the records for a reconciliation. @return a future failed (503) when they cannot be read; the last ones are kept */
  Future<Void> load() {
    return records.all().map(list -> {
      Map<String, SupervisedSpawn> byName = new HashMap<>();
      list.forEach(s -> byName.put(s.name(), s));
      snapshot = byName;
      exitsInARow.keySet().retainAll(byName.keySet());
      exiting.keySet().retainAll(byName.keySet());
      return null;
    });
  }

  /** @return the launchers some record names */
  Set<String> launchers() {
    Set<String> names = new TreeSet<>();
    snapshot.values().forEach(s -> names.add(s.launcher()));
    return names;
  }

  /** @return the daemons of {@code launcher}: {@code scanned}, then its spawns the scanner does not declare */
  List<DaemonProcess> merge(String launcher, List<DaemonProcess> scanned) {
    Set<String> declared = new HashSet<>();
    scanned.forEach(d -> declared.add(d.name()));
    List<DaemonProcess> all = new ArrayList<>(scanned);
    snapshot.values().stream().filter(s -> s.launcher().equals(launcher) && !declared.contains(s.name()))
      .sorted(java.util.Comparator.comparing(SupervisedSpawn::name))
      .forEach(s -> all.add(new DaemonProcess(s.name(), s.args())));
    return all;
  }

  /** Marks a daemon's state in the report: {@code source} {@code scan} or {@code spawn}, {@code supervised}, the policy. */
  void describe(String launcher, String name, JsonObject state) {
    SupervisedSpawn s = snapshot.get(name);
    boolean spawn = s != null && s.launcher().equals(launcher);
    state.put("source", spawn ? "spawn" : "scan").put("supervised", spawn);
    if (spawn) {
      RestartPolicy policy = s.restart() != null ? s.restart() : launchers.containsKey(launcher) ? launchers.get(launcher).restart() : null;
      state.put("since", s.since());
      if (policy != null) {
        state.put("policy", policy.wire());
      }
    }
  }

  /**
   * @return a future completed with true when {@code name} is still to be placed: a scanned daemon, or a spawn
   *   whose record is still there (false: stopped meanwhile); failed when the record cannot be read
   */
  Future<Boolean> stillWanted(String launcher, String name) {
    SupervisedSpawn s = snapshot.get(name);
    if (s == null || !s.launcher().equals(launcher)) {
      return Future.succeededFuture(true);
    }
    return records.get(name).map(now -> now != null && now.launcher().equals(launcher));
  }

  /**
   * Spawn {@code name} ended on its own and is to be started again: it waits for the crash-loop backoff.
   *
   * @param deploymentId the instance that ended (it may still be found for a moment)
   * @param ranMs how long it ran
   */
  void exited(String name, String deploymentId, boolean failed, long ranMs, String error, long now) {
    int inARow = ranMs >= DaemonBackoff.CAP_MS ? 1 : exitsInARow.getOrDefault(name, 0) + 1;
    exitsInARow.put(name, inARow);
    exiting.put(name, deploymentId);
    backoff.failed(name, inARow, (failed ? "ended with a failure: " + error : "ended on its own"), now);
  }

  /** @return true when the instance {@code deploymentId} of {@code name} ended already (its backoff is kept) */
  boolean exiting(String name, String deploymentId) {
    return deploymentId.equals(exiting.get(name));
  }
}
