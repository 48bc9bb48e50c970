package io.quiver.spark.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which corpus DataFrames are indexed in place, and the files and keys they give. */
class CorpusFilesTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static String corpus;

  @BeforeAll
  static void data() {
    spark = io.quiver.spark.TestSessions.shared();
    corpus = dir.resolve("corpus").toString();
    spark.range(100).selectExpr("id", "cast(id as string) as s", "array(cast(id as float), 1.0f) as v")
        .repartition(3).write().parquet(corpus);
    spark.range(10).selectExpr("id", "id % 2 as part", "array(1.0f) as v")
        .write().partitionBy("part").parquet(dir.resolve("partitioned").toString());
  }

  @Test
  void plainParquetScansAreIndexedInPlace() {
    Dataset<Row> df = spark.read().parquet(corpus);
    assertNull(CorpusFiles.scan(df, List.of("v", "s")).copyReason());
    assertNull(CorpusFiles.scan(df.select("v", "id"), List.of("v", "id")).copyReason());
    CorpusFiles files = CorpusFiles.of(df.select("v", "id"), List.of("v"), dir.resolve("tmp").toString());
    assertNull(files.temporaryCopy());
    assertEquals(3, files.files().size());
    List<String> paths = files.files().stream().map(CorpusFiles.SourceFile::path).toList();
    assertEquals(paths.stream().sorted().toList(), paths);
    for (CorpusFiles.SourceFile f : files.files()) {
      assertTrue(Files.isRegularFile(Path.of(f.path())));
      assertEquals(f.size(), Path.of(f.path()).toFile().length());
    }
    assertEquals(files.files(), CorpusFiles.ofPaths(spark, List.of(corpus)).files());
  }

  @Test
  void otherPlansAreCopied() {
    Dataset<Row> df = spark.read().parquet(corpus);
    assertTrue(CorpusFiles.scan(df.where("id > 3"), List.of("v")).copyReason().contains("Filter"));
    assertTrue(CorpusFiles.scan(df.selectExpr("id + 1 as id", "v"), List.of("v")).copyReason().contains("computes"));
    assertNotNull(CorpusFiles.scan(df.groupBy("id").count(), List.of("id")).copyReason());
    assertNotNull(CorpusFiles.scan(spark.range(3).toDF(), List.of("id")).copyReason());
    assertNotNull(CorpusFiles.scan(df.limit(5), List.of("v")).copyReason());
    Dataset<Row> partitioned = spark.read().parquet(dir.resolve("partitioned").toString());
    assertNull(CorpusFiles.scan(partitioned, List.of("v", "id")).copyReason());
    assertTrue(CorpusFiles.scan(partitioned, List.of("v", "part")).copyReason().contains("directory layout"));

    String root = dir.resolve("tmp-copies").toString();
    CorpusFiles copied = CorpusFiles.of(df.where("id < 10"), List.of("v"), root);
    assertNotNull(copied.temporaryCopy());
    assertTrue(copied.temporaryCopy().startsWith(root));
    assertEquals(10, spark.read().parquet(copied.temporaryCopy()).count());
  }

  @Test
  void unknownColumnsAreNamed() {
    Dataset<Row> df = spark.read().parquet(corpus);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CorpusFiles.of(df, List.of("vec"), dir.resolve("tmp").toString()));
    assertTrue(e.getMessage().contains("'vec'"), e.getMessage());
  }

  @Test
  void theKeyFollowsFingerprintsAndParameters() {
    var a = new CorpusFiles.SourceFile("/a.parquet", 10, 1000);
    var b = new CorpusFiles.SourceFile("/b.parquet", 20, 2000);
    List<String> p = List.of("metric=L2", "nlist=4");
    String key = IndexKey.of(List.of(a, b), "v", p, "");
    assertEquals(64, key.length());
    assertEquals(key, IndexKey.of(List.of(a, b), "v", p, ""));
    assertNotEquals(key, IndexKey.of(List.of(a, new CorpusFiles.SourceFile("/b.parquet", 20, 2001)), "v", p, ""));
    assertNotEquals(key, IndexKey.of(List.of(a, b), "w", p, ""));
    assertNotEquals(key, IndexKey.of(List.of(a, b), "v", List.of("metric=COSINE", "nlist=4"), ""));
    assertNotEquals(key, IndexKey.of(List.of(a, b), "v", p, "delta table file:/t version 1"));
    assertNotEquals(IndexKey.of(List.of(a, b), "v", p, "delta table file:/t version 1"),
        IndexKey.of(List.of(a, b), "v", p, "delta table file:/t version 2"));
    String dir = "parquet files under file:/corpus";
    assertEquals(64, IndexKey.identity("v", p, dir).length());
    assertNotEquals(IndexKey.identity("v", p, dir), IndexKey.identity("v", p, "parquet files under file:/other"));
    assertNotEquals(IndexKey.identity("v", p, dir), IndexKey.identity("w", p, dir));
  }
}
