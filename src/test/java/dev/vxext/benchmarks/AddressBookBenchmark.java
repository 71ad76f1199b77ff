package dev.vxext.benchmarks;

import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.addressbook.impl.ConsistentHashPlacement;
import dev.vxext.addressbook.impl.DirectoryEntry;
import dev.vxext.addressbook.impl.LocalMapAddressBook;
import dev.vxext.addressbook.impl.MembershipView;
import dev.vxext.addressbook.NodeEntry;
import dev.vxext.process.ProcessId;
import io.vertx.core.Vertx;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The address book's hot reads: {@code locateLocal} (a process of this node, and an entry this node
 * owns) and {@code pickNode} through the published view, against a baseline of a plain
 * {@code LocalMap.get}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AddressBookBenchmark {

  @Param({"10", "50"})
  public int nodes;

  private Vertx vertx;
  private LocalMapAddressBook book;
  private BookMaps maps;
  private String[] names;
  private int i;

  @Setup(Level.Trial)
  public void setUp() {
    vertx = Vertx.vertx();
    maps = new BookMaps(vertx);
    List<NodeEntry> entries = new ArrayList<>();
    for (int n = 0; n < nodes; n++) {
      entries.add(new NodeEntry("node-" + n, "id-" + n, "127.0.0.1", 1000 + n, 0, List.of(), List.of()));
    }
    maps.view(new MembershipView(1, entries));
    names = new String[1024];
    for (int k = 0; k < names.length; k++) {
      names[k] = "worker-" + k;
      ProcessId p = new ProcessId("node-" + (k % nodes), names[k], "dep-" + k, k, k);
      if (k % 2 == 0) {
        maps.processes().put(names[k], p);
      } else {
        maps.directory().put(names[k], DirectoryEntry.of(List.of(p)));
      }
    }
    book = new LocalMapAddressBook("node-0", 2, maps,
        (name, timeout) -> io.vertx.core.Future.failedFuture("no cluster lookup in this benchmark"),
        new ConsistentHashPlacement());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    vertx.close();
  }

  private String next() {
    return names[(i++) & 1023];
  }

  @Benchmark
  public Optional<ProcessId> locateLocalHit() {
    return book.locateLocal(next());
  }

  @Benchmark
  public String pickNode() {
    return book.pickNode(next());
  }

  @Benchmark
  public ProcessId baselineLocalMapGet() {
    return maps.processes().get(next());
  }
}
