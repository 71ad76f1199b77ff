package dev.vxext.whereis.impl;

import dev.vxext.addressbook.AddressBook;
import dev.vxext.addressbook.NodeEntry;
import dev.vxext.addressbook.impl.BookMaps;
import dev.vxext.addressbook.impl.ConsistentHashPlacement;
import dev.vxext.addressbook.impl.LocalMapAddressBook;
import dev.vxext.addressbook.impl.MembershipView;
import dev.vxext.process.ProcessId;
import dev.vxext.process.impl.LocalRegistry;
import dev.vxext.protocol.Protocol;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.vxext.testing.ClusterFixture.await;
import static dev.vxext.testing.ClusterFixture.awaitFailure;
import static dev.vxext.whereis.impl.DirectoryStore.Result.NEED_FULL;
import static dev.vxext.whereis.impl.DirectoryStore.Result.OK;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The twin of the Go original's {@code address_book_test.go}: one node's address book (its view, its own
 * registry, the directory share it owns) on a real Vert.x instance, written the way the node writes it
 * (the directory store and the registry on one context), read from any thread.
 */
class AddressBookTest {

  private static final String SELF = "n-a";

  private Vertx vertx;
  private BookMaps maps;
  private AddressBook book;
  private DirectoryStore store;
  private final Queue<String> duplicates = new ConcurrentLinkedQueue<>();
  private long viewVersion;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    maps = new BookMaps(vertx);
    book = new LocalMapAddressBook(SELF, 2, maps,
      (name, timeout) -> Future.failedFuture(Protocol.failure(Protocol.NOT_FOUND, "no cluster in this test")),
      new ConsistentHashPlacement());
    store = new DirectoryStore(maps.directory(), (winner, losers) -> losers.forEach(l -> duplicates.add(l.node() + "/" + l.name())));
    view("n-a", "n-b", "n-c");
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  /** The available nodes are now {@code names}. */
  private void view(String... names) {
    List<NodeEntry> nodes = new ArrayList<>();
    for (String n : names) {
      nodes.add(new NodeEntry(n, "id-" + n, null, 0, 0, List.of(), List.of()));
    }
    maps.view(new MembershipView(++viewVersion, nodes));
  }

  private static ProcessId pid(String node, String name, String deploymentId, long startedAt) {
    return new ProcessId(node, name, deploymentId, startedAt, 1);
  }

  private String located(String name) {
    return book.locateLocal(name).map(p -> p.node() + "/" + p.deploymentId()).orElse(null);
  }

  @Test
  void setLocateListRemove() {
    ProcessId p1 = pid("n-b", "worker.A", "d1", 100);
    ProcessId p2 = pid("n-b", "worker.B", "d2", 101);
    assertThat(store.applyFull("n-b", "inc", 1, List.of(p1, p2))).isEqualTo(OK);
    assertThat(book.locateLocal("worker.A")).contains(p1);
    assertThat(book.locateLocal("worker.B")).contains(p2);
    assertThat(book.locateLocal("worker.C")).isEmpty();
    assertThat(store.size()).isEqualTo(2);
    assertThat(new TreeSet<>(maps.directory().keySet())).containsExactly("worker.A", "worker.B");
    assertThat(store.applyDelta("n-b", "inc", 2, List.of(p1), List.of())).isEqualTo(OK);
    assertThat(book.locateLocal("worker.A")).isEmpty();
    assertThat(book.locateLocal("worker.B")).contains(p2);
    assertThat(store.size()).isEqualTo(1);
    assertThat(book.availableNodes()).extracting(NodeEntry::name).containsExactly("n-a", "n-b", "n-c");
    assertThat(book.selfNode()).isEqualTo(SELF);
  }

  @Test
  void theLocalRegistryListsAndRemovesThisNodesProcesses() {
    List<String> changes = new ArrayList<>();
    LocalRegistry registry = new LocalRegistry(SELF, maps.processes(), new LocalRegistry.Listener() {
      @Override
      public void up(ProcessId process) {
        changes.add("up " + process.name());
      }

      @Override
      public void down(ProcessId process) {
        changes.add("down " + process.name());
      }
    }, (name, deploymentId) -> ProcessId.NO_LANE);
    Context context = vertx.getOrCreateContext();
    Promise<Void> registered = Promise.promise();
    context.runOnContext(v -> vertx.eventBus().localConsumer("test.registry", registry::handle).completion().onComplete(registered));
    await(registered.future());
    ProcessId b = ProcessId.fromJson(await(registry("register", new JsonObject().put("name", "local.B").put("deploymentId", "d-b"))));
    ProcessId a = ProcessId.fromJson(await(registry("register", new JsonObject().put("name", "local.A").put("deploymentId", "d-a"))));
    assertThat(book.localProcesses()).containsExactly(a, b);
    assertThat(book.locateLocal("local.A")).contains(a);
    // a name is unique on its node
    Throwable taken = awaitFailure(registry("register", new JsonObject().put("name", "local.A").put("deploymentId", "d-other")));
    assertThat(((ReplyException) taken).failureCode()).isEqualTo(Protocol.CONFLICT);
    await(registry("unregister", new JsonObject().put("name", "local.A")));
    assertThat(book.localProcesses()).containsExactly(b);
    assertThat(book.locateLocal("local.A")).isEmpty();
    Throwable unknown = awaitFailure(registry("unregister", new JsonObject().put("name", "local.A")));
    assertThat(((ReplyException) unknown).failureCode()).isEqualTo(Protocol.NOT_FOUND);
    assertThat(changes).containsExactly("up local.B", "up local.A", "down local.A");
  }

  private Future<JsonObject> registry(String action, JsonObject body) {
    DeliveryOptions o = new DeliveryOptions().setLocalOnly(true).addHeader(Protocol.ACTION_HEADER, action);
    return vertx.eventBus().<JsonObject>request("test.registry", body, o).map(m -> m.body());
  }

  @Test
  void anOfflineNodeHidesItsProcessesWhichStayPurgedAfterItRejoinsUntilReAdded() {
    ProcessId p = pid("n-b", "worker.A", "d1", 100);
    store.applyFull("n-b", "inc", 1, List.of(p));
    assertThat(book.locateLocal("worker.A")).contains(p);
    // n-b is no longer available: its processes are hidden at once, before its entries are dropped
    view("n-a", "n-c");
    assertThat(book.locateLocal("worker.A")).isEmpty();
    assertThat(store.dropNode("n-b")).isEqualTo(1);
    assertThat(store.size()).isZero();
    // it rejoins: its entries stay purged, a delta cannot bring them back, only its whole slice
    view("n-a", "n-b", "n-c");
    assertThat(book.locateLocal("worker.A")).isEmpty();
    assertThat(store.applyDelta("n-b", "inc", 2, List.of(), List.of(pid("n-b", "worker.X", "dx", 102)))).isEqualTo(NEED_FULL);
    assertThat(book.locateLocal("worker.X")).isEmpty();
    store.applyFull("n-b", "inc", 2, List.of(p));
    assertThat(book.locateLocal("worker.A")).contains(p);
  }

  @Test
  void edgeCasesEmptyAddsUnknownNodesAndRemovalByIdNotByName() {
    ProcessId p = pid("n-b", "worker.A", "d1", 100);
    store.applyFull("n-b", "inc", 1, List.of(p));
    // empty changes change nothing
    assertThat(store.applyDelta("n-b", "inc", 2, List.of(), List.of())).isEqualTo(OK);
    assertThat(book.locateLocal("worker.A")).contains(p);
    // removing an unknown node, or a name a node never reported, is a no-op
    assertThat(store.dropNode("n-ghost")).isZero();
    assertThat(store.applyDelta("n-b", "inc", 3, List.of(pid("n-b", "worker.Z", "dz", 1)), List.of())).isEqualTo(OK);
    // a removal names an instance: the same name with another deployment does not remove it
    assertThat(store.applyDelta("n-b", "inc", 4, List.of(pid("n-b", "worker.A", "d-older", 90)), List.of())).isEqualTo(OK);
    assertThat(book.locateLocal("worker.A")).contains(p);
    // nor does one node remove another's instance
    store.applyFull("n-c", "inc", 1, List.of());
    assertThat(store.applyDelta("n-c", "inc", 2, List.of(p), List.of())).isEqualTo(OK);
    assertThat(book.locateLocal("worker.A")).contains(p);
    // the same instance does
    assertThat(store.applyDelta("n-b", "inc", 5, List.of(p), List.of())).isEqualTo(OK);
    assertThat(book.locateLocal("worker.A")).isEmpty();
    // an empty full slice empties what the node reported
    store.applyFull("n-b", "inc", 6, List.of(pid("n-b", "worker.B", "d2", 101)));
    store.applyFull("n-b", "inc", 7, List.of());
    assertThat(store.size()).isZero();
    assertThat(maps.directory()).isEmpty();
  }

  @Test
  void anUpdateReplacesTheInstanceAndAFullSliceReplacesTheSlice() {
    store.applyFull("n-b", "inc", 1, List.of(pid("n-b", "worker.A", "d1", 100), pid("n-b", "worker.B", "d2", 101)));
    // a restart within one batch: the new instance replaces the old one, which is not a duplicate of it
    ProcessId restarted = pid("n-b", "worker.A", "d3", 200);
    store.applyDelta("n-b", "inc", 2, List.of(pid("n-b", "worker.A", "d1", 100)), List.of(restarted));
    assertThat(book.locateLocal("worker.A")).contains(restarted);
    assertThat(maps.directory().get("worker.A").instances()).containsExactly(restarted);
    ProcessId again = pid("n-b", "worker.A", "d4", 300);
    store.applyDelta("n-b", "inc", 3, List.of(), List.of(again));
    assertThat(maps.directory().get("worker.A").instances()).containsExactly(again);
    store.applyFull("n-b", "inc", 4, List.of(pid("n-b", "worker.C", "d5", 400)));
    assertThat(book.locateLocal("worker.A")).isEmpty();
    assertThat(book.locateLocal("worker.B")).isEmpty();
    assertThat(located("worker.C")).isEqualTo("n-b/d5");
    assertThat(duplicates).isEmpty();
  }

  @Test
  void locateSkipsUnavailableNodesAndTheOldestInstanceWins() {
    ProcessId older = pid("n-b", "worker.A", "d1", 100);
    ProcessId younger = pid("n-c", "worker.A", "d2", 200);
    store.applyFull("n-c", "inc", 1, List.of(younger));
    store.applyFull("n-b", "inc", 1, List.of(older));
    assertThat(book.locateLocal("worker.A")).contains(older);
    assertThat(duplicates).containsExactly("n-c/worker.A");
    // the oldest instance's node is not available: the next oldest on an available node answers
    view("n-a", "n-c");
    assertThat(book.locateLocal("worker.A")).contains(younger);
    view("n-a");
    assertThat(book.locateLocal("worker.A")).isEmpty();
    view("n-a", "n-b", "n-c");
    assertThat(book.locateLocal("worker.A")).contains(older);
    // equal start times: the smallest node name wins
    ProcessId tieC = pid("n-c", "worker.T", "d3", 500);
    ProcessId tieB = pid("n-b", "worker.T", "d4", 500);
    store.applyDelta("n-c", "inc", 2, List.of(), List.of(tieC));
    store.applyDelta("n-b", "inc", 2, List.of(), List.of(tieB));
    assertThat(book.locateLocal("worker.T")).contains(tieB);
  }

  @Test
  void concurrentWritersReadersAndTopologyTogglesLoseNoUpdate() throws Exception {
    List<String> senders = List.of("n-b", "n-c", "n-d", "n-e");
    String[] all = {"n-a", "n-b", "n-c", "n-d", "n-e"};
    view(all);
    Context context = vertx.getOrCreateContext();
    // confined to the context, as in a node: each sender's current slice, seq and availability
    Map<String, Map<String, ProcessId>> slices = new HashMap<>();
    Map<String, Long> seqs = new HashMap<>();
    Set<String> offline = new TreeSet<>();
    senders.forEach(s -> {
      slices.put(s, new HashMap<>());
      seqs.put(s, 0L);
    });
    int rounds = 2_000;
    int namesPerSender = 20;
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong reads = new AtomicLong();
    Queue<String> wrong = new ConcurrentLinkedQueue<>();
    ExecutorService threads = Executors.newFixedThreadPool(senders.size() + 3);
    List<java.util.concurrent.Future<?>> done = new ArrayList<>();
    // writers: one thread per sender, each change applied on the context (a delta, or its whole slice
    // when the owner lost track of it)
    for (String s : senders) {
      done.add(threads.submit(() -> {
        List<Future<Void>> applied = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          String name = s + ".p" + (r % namesPerSender);
          ProcessId next = pid(s, name, s + "-d" + r, r);
          Promise<Void> p = Promise.promise();
          applied.add(p.future());
          context.runOnContext(v -> {
            ProcessId old = slices.get(s).put(name, next);
            long seq = seqs.merge(s, 1L, Long::sum);
            if (!offline.contains(s)
              && store.applyDelta(s, "inc", seq, old == null ? List.of() : List.of(old), List.of(next)) == NEED_FULL) {
              store.applyFull(s, "inc", seq, List.copyOf(slices.get(s).values()));
            }
            p.complete();
          });
        }
        await(Future.join(applied));
        return null;
      }));
    }
    // topology toggles: a sender goes offline (purged), then rejoins (its whole slice again)
    done.add(threads.submit(() -> {
      Random random = new Random(7);
      for (int i = 0; i < 200; i++) {
        String s = senders.get(random.nextInt(senders.size()));
        Promise<Void> p = Promise.promise();
        context.runOnContext(v -> {
          offline.add(s);
          view(java.util.Arrays.stream(all).filter(n -> !offline.contains(n)).toArray(String[]::new));
          store.dropNode(s);
          p.complete();
        });
        await(p.future());
        Promise<Void> back = Promise.promise();
        context.runOnContext(v -> {
          offline.remove(s);
          view(java.util.Arrays.stream(all).filter(n -> !offline.contains(n)).toArray(String[]::new));
          store.applyFull(s, "inc", seqs.merge(s, 1L, Long::sum), List.copyOf(slices.get(s).values()));
          back.complete();
        });
        await(back.future());
      }
      return null;
    }));
    // readers on other threads: never an exception, never another name's process
    for (int t = 0; t < 2; t++) {
      threads.submit(() -> {
        Random random = new Random();
        while (writing.get()) {
          String name = senders.get(random.nextInt(senders.size())) + ".p" + random.nextInt(namesPerSender);
          try {
            book.locateLocal(name).filter(p -> !p.name().equals(name)).ifPresent(p -> wrong.add(name + " -> " + p));
            book.pickNode(name);
            book.availableNodes();
            reads.incrementAndGet();
          } catch (RuntimeException e) {
            wrong.add(name + ": " + e);
          }
        }
      });
    }
    for (java.util.concurrent.Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    writing.set(false);
    threads.shutdown();
    assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(wrong).isEmpty();
    assertThat(reads.get()).isPositive();
    // no lost update: every name resolves to the last instance its node reported
    for (String s : senders) {
      for (int i = 0; i < namesPerSender; i++) {
        String name = s + ".p" + i;
        int last = rounds - namesPerSender + i;
        assertThat(located(name)).as(name).isEqualTo(s + "/" + s + "-d" + last);
      }
    }
    assertThat(store.size()).isEqualTo(senders.size() * namesPerSender);
    assertThat(duplicates).isEmpty();
  }
}
