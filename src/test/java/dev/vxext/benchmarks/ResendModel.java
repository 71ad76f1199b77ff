package dev.vxext.benchmarks;

import dev.vxext.addressbook.impl.HashRing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model, no cluster: what one node resends when a node joins a ring of K (see {@code ShardSync.viewChanged}:
 * every owner stream whose slice changed gets the whole slice again), against the entries whose owners
 * actually changed. Names round robin as in {@link CostCurveBenchmark}; the sender is node-1.
 * Arguments: {@code entries-per-node K[,K...]}, e.g. {@code 20000 3,5,12,100}.
 */
public final class ResendModel {

  private ResendModel() {
  }

  public static void main(String[] a) {
    int perNode = Integer.parseInt(a[0]);
    for (String ks : a[1].split(",")) {
      int k = Integer.parseInt(ks);
      List<String> old = new ArrayList<>();
      for (int i = 1; i <= k; i++) old.add("node-" + i);
      List<String> grown = new ArrayList<>(old);
      grown.add("node-" + (k + 1));
      HashRing r0 = HashRing.of(old), r1 = HashRing.of(grown);
      String self = "node-1";
      Map<String, Set<String>> s0 = new HashMap<>(), s1 = new HashMap<>();
      long moved = 0;
      for (int j = 0; j < perNode; j++) {
        String name = "p-" + (j * k);
        List<String> o0 = r0.owners(name, 2), o1 = r1.owners(name, 2);
        if (!new HashSet<>(o0).equals(new HashSet<>(o1))) moved++;
        for (String o : o0) if (!o.equals(self)) s0.computeIfAbsent(o, x -> new HashSet<>()).add(name);
        for (String o : o1) if (!o.equals(self)) s1.computeIfAbsent(o, x -> new HashSet<>()).add(name);
      }
      long total = 0, resent = 0; int changed = 0;
      for (Map.Entry<String, Set<String>> e : s1.entrySet()) {
        total += e.getValue().size();
        if (!e.getValue().equals(s0.getOrDefault(e.getKey(), Set.of()))) { resent += e.getValue().size(); changed++; }
      }
      System.out.printf("K=%d: streams %d, changed %d, entries sent in full %d of %d (f=%.2f), entries whose owners changed %d (x%.1f)%n",
        k, s1.size(), changed, resent, total, resent / (double) total, moved, resent / (double) Math.max(1, moved));
    }
  }
}
