package dev.vxext.addressbook.impl;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Consistent-hash ring with bounded loads that reproduces, bit for bit, the Go library
 * {@code buraksezer/consistent} v0.10.0 configured with PartitionCount 10240, ReplicationFactor
 * 40, Load 1.2 and an XXH64 (seed 0) hasher.
 *
 * <ul>
 *   <li>Virtual node {@code i} of member {@code m} sits at {@code xxh64(UTF8(m + i))} (decimal
 *       {@code i}); the 64-bit hashes are ordered as unsigned numbers.
 *   <li>Partition {@code p} is hashed as its 8 little-endian bytes and given to the first virtual
 *       node at or after that hash (wrapping) whose member still has room, i.e. whose load is
 *       below {@link #maxLoad()} = {@code ceil(floor(PARTITION_COUNT / members) * LOAD)}.
 *   <li>A key belongs to partition {@code xxh64(UTF8(key)) mod PARTITION_COUNT} (unsigned), and
 *       is located on that partition's owner.
 * </ul>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class HashRing {

  /** Number of partitions the key space is split into. */
  public static final int PARTITION_COUNT = 10240;
  /** Number of virtual nodes per member. */
  public static final int REPLICATION_FACTOR = 40;
  /** Load factor bounding the number of partitions a member may own. */
  public static final double LOAD = 1.2;

  private static final XXHash64 XXH64 = XXHashFactory.fastestJavaInstance().hash64();
  private static final HashRing EMPTY = new HashRing(new String[0], null, new int[0], 0);

  /** Sorted, distinct member names. */
  private final String[] members;
  /** Index into {@link #members} of each partition's owner; null for the empty ring. */
  private final int[] partitionOwners;
  /** Number of partitions owned by {@code members[i]}. */
  private final int[] loads;
  private final int maxLoad;
  private final List<String> memberList;

  private HashRing(String[] members, int[] partitionOwners, int[] loads, int maxLoad) {
    this.members = members;
    this.partitionOwners = partitionOwners;
    this.loads = loads;
    this.maxLoad = maxLoad;
    this.memberList = Collections.unmodifiableList(Arrays.asList(members));
  }

  /**
   * Builds a ring for the given members. Duplicates are ignored and the input order does not
   * matter.
   *
   * @param members member (node) names
   * @return the ring (an empty ring when {@code members} is empty)
   * @throws NullPointerException if the collection or one of its elements is null
   * @throws IllegalStateException if the partitions cannot be distributed (buraksezer's "not
   *     enough room to distribute partitions"; cannot happen with the built-in settings)
   */
  public static HashRing of(Collection<String> members) {
    Objects.requireNonNull(members, "members");
    TreeSet<String> set = new TreeSet<>();
    for (String m : members) {
      set.add(Objects.requireNonNull(m, "member"));
    }
    if (set.isEmpty()) {
      return EMPTY;
    }
    String[] names = set.toArray(new String[0]);
    int memberCount = names.length;
    int len = memberCount * REPLICATION_FACTOR;

    // Virtual node hashes in insertion order (members sorted by name, vnode 0..39).
    long[] inserted = new long[len];
    for (int m = 0, k = 0; m < memberCount; m++) {
      for (int i = 0; i < REPLICATION_FACTOR; i++) {
        inserted[k++] = xxh64(names[m] + i);
      }
    }
    // buraksezer appends every hash to sortedSet (duplicates included) and sorts it as uint64.
    // Flipping the sign bit turns unsigned order into signed order for Arrays.sort.
    long[] ring = new long[len];
    for (int k = 0; k < len; k++) {
      ring[k] = inserted[k] ^ Long.MIN_VALUE;
    }
    Arrays.sort(ring);
    for (int k = 0; k < len; k++) {
      ring[k] ^= Long.MIN_VALUE;
    }
    // ring map hash -> member: on a collision the later insert overwrites the earlier one.
    int[] ringOwner = new int[len];
    for (int k = 0; k < len; k++) {
      long h = inserted[k];
      int owner = k / REPLICATION_FACTOR;
      for (int pos = searchUnsigned(ring, h); pos < len && ring[pos] == h; pos++) {
        ringOwner[pos] = owner;
      }
    }

    int maxLoad = computeMaxLoad(memberCount);
    int[] loads = new int[memberCount];
    int[] owners = new int[PARTITION_COUNT];
    long[] partitionKeys = PartitionKeys.KEYS;
    for (int p = 0; p < PARTITION_COUNT; p++) {
      int pos = searchUnsigned(ring, partitionKeys[p]);
      if (pos >= len) {
        pos = 0;
      }
      owners[p] = distributeWithLoad(pos, ring.length, ringOwner, loads, maxLoad);
    }
    return new HashRing(names, owners, loads, maxLoad);
  }

  /** buraksezer's distributeWithLoad: walk clockwise until a member has room. */
  private static int distributeWithLoad(int pos, int len, int[] ringOwner, int[] loads,
      int maxLoad) {
    int count = 0;
    while (true) {
      count++;
      if (count >= len) {
        throw new IllegalStateException("not enough room to distribute partitions");
      }
      int owner = ringOwner[pos];
      if (loads[owner] + 1 <= maxLoad) {
        loads[owner]++;
        return owner;
      }
      pos++;
      if (pos >= len) {
        pos = 0;
      }
    }
  }

  /**
   * Returns the member owning {@code key}.
   *
   * @param key the key (hashed as UTF-8)
   * @return the owner, or null if the ring is empty
   * @throws NullPointerException if {@code key} is null
   */
  public String locate(String key) {
    Objects.requireNonNull(key, "key");
    if (partitionOwners == null) {
      return null;
    }
    return members[partitionOwners[partitionOf(key)]];
  }

  /**
   * Returns up to {@code n} distinct members for {@code key}: the owners met walking partitions
   * {@code p, p+1, ...} (mod {@link #PARTITION_COUNT}) from the key's partition {@code p}. The
   * first element is {@link #locate(String)}. Members owning no partition at all (possible only
   * in pathological layouts) are appended last, in name order, so the result always has
   * {@code min(n, size())} elements.
   *
   * @param key the key
   * @param n the number of members wanted, at least 1
   * @return an immutable list of distinct members, empty if the ring is empty
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if {@code n < 1}
   */
  public List<String> owners(String key, int n) {
    Objects.requireNonNull(key, "key");
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1");
    }
    if (partitionOwners == null) {
      return List.of();
    }
    int want = Math.min(n, members.length);
    List<String> result = new ArrayList<>(want);
    boolean[] seen = new boolean[members.length];
    int p = partitionOf(key);
    for (int step = 0; step < PARTITION_COUNT && result.size() < want; step++) {
      int owner = partitionOwners[p];
      if (!seen[owner]) {
        seen[owner] = true;
        result.add(members[owner]);
      }
      if (++p == PARTITION_COUNT) {
        p = 0;
      }
    }
    for (int m = 0; m < members.length && result.size() < want; m++) {
      if (!seen[m]) {
        result.add(members[m]);
      }
    }
    return Collections.unmodifiableList(result);
  }

  /**
   * Returns the partition of {@code key}: {@code xxh64(UTF8(key)) mod PARTITION_COUNT}, unsigned.
   *
   * @param key the key
   * @return the partition, in {@code [0, PARTITION_COUNT)}
   * @throws NullPointerException if {@code key} is null
   */
  public int partitionOf(String key) {
    Objects.requireNonNull(key, "key");
    return (int) Long.remainderUnsigned(xxh64(key), PARTITION_COUNT);
  }

  /**
   * Returns the owner of a partition.
   *
   * @param partition the partition, in {@code [0, PARTITION_COUNT)}
   * @return its owner, or null if the ring is empty
   * @throws IndexOutOfBoundsException if {@code partition} is out of range
   */
  public String partitionOwner(int partition) {
    Objects.checkIndex(partition, PARTITION_COUNT);
    return partitionOwners == null ? null : members[partitionOwners[partition]];
  }

  /**
   * Returns the number of partitions owned by each member.
   *
   * @return an unmodifiable map in member-name order (members owning nothing map to 0)
   */
  public Map<String, Integer> loads() {
    Map<String, Integer> map = new LinkedHashMap<>();
    for (int m = 0; m < members.length; m++) {
      map.put(members[m], loads[m]);
    }
    return Collections.unmodifiableMap(map);
  }

  /**
   * Returns the members.
   *
   * @return the distinct members, sorted by name, unmodifiable
   */
  public List<String> members() {
    return memberList;
  }

  /**
   * Returns the number of members.
   *
   * @return the member count
   */
  public int size() {
    return members.length;
  }

  /**
   * Tells whether the ring has no members.
   *
   * @return true if there are no members
   */
  public boolean isEmpty() {
    return members.length == 0;
  }

  /**
   * Returns the maximum number of partitions a member may own:
   * {@code ceil(floor(PARTITION_COUNT / size()) * LOAD)}, or 0 for the empty ring.
   *
   * @return the load bound
   */
  public int maxLoad() {
    return maxLoad;
  }

  /**
   * XXH64 with seed 0.
   *
   * @param data the bytes to hash
   * @return the 64-bit hash (to be read as unsigned)
   */
  public static long xxh64(byte[] data) {
    return XXH64.hash(data, 0, data.length, 0L);
  }

  /**
   * XXH64 with seed 0 of the UTF-8 encoding of {@code s}.
   *
   * @param s the string to hash
   * @return the 64-bit hash (to be read as unsigned)
   */
  public static long xxh64(String s) {
    return xxh64(s.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "HashRing" + memberList;
  }

  private static int computeMaxLoad(int memberCount) {
    // Go: math.Ceil(float64(partitionCount / uint64(len(members))) * load) -- integer division.
    double avgLoad = (double) (PARTITION_COUNT / memberCount) * LOAD;
    return (int) Math.ceil(avgLoad);
  }

  /** Ring key of every partition: XXH64 of the partition number as 8 little-endian bytes. */
  private static final class PartitionKeys {
    static final long[] KEYS = new long[PARTITION_COUNT];

    static {
      byte[] buf = new byte[8];
      for (int p = 0; p < PARTITION_COUNT; p++) {
        for (int i = 0; i < 8; i++) {
          buf[i] = (byte) ((long) p >>> (8 * i));
        }
        KEYS[p] = xxh64(buf);
      }
    }
  }

  /** sort.Search: first index whose unsigned value is {@code >= key}, or the length. */
  private static int searchUnsigned(long[] sorted, long key) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(sorted[mid], key) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
