package dev.vxext.daemon;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.Supplier;

/**
 * Ready-made recovery scanners.
 */
public final class DaemonScanners {

  private DaemonScanners() {
  }

  /** @return a scanner of exactly one daemon (the Go project's {@code SingletonDaemon}) */
  public static Supplier<DaemonIterator> singleton(String name, JsonObject args) {
    return of(List.of(new DaemonProcess(name, args)));
  }

  /** @return a scanner that yields {@code processes} in one page */
  public static Supplier<DaemonIterator> of(List<DaemonProcess> processes) {
    List<DaemonProcess> copy = List.copyOf(processes);
    return () -> () -> Future.succeededFuture(DaemonBatch.last(copy));
  }

  /** @return a scanner that declares no daemon (the launcher is only used by {@code Spawner}) */
  public static Supplier<DaemonIterator> none() {
    return of(List.of());
  }
}
