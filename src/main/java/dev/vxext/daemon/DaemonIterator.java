package dev.vxext.daemon;

import io.vertx.core.Future;

/**
 * A recovery scan: pages through the daemons a launcher declares. A new iterator is taken for every
 * scan, so an iterator may keep state between pages. It runs on the leader's event loop: it must not
 * block (use {@code executeBlocking} or an async client for a database).
 */
@FunctionalInterface
public interface DaemonIterator {

  /**
   * @return a future completed with the next page; failed to abort this scan of this launcher (it is
   *   retried later, other launchers go on)
   */
  Future<DaemonBatch> next();
}
