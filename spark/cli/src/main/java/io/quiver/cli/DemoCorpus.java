package io.quiver.cli;

import io.quiver.cli.bench.ClusteredVectors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The demo's sample corpus: a product catalogue with an embedding per item. The vectors come from
 * the benchmark's generator (clusters spanning a random 16-dimensional subspace plus small noise,
 * so that nearest neighbours mean something); the payload columns are what a retrieval would
 * return with them. Every row is a pure function of (seed, id): queries and exact ground truth are
 * regenerated without reading the corpus back.
 */
final class DemoCorpus {
  private static final String[] CATEGORIES = {
      "books", "music", "garden", "kitchen", "toys", "sports", "outdoor", "office", "health",
      "beauty", "tools", "games"};
  private static final String[] WORDS = {
      "red", "quiet", "compact", "classic", "wireless", "organic", "steel", "light", "smart",
      "vintage", "folding", "travel", "premium", "mini", "solar", "ceramic"};

  final long rows;
  final int dim;
  final long seed;
  final ClusteredVectors vectors;

  DemoCorpus(long rows, int dim, long seed) {
    this.rows = rows;
    this.dim = dim;
    this.seed = seed;
    this.vectors = new ClusteredVectors(dim, ClusteredVectors.defaultClusters(rows), seed);
  }

  static StructType schema() {
    return new StructType()
        .add("id", DataTypes.LongType, false)
        .add("title", DataTypes.StringType, false)
        .add("category", DataTypes.StringType, false)
        .add("price", DataTypes.DoubleType, false)
        .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false);
  }

  private static Row row(ClusteredVectors gen, long id) {
    SplittableRandom r = new SplittableRandom(id * 0x9E3779B97F4A7C15L);
    String title = WORDS[r.nextInt(WORDS.length)] + " " + WORDS[r.nextInt(WORDS.length)] + " item " + id;
    String category = CATEGORIES[r.nextInt(CATEGORIES.length)];
    double price = Math.round(r.nextDouble(1, 500) * 100) / 100.0;
    return RowFactory.create(id, title, category, price, gen.row(id));
  }

  /** Ids to rows; static so that the task captures only the generator. */
  private static MapFunction<Long, Row> rowOf(ClusteredVectors gen) {
    return id -> row(gen, id);
  }

  /**
   * Writes the corpus as {@code files} Parquet files into {@code dir} through Spark, unless a
   * complete copy with the same shape is already there. Returns whether it wrote.
   */
  boolean writeIfMissing(SparkSession spark, Path dir, int files) throws IOException {
    Path marker = dir.resolve("_QUIVER_DEMO");
    String shape = rows + "x" + dim + " seed " + seed + " files " + files;
    if (Files.exists(dir.resolve("_SUCCESS")) && Files.exists(marker)
        && Files.readString(marker).equals(shape) && matchesGenerator(spark, dir)) {
      return false;
    }
    spark.range(0, rows, 1, files).as(Encoders.LONG())
        .map(rowOf(vectors), Encoders.row(schema()))
        .write().mode("overwrite").parquet(dir.toString());
    Files.writeString(marker, shape);
    return true;
  }

  /**
   * Whether the corpus on disk holds what the generator makes now: the exact neighbours are
   * computed from the generator, so a corpus from another version of it must be written again.
   */
  private boolean matchesGenerator(SparkSession spark, Path dir) {
    List<Row> first = spark.read().parquet(dir.toString()).where("id = 0").select("embedding").collectAsList();
    if (first.size() != 1) return false;
    List<Float> stored = first.get(0).getList(0);
    float[] expected = vectors.row(0);
    if (stored.size() != expected.length) return false;
    for (int d = 0; d < expected.length; d++) {
      if (stored.get(d) != expected[d]) return false;
    }
    return true;
  }

  /** Query {@code j}: a fresh draw from the corpus distribution, not a corpus row. */
  float[] query(int j) {
    return vectors.query(j);
  }

  float[][] queries(int n) {
    float[][] q = new float[n][];
    for (int j = 0; j < n; j++) q[j] = query(j);
    return q;
  }

  /** The queries as Parquet written by Spark: {@code qid} and {@code embedding}. */
  void writeQueries(SparkSession spark, Path dir, int n) {
    List<Row> data = new ArrayList<>(n);
    for (int j = 0; j < n; j++) data.add(RowFactory.create((long) j, query(j)));
    StructType schema = new StructType()
        .add("qid", DataTypes.LongType, false)
        .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    spark.createDataFrame(data, schema).coalesce(1).write().mode("overwrite").parquet(dir.toString());
  }
}
