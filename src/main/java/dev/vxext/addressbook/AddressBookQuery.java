package dev.vxext.addressbook;

import dev.vxext.process.ProcessId;
import io.vertx.core.Future;

/**
 * A cluster-wide lookup with the options it was created with.
 */
public interface AddressBookQuery {

  /**
   * @param name a process name
   * @return a future completed with the name of the node that runs it (the oldest instance when several
   *   do), failed with a {@code ReplyException} 404 when no node does, 400 for an invalid name,
   *   504 when the directory owners did not answer in time
   */
  Future<String> locate(String name);

  /**
   * Like {@link #locate(String)} but completes with the whole process id.
   */
  Future<ProcessId> lookup(String name);
}
