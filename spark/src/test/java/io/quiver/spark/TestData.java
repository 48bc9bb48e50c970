package io.quiver.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Small generated corpora and queries, written to Parquet by Spark itself. */
final class TestData {
  private TestData() {}

  static final int DIM = 16;

  static final StructType CORPUS_SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("name", DataTypes.StringType)
          .add("score", DataTypes.DoubleType)
          .add("tags", DataTypes.createArrayType(DataTypes.IntegerType))
          .add("info", new StructType().add("a", DataTypes.IntegerType).add("b", DataTypes.StringType))
          // Spark writes it as INT96 (its default), which reads back in nanoseconds.
          .add("ts", DataTypes.TimestampType)
          .add("embedding", DataTypes.createArrayType(DataTypes.FloatType));

  /**
   * Writes {@code rows} corpus rows in {@code files} Parquet files. Every {@code nullEvery}-th row
   * (if > 0) has a null vector. Vectors are uniform in [-1, 1)^DIM, so ties are unlikely.
   */
  static Dataset<Row> writeCorpus(SparkSession spark, String dir, int rows, int files, long seed, int nullEvery) {
    Random r = new Random(seed);
    List<Row> data = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      boolean nullVector = nullEvery > 0 && i % nullEvery == nullEvery - 1;
      data.add(
          RowFactory.create(
              (long) i,
              "name-" + i,
              i * 0.5,
              new int[] {i, i + 1, i + 2},
              RowFactory.create(i % 7, "b" + i),
              timestamp(i),
              nullVector ? null : vector(r)));
    }
    spark.createDataFrame(data, CORPUS_SCHEMA).repartition(files).write().parquet(dir);
    return spark.read().parquet(dir);
  }

  /** Left rows: id, a label, and a query vector (null for every {@code nullEvery}-th row if > 0). */
  static Dataset<Row> queries(SparkSession spark, int rows, long seed, int nullEvery) {
    Random r = new Random(seed);
    List<Row> data = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      boolean nullVector = nullEvery > 0 && i % nullEvery == nullEvery - 1;
      data.add(RowFactory.create((long) i, "q" + i, nullVector ? null : vector(r)));
    }
    StructType schema =
        new StructType()
            .add("qid", DataTypes.LongType, false)
            .add("label", DataTypes.StringType)
            .add("q", DataTypes.createArrayType(DataTypes.FloatType));
    return spark.createDataFrame(data, schema);
  }

  static java.sql.Timestamp timestamp(long i) {
    java.sql.Timestamp t = new java.sql.Timestamp(1_700_000_000_000L + i * 1000);
    t.setNanos((int) (i % 1000) * 1000); // microsecond precision, as Spark keeps
    return t;
  }

  static float[] vector(Random r) {
    float[] v = new float[DIM];
    for (int d = 0; d < DIM; d++) {
      v[d] = r.nextFloat() * 2 - 1;
    }
    return v;
  }

  static List<Float> boxed(float[] v) {
    List<Float> out = new ArrayList<>();
    for (float x : v) {
      out.add(x);
    }
    return out;
  }

  /** The Parquet files Spark wrote into {@code dir}, sorted by path. */
  static List<org.apache.hadoop.fs.FileStatus> parquetFiles(org.apache.hadoop.fs.FileSystem fs, String dir)
      throws java.io.IOException {
    List<org.apache.hadoop.fs.FileStatus> files = new ArrayList<>();
    for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(new org.apache.hadoop.fs.Path(dir))) {
      if (st.getPath().getName().endsWith(".parquet")) files.add(st);
    }
    files.sort(java.util.Comparator.comparing(f -> f.getPath().toString()));
    return files;
  }

  /** The files of a local index directory with their modification times: changes when it is rebuilt. */
  static String writtenAt(String location) throws java.io.IOException {
    try (var files = java.nio.file.Files.walk(java.nio.file.Path.of(location))) {
      return files.filter(java.nio.file.Files::isRegularFile).sorted().map(f -> {
        try {
          return f.getFileName() + "@" + java.nio.file.Files.getLastModifiedTime(f).toMillis();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).toList().toString();
    }
  }
}
