package dev.vxext.benchmarks;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Plots one sweep of {@code target/cost-curves.csv} ({@link CostCurveBenchmark}) as small multiples in one
 * PNG, headless Java2D: one panel per metric, log-log axes with ticks at the measured x values, the
 * measured points, and the least-squares power fit {@code y = a x^b} on log-log (its exponent in the panel
 * title). Also prints one Markdown table row per metric with the fit.
 * <p>
 * Arguments: {@code csv x-column filter out.png title metric[:label]...}; {@code filter} is
 * {@code column=value} (only the rows where it holds) or {@code -}.
 */
public final class CurvePlot {

  private static final int PANEL_W = 420;
  private static final int PANEL_H = 300;
  private static final int COLS = 3;
  private static final int TITLE_H = 58;

  private CurvePlot() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 6) {
      System.err.println("usage: CurvePlot csv x-column filter|- out.png title metric[:label]...");
      System.exit(2);
    }
    List<String> lines = Files.readAllLines(Path.of(args[0]));
    List<String> header = Arrays.asList(lines.get(0).split(","));
    String xcol = args[1];
    String filter = args[2];
    Path png = Path.of(args[3]);
    String title = args[4];
    List<String[]> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank() || line.startsWith(header.get(0) + ",")) continue;
      String[] cells = line.split(",");
      if (!"-".equals(filter)) {
        String[] f = filter.split("=", 2);
        int fi = header.indexOf(f[0]);
        if (fi < 0 || fi >= cells.length || Double.parseDouble(cells[fi]) != Double.parseDouble(f[1])) continue;
      }
      rows.add(cells);
    }
    int xi = header.indexOf(xcol);
    rows.sort((a, b) -> Double.compare(Double.parseDouble(a[xi]), Double.parseDouble(b[xi])));
    List<String> metrics = Arrays.asList(args).subList(5, args.length);
    int panels = metrics.size();
    int cols = Math.min(COLS, panels);
    int rowsN = (panels + cols - 1) / cols;
    BufferedImage img = new BufferedImage(cols * PANEL_W, TITLE_H + rowsN * PANEL_H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
    g.drawString(title, 16, 26);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.setColor(new Color(30, 90, 180));
    g.drawString("● measured", 16, 46);
    g.setColor(new Color(220, 90, 40));
    g.drawString("- - least-squares fit y = a·x^b on log-log (b in each panel title)", 100, 46);
    g.setColor(Color.BLACK);
    System.out.println("| metric | " + xcol + " → values | fit exponent b (y ∝ x^b) | growth |");
    System.out.println("| --- | --- | ---: | --- |");
    for (int m = 0; m < panels; m++) {
      String[] spec = metrics.get(m).split(":", 2);
      String col = spec[0];
      String label = spec.length > 1 ? spec[1] : col;
      int yi = header.indexOf(col);
      if (yi < 0) throw new IllegalArgumentException("no column " + col + " in " + header);
      List<double[]> pts = new ArrayList<>();
      for (String[] r : rows) {
        if (yi < r.length && !r[yi].isBlank()) pts.add(new double[] {Double.parseDouble(r[xi]), Double.parseDouble(r[yi])});
      }
      double[] fit = fit(pts);
      int ox = (m % cols) * PANEL_W;
      int oy = TITLE_H + (m / cols) * PANEL_H;
      panel(g, ox, oy, label, xcol, pts, fit);
      StringBuilder values = new StringBuilder();
      for (double[] p : pts) {
        if (values.length() > 0) values.append(" → ");
        values.append(num(p[1]));
      }
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %s |%n", label, values,
        fit == null ? "n/a" : String.format(Locale.ROOT, "%.2f", fit[1]), fit == null ? "n/a" : growth(fit[1]));
    }
    g.dispose();
    if (png.getParent() != null) Files.createDirectories(png.getParent());
    ImageIO.write(img, "png", png.toFile());
    System.err.println("wrote " + png);
  }

  /** @return {ln a, b} of the least-squares fit of ln y = ln a + b ln x over the positive points, or null */
  static double[] fit(List<double[]> pts) {
    List<double[]> pos = pts.stream().filter(p -> p[0] > 0 && p[1] > 0).toList();
    if (pos.size() < 2) return null;
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (double[] p : pos) {
      double x = Math.log(p[0]);
      double y = Math.log(p[1]);
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    int n = pos.size();
    double b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    return new double[] {(sy - b * sx) / n, b};
  }

  static String growth(double b) {
    if (Math.abs(b) < 0.15) return "constant";
    if (b < 0) return "decreasing";
    if (b < 0.75) return "sublinear";
    if (b < 1.12) return "linear";
    if (b < 1.35) return "n log n / slightly superlinear";
    if (b < 1.75) return "superlinear";
    return "quadratic or worse";
  }

  private static void panel(Graphics2D g, int ox, int oy, String label, String xcol, List<double[]> pts, double[] fit) {
    int left = ox + 78;
    int right = ox + PANEL_W - 20;
    int top = oy + 40;
    int bottom = oy + PANEL_H - 50;
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    String head = label + (fit == null ? "" : String.format(Locale.ROOT, "   (∝ x^%.2f)", fit[1]));
    g.drawString(head, ox + 12, oy + 22);
    if (pts.isEmpty()) return;
    boolean logY = pts.stream().allMatch(p -> p[1] > 0);
    double xmin = pts.stream().mapToDouble(p -> p[0]).min().orElse(1);
    double xmax = pts.stream().mapToDouble(p -> p[0]).max().orElse(10);
    double ymin = pts.stream().mapToDouble(p -> p[1]).min().orElse(0);
    double ymax = pts.stream().mapToDouble(p -> p[1]).max().orElse(1);
    if (logY) {
      // at least a factor 10 on y, so a flat curve looks flat
      double mid = Math.sqrt(ymin * ymax);
      if (ymax / ymin < 10) {
        ymin = mid / Math.sqrt(10);
        ymax = mid * Math.sqrt(10);
      }
      ymin /= 1.3;
      ymax *= 1.3;
    } else {
      double pad = Math.max(1e-9, (ymax - ymin) * 0.15);
      ymin = Math.min(0, ymin - pad);
      ymax = ymax + pad;
    }
    double lxmin = Math.log(xmin / 1.25);
    double lxmax = Math.log(xmax * 1.25);
    final double fymin = ymin;
    final double fymax = ymax;
    java.util.function.DoubleUnaryOperator px = x -> left + (Math.log(x) - lxmin) / (lxmax - lxmin) * (right - left);
    java.util.function.DoubleUnaryOperator py = logY
      ? y -> bottom - (Math.log(y) - Math.log(fymin)) / (Math.log(fymax) - Math.log(fymin)) * (bottom - top)
      : y -> bottom - (y - fymin) / (fymax - fymin) * (bottom - top);
    // frame
    g.setColor(new Color(250, 250, 252));
    g.fillRect(left, top, right - left, bottom - top);
    g.setColor(Color.DARK_GRAY);
    g.setStroke(new BasicStroke(1f));
    g.drawRect(left, top, right - left, bottom - top);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    FontMetrics fm = g.getFontMetrics();
    // x ticks at the measured values
    for (double[] p : pts) {
      int x = (int) Math.round(px.applyAsDouble(p[0]));
      g.setColor(new Color(225, 225, 230));
      g.drawLine(x, top + 1, x, bottom - 1);
      g.setColor(Color.DARK_GRAY);
      g.drawLine(x, bottom, x, bottom + 4);
      String t = num(p[0]);
      g.drawString(t, x - fm.stringWidth(t) / 2, bottom + 17);
    }
    String xl = xcol + (" (log scale)");
    g.drawString(xl, (left + right) / 2 - fm.stringWidth(xl) / 2, bottom + 34);
    // y ticks
    List<Double> ticks = logY ? logTicks(ymin, ymax) : linTicks(ymin, ymax);
    for (double t : ticks) {
      int y = (int) Math.round(py.applyAsDouble(t));
      if (y < top - 1 || y > bottom + 1) continue;
      g.setColor(new Color(225, 225, 230));
      g.drawLine(left + 1, y, right - 1, y);
      g.setColor(Color.DARK_GRAY);
      g.drawLine(left - 4, y, left, y);
      String s = num(t);
      g.drawString(s, left - 7 - fm.stringWidth(s), y + 4);
    }
    if (logY) {
      g.drawString("log", ox + 8, top + 10);
    }
    // fit
    if (fit != null && logY) {
      g.setColor(new Color(220, 90, 40));
      g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f));
      int prevX = -1;
      int prevY = -1;
      for (int i = 0; i <= 40; i++) {
        double x = Math.exp(Math.log(xmin) + (Math.log(xmax) - Math.log(xmin)) * i / 40.0);
        double y = Math.exp(fit[0]) * Math.pow(x, fit[1]);
        int sx = (int) Math.round(px.applyAsDouble(x));
        int sy = (int) Math.round(py.applyAsDouble(Math.max(fymin, Math.min(fymax, y))));
        if (prevX >= 0) g.drawLine(prevX, prevY, sx, sy);
        prevX = sx;
        prevY = sy;
      }
    }
    // points and polyline
    g.setColor(new Color(30, 90, 180));
    g.setStroke(new BasicStroke(2f));
    for (int i = 1; i < pts.size(); i++) {
      g.drawLine((int) Math.round(px.applyAsDouble(pts.get(i - 1)[0])), (int) Math.round(py.applyAsDouble(pts.get(i - 1)[1])),
        (int) Math.round(px.applyAsDouble(pts.get(i)[0])), (int) Math.round(py.applyAsDouble(pts.get(i)[1])));
    }
    for (double[] p : pts) {
      int x = (int) Math.round(px.applyAsDouble(p[0]));
      int y = (int) Math.round(py.applyAsDouble(p[1]));
      g.fillOval(x - 4, y - 4, 9, 9);
      g.setColor(Color.BLACK);
      String s = num(p[1]);
      int w = g.getFontMetrics().stringWidth(s);
      g.drawString(s, x + 7 + w > right ? x - 7 - w : x + 7, y - 6);
      g.setColor(new Color(30, 90, 180));
    }
  }

  private static List<Double> logTicks(double min, double max) {
    List<Double> out = new ArrayList<>();
    double start = Math.pow(10, Math.floor(Math.log10(min)));
    for (double d = start; d <= max * 1.0001; d *= 10) {
      for (double m : new double[] {1, 2, 5}) {
        double t = d * m;
        if (t >= min && t <= max) out.add(t);
      }
    }
    return out;
  }

  private static List<Double> linTicks(double min, double max) {
    double step = Math.pow(10, Math.floor(Math.log10((max - min) / 5)));
    if ((max - min) / step > 10) step *= 2;
    if ((max - min) / step > 10) step *= 2.5;
    List<Double> out = new ArrayList<>();
    for (double t = Math.ceil(min / step) * step; t <= max; t += step) out.add(t);
    return out;
  }

  static String num(double v) {
    double a = Math.abs(v);
    if (a >= 1e6) return trim(v / 1e6) + "M";
    if (a >= 1e4) return trim(v / 1e3) + "k";
    if (a >= 100 || v == Math.rint(v)) return String.format(Locale.ROOT, "%.0f", v);
    if (a >= 10) return String.format(Locale.ROOT, "%.1f", v);
    if (a >= 1) return String.format(Locale.ROOT, "%.2f", v);
    if (a == 0) return "0";
    return String.format(Locale.ROOT, "%.3g", v);
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.1f", v);
    return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
  }
}
