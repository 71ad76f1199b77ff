package dev.vxext.addressbook;

/**
 * Options of a cluster-wide query of the address book.
 *
 * @param timeout how long a query may take, in ms (&gt; 0)
 */
public record QueryOptions(long timeout) {

  public QueryOptions {
    if (timeout <= 0) {
      throw new IllegalArgumentException("timeout must be > 0");
    }
  }
}
