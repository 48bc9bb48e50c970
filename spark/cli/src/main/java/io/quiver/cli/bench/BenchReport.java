package io.quiver.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The benchmark's markdown table, its ratios, and the recall-against-time chart. */
final class BenchReport {
  private BenchReport() {}

  /** One configuration at one scale; recall is NaN where it does not apply (the build). */
  record Result(String scale, String config, double seconds, double recall, String note) {}

  /** The results as one JSON document, for scripts (recall is null where it does not apply). */
  static String json(List<Result> results, String setup, Path markdown, Path png) throws IOException {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Result r : results) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("scale", r.scale());
      row.put("config", r.config());
      row.put("seconds", r.seconds());
      row.put("recall_at_10", Double.isNaN(r.recall()) ? null : r.recall());
      row.put("note", r.note());
      rows.add(row);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("setup", setup);
    doc.put("results", rows);
    doc.put("report", markdown.toString());
    doc.put("chart", png.toString());
    return new com.fasterxml.jackson.databind.ObjectMapper()
        .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
        .writeValueAsString(doc);
  }

  static void write(List<Result> results, String setup, Path markdown, Path png) throws IOException {
    StringBuilder md = new StringBuilder("# Quiver k-nearest join in Spark\n\n").append(setup).append("\n\n");
    Map<String, List<Result>> byScale = new LinkedHashMap<>();
    for (Result r : results) {
      byScale.computeIfAbsent(r.scale(), s -> new ArrayList<>()).add(r);
    }
    for (Map.Entry<String, List<Result>> e : byScale.entrySet()) {
      List<Result> rs = e.getValue();
      double brute = seconds(rs, "brute force");
      md.append("## ").append(e.getKey()).append("\n\n");
      md.append("| configuration | wall time (s) | recall@10 | speed-up vs brute force | note |\n");
      md.append("|---|---:|---:|---:|---|\n");
      for (Result r : rs) {
        md.append(String.format(Locale.ROOT, "| %s | %.3f | %s | %s | %s |\n",
            r.config(), r.seconds(),
            Double.isNaN(r.recall()) ? "-" : String.format(Locale.ROOT, "%.4f", r.recall()),
            Double.isNaN(brute) || r.config().startsWith("brute force") || Double.isNaN(r.recall()) ? "-"
                : String.format(Locale.ROOT, "%.1fx", brute / r.seconds()),
            r.note()));
      }
      double id = seconds(rs, "warm, row id");
      double all = seconds(rs, "payload columns");
      double copy = seconds(rs, "temporary copy");
      double build = seconds(rs, "one-time index build");
      double lsh = seconds(rs, "LSH");
      md.append("\n");
      if (!Double.isNaN(id) && !Double.isNaN(all)) {
        md.append(String.format(Locale.ROOT, "- projecting all payload columns adds %.3f s to the warm join (%.2fx)\n", all - id, all / id));
      }
      if (!Double.isNaN(id) && !Double.isNaN(brute)) {
        md.append(String.format(Locale.ROOT, "- warm fused join vs brute force: %.1fx faster\n", brute / id));
      }
      if (!Double.isNaN(build) && !Double.isNaN(id) && !Double.isNaN(brute)) {
        md.append(String.format(Locale.ROOT, "- build + one warm join vs brute force: %.1fx faster\n", brute / (build + id)));
      }
      if (!Double.isNaN(copy) && !Double.isNaN(id)) {
        md.append(String.format(Locale.ROOT, "- temporary-copy path (cold) vs warm join: %.1fx slower\n", copy / id));
      }
      if (!Double.isNaN(lsh) && !Double.isNaN(id)) {
        md.append(String.format(Locale.ROOT, "- MLlib LSH vs warm fused join: %.1fx slower\n", lsh / id));
      }
      md.append("\n");
    }
    Files.writeString(markdown, md.toString());
    chart(results, png);
  }

  private static double seconds(List<Result> rs, String configContains) {
    return rs.stream().filter(r -> r.config().contains(configContains)).mapToDouble(Result::seconds).findFirst().orElse(Double.NaN);
  }

  private static void chart(List<Result> results, Path png) throws IOException {
    XYChart chart = new XYChartBuilder().width(1000).height(800)
        .title("k-nearest join in Spark: recall@10 against wall time")
        .xAxisTitle("wall time (s, log scale)").yAxisTitle("recall@10").build();
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    double lowest = results.stream().mapToDouble(Result::recall).filter(r -> !Double.isNaN(r)).min().orElse(0);
    chart.getStyler().setYAxisMin(Math.max(0, Math.floor((lowest - 0.02) * 20) / 20));
    chart.getStyler().setYAxisMax(1.01);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    chart.getStyler().setMarkerSize(12);
    for (Result r : results) {
      if (Double.isNaN(r.recall())) {
        continue;
      }
      XYSeries s = chart.addSeries(r.config() + " [" + r.scale() + "]",
          new double[] {r.seconds()}, new double[] {r.recall()});
      s.setMarker(SeriesMarkers.CIRCLE);
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
