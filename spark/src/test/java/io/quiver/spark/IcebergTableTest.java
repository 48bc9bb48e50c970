package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.BuildParams;
import io.quiver.Metric;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Iceberg tables (format v2, merge-on-read) written by Iceberg's Spark runtime as the corpus:
 * their snapshot's Parquet data files indexed in place, their position deletes the row filter (a
 * DELETE needs no rebuild and its rows never come back), time travel by snapshot id.
 */
class IcebergTableTest {
  static final String TABLE = SharedSpark.ICEBERG_CATALOG + ".db.items";

  @TempDir static Path dir;
  static SparkSession spark;
  static Dataset<Row> left;

  @BeforeAll
  static void data() throws Exception {
    spark = SharedSpark.session();
    left = TestData.queries(spark, 20, 51, 0);
    // Iceberg's vectorized reader allocates through its shaded Netty, which JDK 25 refuses.
    createTable(TABLE, "");
  }

  @AfterAll
  static void drop() {
    spark.sql("DROP TABLE IF EXISTS " + TABLE);
  }

  /** A merge-on-read table of the test corpus in 4 data files, partitioned as {@code partitioning} says ("" for none). */
  static void createTable(String name, String partitioning) throws Exception {
    createTable(name, partitioning, 2);
  }

  static void createTable(String name, String partitioning, int formatVersion) throws Exception {
    spark.sql("CREATE TABLE " + name + " (id BIGINT, name STRING, embedding ARRAY<FLOAT>) USING iceberg "
        + partitioning + " TBLPROPERTIES ('format-version' = '" + formatVersion + "', 'write.delete.mode' = 'merge-on-read',"
        + " 'write.update.mode' = 'merge-on-read', 'write.merge.mode' = 'merge-on-read',"
        + " 'read.parquet.vectorization.enabled' = 'false')");
    TestData.writeCorpus(spark, dir.resolve(name).toString(), 400, 4, 53, 0)
        .select("id", "name", "embedding").repartition(4).writeTo(name).append();
  }

  static KnnJoinOptions exact() {
    return KnnJoinOptions.defaults()
        .buildParams(BuildParams.builder().nlist(8).seed(5).build())
        .nprobes(8)
        .refineFactor(400)
        .columns("id");
  }

  static void assertJoinIsExact(Dataset<Row> corpus) {
    KnnJoinTest.assertSameNeighbours(BruteForce.join(left, corpus, 5, Metric.L2),
        QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", 5, exact()));
  }

  @Test
  void positionDeletesAreTheRowFilterAndTimeTravelPicksTheSnapshot() {
    QuiverSession qs = QuiverSession.of(spark);
    assertJoinIsExact(spark.table(TABLE));
    CorpusIndex before = qs.buildIfMissing(spark.table(TABLE), BuildParams.builder().nlist(8).seed(5).build());
    // In place: the table's own data files, no copy.
    assertEquals(4, before.files().size());
    assertTrue(before.files().stream().allMatch(f -> f.contains("/db/items/data/")), before.files().toString());
    assertTrue(before.source().startsWith("iceberg table "), before.source());
    long firstSnapshot = spark.sql("SELECT snapshot_id FROM " + TABLE + ".snapshots ORDER BY committed_at")
        .first().getLong(0);
    long builds = qs.builds();

    spark.sql("DELETE FROM " + TABLE + " WHERE id % 10 = 3");
    assertEquals(360, spark.table(TABLE).count());
    assertTrue(spark.sql("SELECT * FROM " + TABLE + ".delete_files").count() > 0, "merge-on-read wrote delete files");

    // The same data files with position deletes: the same index, the deleted rows filtered.
    assertJoinIsExact(spark.table(TABLE));
    assertJoinIsExact(spark.table(TABLE).select("embedding", "id"));
    List<Row> joined = QuiverSpark.kNearestJoin(left, "q", spark.table(TABLE), "embedding", 5, exact()).collectAsList();
    assertTrue(joined.stream().noneMatch(r -> (long) r.getAs("id") % 10 == 3));
    assertEquals(builds, qs.builds());
    CorpusIndex after = qs.buildIfMissing(spark.table(TABLE), BuildParams.builder().nlist(8).seed(5).build());
    assertEquals(before.location(), after.location());
    assertTrue(!after.source().equals(before.source()), after.source());

    // Time travel to the snapshot before the DELETE: every row again, from the same index.
    Dataset<Row> old = spark.read().option("snapshot-id", firstSnapshot).format("iceberg").load(TABLE);
    assertEquals(400, old.count());
    assertJoinIsExact(old);
    assertEquals(builds, qs.builds());
  }

  @Test
  void aCompactionRewritesTheFilesAndIsNeverAnsweredFromTheOldIndex() throws Exception {
    String name = SharedSpark.ICEBERG_CATALOG + ".db.compacted";
    createTable(name, "PARTITIONED BY (bucket(2, id))");
    try {
      String location = dir.resolve("compacted-index").toString();
      QuiverSession qs = QuiverSession.of(spark);
      KnnJoinTest.assertSameNeighbours(BruteForce.join(left, spark.table(name), 5, Metric.L2),
          QuiverSpark.kNearestJoin(left, "q", spark.table(name), "embedding", 5, exact().indexLocation(location)));
      long builds = qs.builds();
      spark.sql("DELETE FROM " + name + " WHERE id % 7 = 0");
      spark.sql("CALL " + SharedSpark.ICEBERG_CATALOG + ".system.rewrite_data_files(table => 'db.compacted',"
          + " options => map('rewrite-all', 'true'))");
      StaleCorpusException stale = assertThrows(StaleCorpusException.class,
          () -> QuiverSpark.kNearestJoin(left, "q", spark.table(name), "embedding", 5,
              exact().indexLocation(location).onStale(KnnJoinOptions.OnStale.FAIL)).collectAsList());
      assertTrue(stale.getMessage().contains("compacted"), stale.getMessage());
      KnnJoinTest.assertSameNeighbours(BruteForce.join(left, spark.table(name), 5, Metric.L2),
          QuiverSpark.kNearestJoin(left, "q", spark.table(name), "embedding", 5, exact().indexLocation(location)));
      assertEquals(builds + 1, qs.builds());
    } finally {
      spark.sql("DROP TABLE IF EXISTS " + name);
    }
  }

  @Test
  void equalityDeletesAreRefusedNamingTheDeleteFile() throws Exception {
    String name = SharedSpark.ICEBERG_CATALOG + ".db.equality";
    createTable(name, "");
    try {
      // Spark writes position deletes only; Flink and other engines write equality deletes,
      // here through Iceberg's own writer.
      org.apache.iceberg.Table table = org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark, name);
      org.apache.iceberg.Schema idOnly = table.schema().select("id");
      String path = table.location() + "/data/equality-deletes.parquet";
      org.apache.iceberg.deletes.EqualityDeleteWriter<org.apache.iceberg.data.Record> writer =
          org.apache.iceberg.parquet.Parquet.writeDeletes(table.io().newOutputFile(path))
              .forTable(table)
              .rowSchema(idOnly)
              .createWriterFunc(org.apache.iceberg.data.parquet.GenericParquetWriter::create)
              .equalityFieldIds(table.schema().findField("id").fieldId())
              .overwrite()
              .buildEqualityWriter();
      try (writer) {
        writer.write(org.apache.iceberg.data.GenericRecord.create(idOnly).copy("id", 5L));
      }
      table.newRowDelta().addDeletes(writer.toDeleteFile()).commit();
      assertEquals(399, spark.table(name).count());

      UnsupportedCorpusException e = assertThrows(UnsupportedCorpusException.class,
          () -> QuiverSpark.kNearestJoin(left, "q", spark.table(name), "embedding", 5, exact()).count());
      assertTrue(e.getMessage().contains("equality delete file " + path), e.getMessage());
      assertTrue(e.getMessage().contains("rewrite_position_delete_files"), e.getMessage());
    } finally {
      spark.sql("DROP TABLE IF EXISTS " + name);
    }
  }

  @Test
  void deletionVectorsOfFormatVersion3AreTheRowFilter() throws Exception {
    String name = SharedSpark.ICEBERG_CATALOG + ".db.v3";
    createTable(name, "", 3);
    try {
      QuiverSession qs = QuiverSession.of(spark);
      assertJoinIsExact(spark.table(name));
      long builds = qs.builds();
      spark.sql("DELETE FROM " + name + " WHERE id % 5 = 2");
      // Format version 3 writes deletes as deletion vectors in Puffin files.
      List<Row> formats = spark.sql("SELECT DISTINCT file_format FROM " + name + ".delete_files").collectAsList();
      assertEquals(List.of("PUFFIN"), formats.stream().map(r -> r.getString(0)).toList());
      assertJoinIsExact(spark.table(name));
      List<Row> joined = QuiverSpark.kNearestJoin(left, "q", spark.table(name), "embedding", 5, exact()).collectAsList();
      assertTrue(joined.stream().noneMatch(r -> (long) r.getAs("id") % 5 == 2));
      assertEquals(builds, qs.builds());
    } finally {
      spark.sql("DROP TABLE IF EXISTS " + name);
    }
  }
}
