package dev.vxext.whereis.impl;

import dev.vxext.addressbook.impl.HashRing;
import dev.vxext.process.ProcessId;
import dev.vxext.process.ProcessNames;
import dev.vxext.protocol.Protocol;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The compact JSON form of directory entries in sync messages: {@code [name, deploymentId, startedAt, seq]}
 * for an addition ({@code [..., lane]} when the process has a call lane), {@code [name, deploymentId]} for a removal. The node is the sender, never a field, so
 * a node can only speak for its own processes.
 */
final class Wire {

  private Wire() {
  }

  static JsonArray encodeUps(Collection<ProcessId> ups) {
    JsonArray array = new JsonArray(new ArrayList<>(ups.size()));
    for (ProcessId p : ups) {
      JsonArray a = new JsonArray().add(p.name()).add(p.deploymentId()).add(p.startedAt()).add(p.seq());
      array.add(p.lane() == ProcessId.NO_LANE ? a : a.add(p.lane()));
    }
    return array;
  }

  static JsonArray encodeDowns(Collection<ProcessId> downs) {
    JsonArray array = new JsonArray(new ArrayList<>(downs.size()));
    for (ProcessId p : downs) {
      array.add(new JsonArray().add(p.name()).add(p.deploymentId()));
    }
    return array;
  }

  /** @throws io.vertx.core.eventbus.ReplyException 400 when an entry is malformed */
  static List<ProcessId> decode(String node, JsonArray array, boolean withTimes) {
    if (array == null) {
      return List.of();
    }
    List<ProcessId> list = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      try {
        JsonArray a = array.getJsonArray(i);
        String name = a.getString(0);
        if (!ProcessNames.isValid(name)) {
          throw new IllegalArgumentException("invalid name");
        }
        long startedAt = withTimes ? a.getLong(2) : 0;
        long seq = withTimes ? a.getLong(3) : 0;
        int lane = withTimes && a.size() > 4 ? a.getInteger(4) : ProcessId.NO_LANE;
        list.add(new ProcessId(node, name, a.getString(1), startedAt, seq, lane));
      } catch (RuntimeException e) {
        throw Protocol.failure(Protocol.BAD_REQUEST, "malformed directory entry #" + i + " from " + node + ": " + e.getMessage());
      }
    }
    return list;
  }

  /**
   * @return an owner's answer to a locate: {@code node|deploymentId|startedAt|seq|lane} (the asker knows the
   *         name; {@code |} is in no node name or deployment id). A string: no JSON to write or parse on the
   *         hot path of every remote locate
   */
  static String encodeAnswer(ProcessId p) {
    return p.node() + '|' + p.deploymentId() + '|' + p.startedAt() + '|' + p.seq() + '|' + p.lane();
  }

  /**
   * @param answer as written by {@link #encodeAnswer}, or the {@link ProcessId#toJson()} object of an older owner
   * @throws IllegalArgumentException when it is malformed
   */
  static ProcessId decodeAnswer(String name, Object answer) {
    if (answer instanceof JsonObject json) {
      return ProcessId.fromJson(json);
    }
    if (!(answer instanceof String s)) {
      throw new IllegalArgumentException("a locate answer is a string, not " + (answer == null ? "nothing" : answer.getClass().getSimpleName()));
    }
    int a = s.indexOf('|');
    int b = s.indexOf('|', a + 1);
    int c = s.indexOf('|', b + 1);
    int d = s.indexOf('|', c + 1);
    if (a <= 0 || b < 0 || c < 0 || d < 0 || s.indexOf('|', d + 1) >= 0) {
      throw new IllegalArgumentException("malformed locate answer '" + s + "'");
    }
    return new ProcessId(s.substring(0, a), name, s.substring(a + 1, b), Long.parseLong(s.substring(b + 1, c)),
      Long.parseLong(s.substring(c + 1, d)), Integer.parseInt(s.substring(d + 1)));
  }

  /** @return a hash of one entry, combined by XOR into slice digests */
  static long hash(ProcessId p) {
    String key = p.name() + '\u0000' + p.deploymentId() + '\u0000' + p.startedAt() + '\u0000' + p.seq();
    return HashRing.xxh64(p.lane() == ProcessId.NO_LANE ? key : key + '\u0000' + p.lane());
  }
}
