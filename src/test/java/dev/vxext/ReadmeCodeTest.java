package dev.vxext;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's Java cannot rot: every {@code ```java} block is announced by a comment
 * {@code <!-- code: path[#tag,tag...] -->} naming a file of {@code examples/} (compiled and run by the
 * examples project's tests) and is exactly that file, or its tagged regions ({@code // tag::x[]} ...
 * {@code // end::x[]}, dedented, joined by a blank line).
 */
class ReadmeCodeTest {

  private static final Pattern SOURCE = Pattern.compile("<!-- code: ([^#\\s]+)(?:#([\\w,.-]+))? -->");

  record Block(int line, String source, String code) {
  }

  static List<Block> javaBlocks(List<String> readme) {
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < readme.size(); i++) {
      if (!readme.get(i).trim().equals("```java")) {
        continue;
      }
      String source = i > 0 ? readme.get(i - 1).trim() : "";
      StringBuilder code = new StringBuilder();
      int j = i + 1;
      while (j < readme.size() && !readme.get(j).trim().equals("```")) {
        code.append(readme.get(j)).append('\n');
        j++;
      }
      blocks.add(new Block(i + 1, source, code.toString()));
      i = j;
    }
    return blocks;
  }

  static String expected(String source) throws IOException {
    Matcher m = SOURCE.matcher(source);
    if (!m.matches()) {
      throw new AssertionError("a ```java block must follow a line <!-- code: examples/...java[#tag] --> (found: '" + source + "')");
    }
    Path file = Path.of(m.group(1));
    assertThat(file).as("the README's source file").exists();
    List<String> lines = Files.readAllLines(file);
    if (m.group(2) == null) {
      return String.join("\n", lines) + "\n";
    }
    List<String> parts = new ArrayList<>();
    for (String tag : m.group(2).split(",")) {
      parts.add(region(lines, tag, file));
    }
    return String.join("\n", parts);
  }

  private static String region(List<String> lines, String tag, Path file) {
    int start = -1;
    int end = -1;
    for (int i = 0; i < lines.size(); i++) {
      String t = lines.get(i).trim();
      if (t.equals("// tag::" + tag + "[]")) {
        start = i + 1;
      } else if (t.equals("// end::" + tag + "[]")) {
        end = i;
      }
    }
    if (start < 0 || end < start) {
      throw new AssertionError("no region '" + tag + "' in " + file);
    }
    List<String> region = lines.subList(start, end);
    int indent = region.stream().filter(l -> !l.isBlank())
      .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    StringBuilder out = new StringBuilder();
    for (String l : region) {
      out.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
    }
    return out.toString();
  }

  @Test
  void everyJavaBlockOfTheReadmeIsCodeTheExamplesCompileAndRun() throws IOException {
    List<Block> blocks = javaBlocks(Files.readAllLines(Path.of("README.md")));
    assertThat(blocks).hasSizeGreaterThanOrEqualTo(4);
    for (Block block : blocks) {
      assertThat(block.code()).as("README.md line %d (%s)", block.line(), block.source())
        .isEqualTo(expected(block.source()));
    }
  }

  @Test
  void aBlockWithoutItsSourceOrWithEditedCodeIsCaught() throws IOException {
    List<Block> blocks = javaBlocks(List.of("```java", "x();", "```",
      "<!-- code: examples/src/main/java/dev/vxext/examples/CronExample.java#cron -->", "```java", "edited();", "```"));
    assertThat(blocks).hasSize(2);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> expected(blocks.get(0).source()))
      .hasMessageContaining("must follow a line <!-- code:");
    assertThat(blocks.get(1).code()).isNotEqualTo(expected(blocks.get(1).source()));
  }
}
