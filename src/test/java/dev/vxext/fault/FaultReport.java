package dev.vxext.fault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * What one fault scenario prints: tables, notes and checks; it passes when every check passes.
 * {@link #print()} renders it as plain text.
 */
final class FaultReport {

  /** One invariant check. */
  record Check(String name, boolean pass, String detail) {
  }

  private record Table(String title, List<String> header, List<List<String>> rows) {
  }

  final String scenario;
  private final List<Object> parts = new ArrayList<>();
  private final List<Check> checks = new ArrayList<>();
  private long runtimeMs = -1;

  FaultReport(String scenario) {
    this.scenario = scenario;
  }

  /** Starts a table; add rows with {@link #row(Object...)}. */
  FaultReport table(String title, String... header) {
    parts.add(new Table(title, List.of(header), new ArrayList<>()));
    return this;
  }

  /** Adds a row to the last table. */
  FaultReport row(Object... cells) {
    Table t = null;
    for (int i = parts.size() - 1; i >= 0 && t == null; i--) {
      if (parts.get(i) instanceof Table table) {
        t = table;
      }
    }
    if (t == null) {
      throw new IllegalStateException("no table");
    }
    List<String> row = new ArrayList<>();
    for (Object c : cells) {
      row.add(String.valueOf(c));
    }
    t.rows().add(row);
    return this;
  }

  /** Adds a line of text. */
  FaultReport note(String text) {
    parts.add(text);
    return this;
  }

  /** Adds a check. */
  FaultReport check(String name, boolean pass, String detail) {
    checks.add(new Check(name, pass, detail));
    return this;
  }

  void runtime(long ms) {
    runtimeMs = ms;
  }

  long runtime() {
    return runtimeMs;
  }

  boolean passed() {
    return !checks.isEmpty() && checks.stream().allMatch(Check::pass);
  }

  List<Check> checks() {
    return List.copyOf(checks);
  }

  /** @return the report as text */
  String render() {
    StringBuilder sb = new StringBuilder();
    sb.append("== ").append(scenario).append(" ==\n");
    for (Object p : parts) {
      if (p instanceof Table t) {
        renderTable(sb, t);
      } else {
        sb.append(p).append('\n');
      }
    }
    sb.append("checks:\n");
    for (Check c : checks) {
      sb.append(c.pass() ? "  [ok]   " : "  [FAIL] ").append(c.name());
      if (c.detail() != null && !c.detail().isEmpty()) {
        sb.append(" -- ").append(c.detail());
      }
      sb.append('\n');
    }
    sb.append(scenario).append(": ").append(passed() ? "PASS" : "FAIL");
    if (runtimeMs >= 0) {
      sb.append(" (").append(String.format("%.1f", runtimeMs / 1000.0)).append(" s)");
    }
    return sb.append('\n').toString();
  }

  void print() {
    System.out.print(render());
    System.out.flush();
  }

  private static void renderTable(StringBuilder sb, Table t) {
    if (t.title() != null && !t.title().isEmpty()) {
      sb.append(t.title()).append('\n');
    }
    int cols = t.header().size();
    int[] width = new int[cols];
    for (int c = 0; c < cols; c++) {
      width[c] = t.header().get(c).length();
      for (List<String> r : t.rows()) {
        if (c < r.size()) {
          width[c] = Math.max(width[c], r.get(c).length());
        }
      }
    }
    line(sb, t.header(), width);
    List<String> rule = new ArrayList<>();
    for (int c = 0; c < cols; c++) {
      rule.add("-".repeat(width[c]));
    }
    line(sb, rule, width);
    for (List<String> r : t.rows()) {
      line(sb, r, width);
    }
  }

  private static void line(StringBuilder sb, List<String> cells, int[] width) {
    sb.append("| ");
    for (int c = 0; c < width.length; c++) {
      String v = c < cells.size() ? cells.get(c) : "";
      sb.append(v).append(" ".repeat(width[c] - v.length())).append(c + 1 < width.length ? " | " : " |");
    }
    sb.append('\n');
  }

  /**
   * The time of a node log line ({@code HH:mm:ss.SSS ...}, this host's zone, today or yesterday), epoch
   * ms; -1 when the line has no time.
   */
  static long logTime(String line, long near) {
    if (line.length() < 12) {
      return -1;
    }
    try {
      LocalTime t = LocalTime.parse(line.substring(0, 12));
      ZoneId zone = ZoneId.systemDefault();
      LocalDate day = LocalDateTime.ofInstant(java.time.Instant.ofEpochMilli(near), zone).toLocalDate();
      long best = -1;
      for (int d = -1; d <= 1; d++) {
        long ms = day.plusDays(d).atTime(t).atZone(zone).toInstant().toEpochMilli();
        if (best < 0 || Math.abs(ms - near) < Math.abs(best - near)) {
          best = ms;
        }
      }
      return best;
    } catch (DateTimeParseException e) {
      return -1;
    }
  }

  /** @return the lines of the file {@code log} containing any of {@code needles} */
  static List<String> grep(Path log, String... needles) {
    List<String> found = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        for (String n : needles) {
          if (line.contains(n)) {
            found.add(line);
            break;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      found.add("(log unreadable: " + e.getMessage() + ")");
    }
    return found;
  }

  /** @return a node log line without its time and thread: {@code LEVEL Logger - message} */
  static String logText(String line) {
    int i = line.indexOf("] ");
    return i >= 0 && i < 80 ? line.substring(i + 2) : line;
  }

  /** @return {@code ms} as {@code +1234 ms} relative to {@code t0}, or "-" when {@code ms < 0} */
  static String rel(long ms, long t0) {
    return ms < 0 ? "-" : (ms - t0 >= 0 ? "+" : "") + (ms - t0) + " ms";
  }

  /** @return the median of {@code values} (0 when empty) */
  static long median(List<Long> values) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Long> s = values.stream().sorted().toList();
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  /** @return the first {@code n} items of {@code list} as text, with the count of the others */
  static String firstN(List<?> list, int n) {
    if (list.size() <= n) {
      return list.toString();
    }
    return list.subList(0, n) + " and " + (list.size() - n) + " more";
  }

  /** @return the maximum of {@code values} (0 when empty) */
  static long max(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).max().orElse(0);
  }
}
