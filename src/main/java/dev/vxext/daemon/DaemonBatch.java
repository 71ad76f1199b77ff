package dev.vxext.daemon;

import java.util.List;
import java.util.Objects;

/**
 * One page of a recovery scan.
 *
 * @param processes the daemons of this page
 * @param hasMore true when {@link DaemonIterator#next()} should be called again; a page that is empty
 *   and says it has more is an error (the scan of that launcher fails instead of spinning)
 */
public record DaemonBatch(List<DaemonProcess> processes, boolean hasMore) {

  public DaemonBatch {
    Objects.requireNonNull(processes, "processes");
    processes = List.copyOf(processes);
  }

  /** @return the last page, with these processes */
  public static DaemonBatch last(List<DaemonProcess> processes) {
    return new DaemonBatch(processes, false);
  }
}
