package io.quiver.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.row_number;

import io.quiver.Metric;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/** The exact k-nearest join computed by Spark alone: cross join, exact distance, top k per left row. */
final class BruteForce {
  private BruteForce() {}

  /** Distance between array columns {@code a} and {@code b}, as Quiver defines it for the metric. */
  static String distanceSql(String a, String b, Metric metric) {
    String dot = "aggregate(zip_with(" + a + ", " + b + ", (x, y) -> cast(x as double) * y), 0D, (s, t) -> s + t)";
    return switch (metric) {
      case L2 -> "aggregate(zip_with(" + a + ", " + b + ", (x, y) -> (cast(x as double) - y) * (cast(x as double) - y)), 0D, (s, t) -> s + t)";
      case COSINE -> "1D - " + dot + " / sqrt(" + norm2(a) + " * " + norm2(b) + ")";
      case INNER_PRODUCT -> "-" + dot;
    };
  }

  private static String norm2(String a) {
    return "aggregate(" + a + ", 0D, (s, x) -> s + cast(x as double) * x)";
  }

  /** qid, id, distance, rank for the k nearest corpus rows of every left row with a vector. */
  static Dataset<Row> join(Dataset<Row> left, Dataset<Row> corpus, int k, Metric metric) {
    Dataset<Row> pairs =
        left.where("q is not null")
            .select("qid", "q")
            .crossJoin(corpus.where("embedding is not null").select("id", "embedding"))
            .withColumn("distance", expr(distanceSql("q", "embedding", metric)));
    return pairs
        .withColumn("rank", row_number().over(Window.partitionBy("qid").orderBy(col("distance"), col("id"))))
        .where(col("rank").leq(k))
        .select("qid", "id", "distance", "rank");
  }

  /** "qid:rank:id" of every joined row, sorted: two joins agree when these lists are equal. */
  static java.util.List<String> ids(java.util.List<Row> rows) {
    return rows.stream().map(r -> r.getAs("qid") + ":" + r.getAs("rank") + ":" + r.getAs("id")).sorted().toList();
  }

  /** The vector in column 1 of {@code r} (an array of floats). */
  static float[] vector(Row r) {
    java.util.List<Float> v = r.getList(1);
    float[] out = new float[v.size()];
    for (int i = 0; i < out.length; i++) out[i] = v.get(i);
    return out;
  }

  /** Squared Euclidean distance, as the engine's L2. */
  static float l2(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
    return s;
  }
}
