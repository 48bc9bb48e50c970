package io.quiver.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Small clustered corpora written as Parquet by Spark: an id, a label string, a vector column
 * "embedding" (array of float) and, to exercise the error paths, "tags" (array of string).
 */
final class TestCorpus {
  static final int DIM = 16;

  private TestCorpus() {}

  /** The suite's one local session (configured as the library tests' shared session, SharedSpark). */
  static SparkSession spark() {
    SparkSession active = SparkSession.getActiveSession().getOrElse(() -> null);
    if (active != null && !active.sparkContext().isStopped()) return active;
    return SparkSession.builder().master("local[2]").appName("quiver-cli-tests")
        .config("spark.default.parallelism", "4")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.adaptive.enabled", "false")
        // Delta's SQL (TableCommandsTest deletes and compacts a table's rows).
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        // Iceberg tables by path, as LocalSpark configures them.
        .config("spark.sql.catalog.default_iceberg", "org.apache.iceberg.spark.SparkCatalog")
        .config("spark.sql.catalog.default_iceberg.type", "hadoop")
        .config("spark.sql.catalog.default_iceberg.warehouse", System.getProperty("java.io.tmpdir"))
        .getOrCreate();
  }

  static StructType schema() {
    return new StructType()
        .add("id", DataTypes.LongType, false)
        .add("label", DataTypes.StringType, false)
        .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), true)
        .add("tags", DataTypes.createArrayType(DataTypes.StringType, false), true);
  }

  /** The vectors of {@link #write}, row i with id i. */
  static float[][] vectors(int rows, long seed) {
    Random r = new Random(seed);
    float[][] centers = new float[8][DIM];
    for (float[] c : centers) for (int d = 0; d < DIM; d++) c[d] = (float) r.nextGaussian() * 4;
    float[][] v = new float[rows][DIM];
    for (int i = 0; i < rows; i++) {
      float[] c = centers[r.nextInt(centers.length)];
      for (int d = 0; d < DIM; d++) v[i][d] = c[d] + (float) r.nextGaussian();
    }
    return v;
  }

  /** Writes {@code rows} rows as {@code files} Parquet files into {@code dir}. */
  static float[][] write(Path dir, int rows, int files, long seed) {
    float[][] v = vectors(rows, seed);
    List<Row> data = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      Float[] boxed = new Float[DIM];
      for (int d = 0; d < DIM; d++) boxed[d] = v[i][d];
      data.add(RowFactory.create((long) i, "row-" + i, boxed, new String[] {"t" + (i % 3)}));
    }
    spark().createDataFrame(data, schema()).coalesce(1).repartition(files)
        .sortWithinPartitions("id").write().mode(SaveMode.Overwrite).parquet(dir.toString());
    return v;
  }
}
