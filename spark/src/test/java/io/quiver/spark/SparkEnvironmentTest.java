package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spark runs on this JDK with the Hadoop client the module uses, and round-trips Parquet. */
class SparkEnvironmentTest {
  @TempDir Path dir;

  @Test
  void writesAndReadsParquet() throws Exception {
    SparkSession spark = SharedSpark.session();
    String out = dir.resolve("t").toString();
    spark.range(1000).selectExpr("id", "cast(id as string) as s", "array(cast(id as float), 1.0f) as v")
        .write().parquet(out);
    try (var files = Files.list(Path.of(out))) {
      assertEquals(true, files.anyMatch(f -> f.toString().endsWith(".parquet")));
    }
    Dataset<Row> back = spark.read().parquet(out);
    assertEquals(1000, back.count());
    List<Row> r = back.where("id = 7").collectAsList();
    assertEquals("7", r.get(0).getString(1));
    assertEquals(7.0f, r.get(0).<Float>getList(2).get(0));
  }
}
