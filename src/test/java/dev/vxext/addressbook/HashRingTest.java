package dev.vxext.addressbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vxext.addressbook.impl.ConsistentHashPlacement;
import dev.vxext.addressbook.impl.HashRing;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HashRingTest {

  private static final String VECTORS = "ring-vectors.json";

  private static JsonObject vectors() {
    try (InputStream in = HashRingTest.class.getClassLoader().getResourceAsStream(VECTORS)) {
      if (in != null) {
        return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      Path path = Path.of("..", "shared", "testdata", VECTORS);
      assertThat(path).as("reference vectors").exists();
      return new JsonObject(Files.readString(path, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      out.add(array.getString(i));
    }
    return out;
  }

  private static List<String> nodes(int count) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add("node-" + i);
    }
    return out;
  }

  @Test
  void xxh64MatchesReference() {
    JsonObject checks = vectors().getJsonObject("xxh64Checks");
    assertThat(checks.fieldNames()).isNotEmpty();
    for (String input : checks.fieldNames()) {
      String hex = String.format("%016x", HashRing.xxh64(input));
      assertThat(hex).as("xxh64(%s)", input).isEqualTo(checks.getString(input));
      byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
      assertThat(HashRing.xxh64(bytes)).isEqualTo(HashRing.xxh64(input));
    }
  }

  @Test
  void matchesReferenceVectors() {
    JsonArray cases = vectors().getJsonArray("cases");
    assertThat(cases.size()).isGreaterThan(0);
    int picks = 0;
    for (int c = 0; c < cases.size(); c++) {
      JsonObject vector = cases.getJsonObject(c);
      List<String> members = strings(vector.getJsonArray("members"));
      HashRing ring = HashRing.of(members);
      String label = "case " + members;

      JsonObject loads = vector.getJsonObject("loads");
      assertThat(ring.loads()).as(label + " loads").hasSize(loads.size());
      for (String member : loads.fieldNames()) {
        assertThat(ring.loads().get(member)).as(label + " load of " + member)
            .isEqualTo(loads.getInteger(member));
      }

      JsonObject owners = vector.getJsonObject("partitionOwners");
      for (String partition : owners.fieldNames()) {
        assertThat(ring.partitionOwner(Integer.parseInt(partition)))
            .as(label + " owner of partition " + partition)
            .isEqualTo(owners.getString(partition));
      }

      JsonObject expected = vector.getJsonObject("picks");
      assertThat(expected.fieldNames()).contains("", "ünïcødé.名前");
      for (String key : expected.fieldNames()) {
        assertThat(ring.locate(key)).as(label + " locate(" + key + ")")
            .isEqualTo(expected.getString(key));
        picks++;
      }
    }
    assertThat(picks).isGreaterThan(0);
  }

  @Test
  void memberOrderDoesNotMatter() {
    List<String> members = nodes(17);
    HashRing reference = HashRing.of(members);
    Random random = new Random(42);
    for (int round = 0; round < 5; round++) {
      List<String> shuffled = new ArrayList<>(members);
      Collections.shuffle(shuffled, random);
      shuffled.add(shuffled.get(0)); // duplicates are ignored
      HashRing ring = HashRing.of(shuffled);
      assertThat(ring.members()).isEqualTo(reference.members());
      assertThat(ring.loads()).isEqualTo(reference.loads());
      for (int p = 0; p < HashRing.PARTITION_COUNT; p++) {
        assertThat(ring.partitionOwner(p)).isEqualTo(reference.partitionOwner(p));
      }
    }
  }

  @Test
  void addingAMemberMovesFewKeys() {
    HashRing before = HashRing.of(nodes(10));
    HashRing after = HashRing.of(nodes(11));
    int keys = 100_000;
    int moved = 0;
    for (int i = 0; i < keys; i++) {
      String key = "key-" + i;
      if (!before.locate(key).equals(after.locate(key))) {
        moved++;
      }
    }
    assertThat((double) moved).isLessThanOrEqualTo(keys * (1.0 / 11 + 0.05));
  }

  @Test
  void loadsAreBounded() {
    for (int count = 1; count <= 50; count++) {
      HashRing ring = HashRing.of(nodes(count));
      int expectedMax = (int) Math.ceil((HashRing.PARTITION_COUNT / count) * HashRing.LOAD);
      assertThat(ring.maxLoad()).isEqualTo(expectedMax);
      Map<String, Integer> loads = ring.loads();
      assertThat(loads).hasSize(count);
      assertThat(loads.values()).allSatisfy(l -> assertThat(l).isLessThanOrEqualTo(expectedMax));
      assertThat(loads.values().stream().mapToInt(Integer::intValue).sum())
          .isEqualTo(HashRing.PARTITION_COUNT);
    }
  }

  @Test
  void ownersAreDistinctAndStartWithLocate() {
    HashRing ring = HashRing.of(nodes(7));
    for (int i = 0; i < 500; i++) {
      String key = "worker-" + i;
      for (int n = 1; n <= 9; n++) {
        List<String> owners = ring.owners(key, n);
        assertThat(owners).hasSize(Math.min(n, 7)).doesNotHaveDuplicates();
        assertThat(owners.get(0)).isEqualTo(ring.locate(key));
        assertThat(ring.members()).containsAll(owners);
        if (n > 1) {
          assertThat(owners).startsWith(ring.owners(key, n - 1).toArray(new String[0]));
        }
      }
    }
    assertThat(ring.owners("x", 1)).containsExactly(ring.locate("x"));
    assertThat(new HashSet<>(ring.owners("x", 100))).isEqualTo(new HashSet<>(ring.members()));
  }

  @Test
  void ownersRejectsInvalidCount() {
    HashRing ring = HashRing.of(nodes(3));
    assertThatThrownBy(() -> ring.owners("k", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("n must be >= 1");
    assertThatThrownBy(() -> HashRing.of(List.of()).owners("k", -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void emptyRing() {
    HashRing ring = HashRing.of(List.of());
    assertThat(ring.isEmpty()).isTrue();
    assertThat(ring.size()).isZero();
    assertThat(ring.members()).isEmpty();
    assertThat(ring.loads()).isEmpty();
    assertThat(ring.locate("anything")).isNull();
    assertThat(ring.partitionOwner(0)).isNull();
    assertThat(ring.owners("anything", 3)).isEmpty();
  }

  @Test
  void nullArgumentsAreRejected() {
    assertThatThrownBy(() -> HashRing.of(Arrays.asList("a", null)))
        .isInstanceOf(NullPointerException.class).hasMessage("member");
    HashRing ring = HashRing.of(List.of("a"));
    assertThatThrownBy(() -> ring.locate(null))
        .isInstanceOf(NullPointerException.class).hasMessage("key");
    assertThatThrownBy(() -> ring.members().add("b"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void placementMatchesRing() {
    ConsistentHashPlacement placement = new ConsistentHashPlacement();
    List<String> members = nodes(5);
    HashRing ring = HashRing.of(members);
    List<String> reversed = new ArrayList<>(members);
    Collections.reverse(reversed);
    for (int i = 0; i < 1000; i++) {
      String name = "daemon-" + i;
      assertThat(placement.choose(name, members)).isEqualTo(ring.locate(name));
      assertThat(placement.choose(name, reversed)).isEqualTo(ring.locate(name));
    }
    assertThat(placement.ring(new ArrayList<>(members))).isSameAs(placement.ring(members));
    assertThat(placement.choose("x", List.of())).isNull();
    assertThat(placement.choose("x", List.of("solo"))).isEqualTo("solo");
  }
}
