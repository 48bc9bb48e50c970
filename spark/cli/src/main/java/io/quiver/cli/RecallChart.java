package io.quiver.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The PNG chart of recall against throughput, one point per nprobes value. */
final class RecallChart {
  private RecallChart() {}

  /** One measured setting. */
  record Point(int nprobes, double queriesPerSecond, double recall) {}

  static void write(Path png, String title, String series, List<Point> points) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart chart = new XYChartBuilder().width(900).height(600).title(title)
        .xAxisTitle("queries per second (log scale)").yAxisTitle("recall@10").build();
    chart.getStyler().setXAxisLogarithmic(true);
    // The sweep's throughputs often span less than a decade: label between decades too.
    chart.getStyler().setXAxisLogarithmicDecadeOnly(false);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(1.05);
    chart.getStyler().setMarkerSize(9);
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSW);
    double[] x = points.stream().mapToDouble(Point::queriesPerSecond).toArray();
    double[] y = points.stream().mapToDouble(Point::recall).toArray();
    XYSeries s = chart.addSeries(series, x, y);
    s.setMarker(SeriesMarkers.CIRCLE);
    for (Point p : points) {
      chart.addAnnotation(new AnnotationText(String.format(Locale.ROOT, "nprobes %d", p.nprobes()),
          p.queriesPerSecond(), p.recall() - 0.04, false));
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
