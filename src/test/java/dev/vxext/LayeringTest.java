package dev.vxext;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packages form layers that import downward only (README "Layout"), read from the sources: every
 * reference to a {@code dev.vxext} class of another package (an import or a qualified name) goes to a unit
 * of a lower layer (a package and its {@code impl} count as one unit), and no feature imports another.
 */
class LayeringTest {

  private static final Map<String, Integer> LAYERS = Map.ofEntries(
    Map.entry("dev.vxext.protocol", 0), Map.entry("dev.vxext.config", 0), Map.entry("dev.vxext.spi", 0),
    Map.entry("dev.vxext.process", 1), Map.entry("dev.vxext.addressbook", 2), Map.entry("dev.vxext.cluster", 3),
    Map.entry("dev.vxext.metrics", 4), Map.entry("dev.vxext.runtime", 5),
    Map.entry("dev.vxext.whereis", 6), Map.entry("dev.vxext.daemon", 6), Map.entry("dev.vxext.cron", 6),
    Map.entry("dev.vxext.admin", 6), Map.entry("dev.vxext", 7), Map.entry("dev.vxext.launcher", 8));
  private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
  private static final Pattern REFERENCE = Pattern.compile("\\b(dev\\.vxext(?:\\.[a-z]\\w*)*)\\.([A-Z]\\w*)");

  static String unit(String pkg) {
    return pkg.endsWith(".impl") ? pkg.substring(0, pkg.length() - ".impl".length()) : pkg;
  }

  /** @return "file -> unit" for every reference running against the layering (or between two features) */
  static List<String> against(Path sources) throws IOException {
    Map<Path, String> packages = new HashMap<>();
    Set<String> classes = new HashSet<>();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = PACKAGE.matcher(Files.readString(p));
        if (m.find()) {
          packages.put(p, m.group(1));
          classes.add(m.group(1) + "." + p.getFileName().toString().replace(".java", ""));
        }
      }
    }
    Set<String> against = new TreeSet<>();
    for (Map.Entry<Path, String> file : packages.entrySet()) {
      String code = Files.readString(file.getKey()).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
      String from = unit(file.getValue());
      Matcher m = REFERENCE.matcher(code);
      while (m.find()) {
        String to = unit(m.group(1));
        if (to.equals(from) || !classes.contains(m.group(1) + "." + m.group(2))) {
          continue;
        }
        Integer lf = LAYERS.get(from);
        Integer lt = LAYERS.get(to);
        if (lf == null || lt == null) {
          against.add(sources.relativize(file.getKey()) + " -> " + to + " (a package without a layer)");
        } else if (lt > lf || (lt.equals(lf) && lf == 6)) {
          against.add(sources.relativize(file.getKey()) + " -> " + to);
        }
      }
    }
    return new ArrayList<>(against);
  }

  @Test
  void thePackagesImportDownwardOnlyAndNoFeatureImportsAnother() throws IOException {
    assertThat(against(Path.of("src/main/java"))).isEmpty();
  }

  @Test
  void anImportUpwardIsCaught(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
    Path file = dir.resolve("dev/vxext/process/impl/Bad.java");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "package dev.vxext.process.impl;\nimport dev.vxext.daemon.Spawner;\nclass Bad { Spawner s; }\n");
    Path spawner = dir.resolve("dev/vxext/daemon/Spawner.java");
    Files.createDirectories(spawner.getParent());
    Files.writeString(spawner, "package dev.vxext.daemon;\npublic interface Spawner { dev.vxext.cron.CronJob job(); }\n");
    Path cron = dir.resolve("dev/vxext/cron/CronJob.java");
    Files.createDirectories(cron.getParent());
    Files.writeString(cron, "package dev.vxext.cron;\npublic class CronJob { }\n");
    assertThat(against(dir)).containsExactly(
      "dev/vxext/daemon/Spawner.java -> dev.vxext.cron",
      "dev/vxext/process/impl/Bad.java -> dev.vxext.daemon");
  }
}
