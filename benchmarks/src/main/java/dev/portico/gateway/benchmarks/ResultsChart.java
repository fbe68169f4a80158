package dev.portico.gateway.benchmarks;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws the load test's results as a PNG, headless, from the CSV {@code benchmarks/run.sh} wrote:
 *
 * <pre>{@code
 * java -Djava.awt.headless=true -cp benchmarks.jar dev.portico.gateway.benchmarks.ResultsChart \
 *     load benchmarks/target/loadtest-20261126T090000Z.csv benchmarks/target/loadtest-20261126T090000Z.png "c=64, 2 cores"
 * java -Djava.awt.headless=true -cp benchmarks.jar dev.portico.gateway.benchmarks.ResultsChart \
 *     warmup benchmarks/target/warmup-20261126T090000Z-series.csv benchmarks/target/warmup-20261126T090000Z.png
 * }</pre>
 *
 * <ul>
 *   <li>{@code load}: two bar charts, one above the other: requests/s and p99 latency (ms) per
 *       target, one bar per response body size. Reads the columns {@code target}, {@code body},
 *       {@code requests_per_s} and {@code p99_ms}.
 *   <li>{@code warmup}: requests/s per second since the JVM started, one line per target and body.
 *       Reads {@code target}, {@code body}, {@code seconds_since_start} and {@code requests_per_s}.
 * </ul>
 * The optional last argument is a subtitle (connections, durations, machine).
 */
public final class ResultsChart {
  private static final int WIDTH = 1000;
  private static final Map<String, String> LABELS = Map.of(
      "direct", "direct (nginx upstream)",
      "portico-plain", "Portico, plain proxy",
      "portico-full", "Portico, JWT + rate limit + log",
      "jetty-proxy", "Jetty ProxyHandler.Reverse",
      "scg", "Spring Cloud Gateway",
      "nginx-proxy", "nginx reverse proxy");

  private ResultsChart() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 3 || !List.of("load", "warmup").contains(args[0])) {
      System.err.println("usage: ResultsChart load|warmup RESULTS.csv CHART.png [SUBTITLE]");
      System.exit(2);
    }
    List<Map<String, String>> rows = read(Path.of(args[1]));
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(args[1] + ": no rows");
    }
    String subtitle = args.length > 3 ? args[3] : "";
    BufferedImage image = "load".equals(args[0]) ? load(rows, subtitle) : warmup(rows, subtitle);
    Path out = Path.of(args[2]);
    if (!ImageIO.write(image, "png", out.toFile())) {
      throw new IOException("no PNG writer");
    }
    System.out.println(out.toAbsolutePath());
  }

  private static BufferedImage load(List<Map<String, String>> rows, String subtitle) {
    DefaultCategoryDataset throughput = new DefaultCategoryDataset();
    DefaultCategoryDataset p99 = new DefaultCategoryDataset();
    for (Map<String, String> row : rows) {
      String target = label(column(row, "target"));
      String body = body(column(row, "body"));
      throughput.addValue(number(row, "requests_per_s"), body, target);
      p99.addValue(number(row, "p99_ms"), body, target);
    }
    int rowHeight = 40 * throughput.getColumnCount() * Math.max(1, throughput.getRowCount()) / 2 + 160;
    JFreeChart top = bars("Requests per second (higher is better)", "requests/s", throughput, subtitle, "#,##0");
    JFreeChart bottom = bars("p99 latency (lower is better)", "ms", p99, "", "0.00");
    BufferedImage image = new BufferedImage(WIDTH, 2 * rowHeight, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = graphics(image);
    top.draw(g, new Rectangle2D.Double(0, 0, WIDTH, rowHeight));
    bottom.draw(g, new Rectangle2D.Double(0, rowHeight, WIDTH, rowHeight));
    g.dispose();
    return image;
  }

  private static JFreeChart bars(String title, String axis, DefaultCategoryDataset data, String subtitle, String format) {
    JFreeChart chart = ChartFactory.createBarChart(title, null, axis, data, PlotOrientation.HORIZONTAL,
        true, false, false);
    if (!subtitle.isEmpty()) {
      chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
    }
    chart.setBackgroundPaint(Color.WHITE);
    CategoryPlot plot = chart.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    BarRenderer renderer = (BarRenderer) plot.getRenderer();
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat(format)));
    renderer.setDefaultItemLabelsVisible(true);
    plot.getRangeAxis().setUpperMargin(0.15); // room for the value labels
    return chart;
  }

  private static BufferedImage warmup(List<Map<String, String>> rows, String subtitle) {
    Map<String, XYSeries> series = new LinkedHashMap<>();
    for (Map<String, String> row : rows) {
      String key = label(column(row, "target")) + ", " + body(column(row, "body"));
      series.computeIfAbsent(key, XYSeries::new).add(number(row, "seconds_since_start"), number(row, "requests_per_s"));
    }
    XYSeriesCollection data = new XYSeriesCollection();
    series.values().forEach(data::addSeries);
    JFreeChart chart = ChartFactory.createXYLineChart("Requests per second after the JVM started",
        "seconds since the JVM was started", "requests/s", data, PlotOrientation.VERTICAL, true, false, false);
    if (!subtitle.isEmpty()) {
      chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
    }
    chart.setBackgroundPaint(Color.WHITE);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    BufferedImage image = new BufferedImage(WIDTH, 560, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = graphics(image);
    chart.draw(g, new Rectangle2D.Double(0, 0, WIDTH, 560));
    g.dispose();
    return image;
  }

  private static Graphics2D graphics(BufferedImage image) {
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    return g;
  }

  private static String label(String target) {
    return LABELS.getOrDefault(target, target);
  }

  /** {@code 1k} as {@code 1 KiB body}; other names as they are. */
  private static String body(String name) {
    return name.matches("[0-9]+k") ? name.substring(0, name.length() - 1) + " KiB body" : name;
  }

  private static String column(Map<String, String> row, String name) {
    String value = row.get(name);
    if (value == null) {
      throw new IllegalArgumentException("no column '" + name + "' (columns: " + row.keySet() + ")");
    }
    return value;
  }

  private static double number(Map<String, String> row, String name) {
    String value = column(row, name);
    try {
      return value.isEmpty() ? 0 : Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("column '" + name + "': not a number: '" + value + "'");
    }
  }

  /** Reads a plain CSV (no quoting: run.sh writes none) into one map per row, by header name. */
  private static List<Map<String, String>> read(Path csv) {
    List<String> lines;
    try {
      lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Map<String, String>> rows = new ArrayList<>();
    if (lines.isEmpty()) {
      return rows;
    }
    String[] header = lines.get(0).trim().split(",", -1);
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] cells = line.split(",", -1);
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < header.length; i++) {
        row.put(header[i].trim().toLowerCase(Locale.ROOT), i < cells.length ? cells[i].trim() : "");
      }
      rows.add(row);
    }
    return rows;
  }
}
