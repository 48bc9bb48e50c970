package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.BuildParams;
import io.quiver.Metric;
import io.quiver.spark.internal.IndexCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delta tables written by delta-spark as the corpus: indexed in place at a recorded version, their
 * deletion vectors the row filter (a DELETE needs no rebuild and its rows never come back), a
 * later version with the same files answered by the same index, and files rewritten by a commit
 * never answered from the index of the old ones.
 */
class DeltaTableTest {
  static final int ROWS = 400;
  static final int NLIST = 8;

  @TempDir static Path dir;
  static SparkSession spark;
  static Dataset<Row> left;

  @BeforeAll
  static void data() {
    spark = SharedSpark.session();
    left = TestData.queries(spark, 20, 31, 0);
  }

  static KnnJoinOptions exact() {
    return KnnJoinOptions.defaults()
        .metric(Metric.COSINE)
        .buildParams(BuildParams.builder().nlist(NLIST).seed(5).build())
        .nprobes(NLIST)
        .refineFactor(ROWS)
        .columns("id");
  }

  /** A Delta table of the test corpus in 4 files; deletion vectors on or off. */
  static String writeTable(String name, boolean deletionVectors) {
    return writeTable(name, deletionVectors, 0, false);
  }

  /**
   * A Delta table of the test corpus in 4 files; every {@code nullEvery}-th vector null (if > 0);
   * partitioned by {@code part} = id % 3 when asked.
   */
  static String writeTable(String name, boolean deletionVectors, int nullEvery, boolean partitioned) {
    String path = dir.resolve(name).toString();
    Dataset<Row> rows = TestData.writeCorpus(spark, dir.resolve(name + "-source").toString(), ROWS, 4, 17, nullEvery);
    org.apache.spark.sql.DataFrameWriter<Row> writer = partitioned
        ? rows.withColumn("part", org.apache.spark.sql.functions.expr("id % 3")).write().partitionBy("part")
        : rows.write();
    writer.format("delta").option("delta.enableDeletionVectors", String.valueOf(deletionVectors)).save(path);
    return path;
  }

  static Dataset<Row> delta(String path) {
    return spark.read().format("delta").load(path);
  }

  static Set<String> parquetFiles(String table) throws IOException {
    try (Stream<Path> s = Files.list(Path.of(table))) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".parquet")).collect(Collectors.toSet());
    }
  }

  static void assertJoinIsExact(Dataset<Row> corpus, KnnJoinOptions options) {
    KnnJoinTest.assertSameNeighbours(BruteForce.join(left, corpus, 5, Metric.COSINE),
        QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", 5, options));
  }

  /** Under onStale(FAIL) the join over the table refuses the index at {@code location}, naming the table. */
  static void assertStale(String table, String location) {
    StaleCorpusException stale = assertThrows(StaleCorpusException.class,
        () -> QuiverSpark.kNearestJoin(left, "q", delta(table), "embedding", 5,
            exact().indexLocation(location).onStale(KnnJoinOptions.OnStale.FAIL)).collectAsList());
    assertTrue(stale.getMessage().contains(table), stale.getMessage());
  }

  @Test
  void aTableWithoutDeletesIsIndexedInPlaceAtItsVersion() throws IOException {
    String table = writeTable("plain", true);
    Dataset<Row> corpus = delta(table);
    assertJoinIsExact(corpus, exact());

    CorpusIndex index = QuiverSession.of(spark).buildIfMissing(corpus,
        BuildParams.builder().nlist(NLIST).seed(5).metric(Metric.COSINE).build());
    assertEquals("delta table file:" + table + " version 0", index.source());
    // In place: the index reads the table's own files, no copy.
    assertEquals(parquetFiles(table),
        index.files().stream().map(f -> Path.of(f).getFileName().toString()).collect(Collectors.toSet()));
    assertTrue(index.files().stream().allMatch(f -> f.startsWith(table)), index.files().toString());

    // The same table through the catalog is recognised from its plan alike.
    spark.sql("CREATE TABLE quiver_delta_plain USING delta LOCATION '" + table + "'");
    try {
      CorpusIndex byName = QuiverSession.of(spark).buildIfMissing(spark.table("quiver_delta_plain"),
          BuildParams.builder().nlist(NLIST).seed(5).metric(Metric.COSINE).build());
      assertEquals(index.location(), byName.location());
      assertJoinIsExact(spark.table("quiver_delta_plain"), exact());
    } finally {
      spark.sql("DROP TABLE quiver_delta_plain");
    }

    // The table's directory as a list of Parquet files would include what later commits remove.
    UnsupportedCorpusException asFiles = assertThrows(UnsupportedCorpusException.class,
        () -> QuiverSession.of(spark).buildIfMissing(List.of(table), BuildParams.builder().nlist(NLIST).build()));
    assertTrue(asFiles.getMessage().contains("is a Delta table"), asFiles.getMessage());
  }

  @Test
  void deletionVectorsAreTheRowFilterNeverServedAndNeedNoRebuild() throws IOException {
    String table = writeTable("deleted", true);
    QuiverSession qs = QuiverSession.of(spark);
    BuildParams params = BuildParams.builder().nlist(NLIST).seed(5).metric(Metric.COSINE).build();
    CorpusIndex v0 = qs.buildIfMissing(delta(table), params);
    assertJoinIsExact(delta(table), exact());
    long builds = qs.builds();

    Set<String> before = parquetFiles(table);
    spark.sql("DELETE FROM delta.`" + table + "` WHERE id % 10 = 3");
    // Delta marked the rows deleted in deletion vectors and left the data files as they were.
    assertEquals(before, parquetFiles(table));
    assertEquals(ROWS - ROWS / 10, delta(table).count());

    // The join equals brute force over what Spark reads at version 1: no deleted row, no rebuild.
    assertJoinIsExact(delta(table), exact());
    List<Row> joined = QuiverSpark.kNearestJoin(left, "q", delta(table), "embedding", 5, exact()).collectAsList();
    assertTrue(joined.stream().noneMatch(r -> (long) r.getAs("id") % 10 == 3));
    assertEquals(builds, qs.builds());

    // The driver API answers from version 1 with the same index, and says so.
    CorpusIndex v1 = qs.buildIfMissing(delta(table), params);
    assertEquals(v0.location(), v1.location());
    assertEquals("delta table file:" + table + " version 1", v1.source());
    assertEquals(builds, qs.builds());
    List<Row> rows = delta(table).select("id", "embedding").collectAsList();
    for (Row r : rows.subList(0, 20)) {
      float[] query = BruteForce.vector(r);
      List<io.quiver.SearchResult> hits = qs.search(v1, query, 10,
          io.quiver.SearchParams.builder().nprobes(NLIST).refineFactor(ROWS).build());
      List<Long> ids = qs.fetchRowsToDF(v1, hits.stream().map(io.quiver.SearchResult::key).toList(), "id")
          .collectAsList().stream().map(x -> x.getLong(0)).toList();
      assertEquals(10, ids.size());
      assertTrue(ids.stream().noneMatch(id -> id % 10 == 3), ids.toString());
      assertEquals(r.getLong(0), ids.get(0).longValue());
    }

    // Time travel to the version before the DELETE: the same files, no deletes, the same index.
    assertJoinIsExact(spark.read().format("delta").option("versionAsOf", 0).load(table), exact());
    assertEquals(builds, qs.builds());

    // Purged deletes rewrite the files: another index.
    spark.sql("REORG TABLE delta.`" + table + "` APPLY (PURGE)");
    assertJoinIsExact(delta(table), exact());
    assertEquals(builds + 1, qs.builds());
  }

  @Test
  void aDeleteAfterTheBuildIsAnsweredWithItsDeletesFromTheSameIndex() {
    String table = writeTable("later", true);
    String location = dir.resolve("later-index").toString();
    QuiverSession qs = QuiverSession.of(spark);
    CorpusIndex index = qs.buildIfMissing(delta(table),
        BuildParams.builder().nlist(NLIST).seed(5).metric(Metric.COSINE).build(), location);
    assertEquals("delta table file:" + table + " version 0", index.source());
    assertJoinIsExact(delta(table), exact().indexLocation(location));

    spark.sql("DELETE FROM delta.`" + table + "` WHERE id < 50");
    long builds = qs.builds();
    assertJoinIsExact(delta(table), exact().indexLocation(location).onStale(KnnJoinOptions.OnStale.FAIL));
    assertEquals(builds, qs.builds());
    CorpusIndex now = qs.buildIfMissing(delta(table),
        BuildParams.builder().nlist(NLIST).seed(5).metric(Metric.COSINE).build(), location);
    assertEquals("delta table file:" + table + " version 1", now.source());
    // A handle obtained before keeps answering from its version.
    assertEquals("delta table file:" + table + " version 0", index.source());

    // Opened by its location, the index answers for the table's latest version.
    CorpusIndex opened = qs.open(location);
    assertEquals("delta table file:" + table + " version 1", opened.source());
    List<Row> rows = delta(table).where("id = 60").select("id", "embedding").collectAsList();
    List<io.quiver.SearchResult> hits = qs.search(opened, BruteForce.vector(rows.get(0)), 100,
        io.quiver.SearchParams.builder().nprobes(NLIST).refineFactor(ROWS).build());
    List<Long> ids = qs.fetchRowsToDF(opened, hits.stream().map(io.quiver.SearchResult::key).toList(), "id")
        .collectAsList().stream().map(x -> x.getLong(0)).toList();
    assertEquals(100, ids.size());
    assertTrue(ids.stream().allMatch(id -> id >= 50), ids.toString());
  }

  @Test
  void filesRewrittenByACommitAreNeverAnsweredFromTheOldIndex() {
    // Deletes without deletion vectors rewrite files, which the fingerprints catch; a commit
    // that leaves the files alone keeps the index.
    String table = writeTable("versions", false);
    String location = dir.resolve("versions-index").toString();
    QuiverSession qs = QuiverSession.of(spark);
    assertJoinIsExact(delta(table), exact().indexLocation(location));
    long builds = qs.builds();
    spark.sql("ALTER TABLE delta.`" + table + "` SET TBLPROPERTIES ('quiver.test' = 'x')");
    assertJoinIsExact(delta(table), exact().indexLocation(location).onStale(KnnJoinOptions.OnStale.FAIL));
    assertEquals(builds, qs.builds());

    spark.sql("DELETE FROM delta.`" + table + "` WHERE id % 4 = 0");
    assertStale(table, location);

    assertJoinIsExact(delta(table), exact().indexLocation(location));
    assertEquals(builds + 1, qs.builds());
    assertEquals(ROWS * 3 / 4, delta(table).count());
  }

  @Test
  void aMergeAddsFilesToTheIndexAndAnOptimizeIsNeverAnsweredFromTheOldIndex() {
    String table = writeTable("merged", true);
    String location = dir.resolve("merged-index").toString();
    QuiverSession qs = QuiverSession.of(spark);
    assertJoinIsExact(delta(table), exact().indexLocation(location));
    long builds = qs.builds();

    // Rows 0-19 get other vectors and 10 rows are new: Delta marks the old rows deleted and
    // writes the new ones to new files.
    delta(table).where("id < 20").withColumn("embedding", org.apache.spark.sql.functions.expr("transform(embedding, x -> -x)"))
        .union(delta(table).where("id >= 390").withColumn("id", org.apache.spark.sql.functions.expr("id + 1000")))
        .createOrReplaceTempView("quiver_merge_source");
    spark.sql("MERGE INTO delta.`" + table + "` t USING quiver_merge_source s ON t.id = s.id"
        + " WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
    assertEquals(ROWS + 10, delta(table).count());
    // Opening the index as it is: it does not hold the new files.
    StaleCorpusException moved = assertThrows(StaleCorpusException.class, () -> qs.open(location));
    assertTrue(moved.getMessage().contains("version 1 with other files: ") && moved.getMessage().contains("added"),
        moved.getMessage());
    // With deletion vectors the MERGE only added files (the old rows are deleted in place): the
    // join appends them to the index, even under onStale(FAIL), and answers with the new deletes.
    long appends = IndexCatalog.of(spark).appends();
    assertJoinIsExact(delta(table), exact().indexLocation(location).onStale(KnnJoinOptions.OnStale.FAIL));
    assertEquals(builds, qs.builds());
    assertEquals(appends + 1, IndexCatalog.of(spark).appends());
    assertEquals("delta table file:" + table + " version 1", qs.open(location).source());

    // OPTIMIZE compacts the table into one file (applying the deletes): files removed, stale.
    spark.sql("OPTIMIZE delta.`" + table + "`");
    assertEquals(1, delta(table).inputFiles().length);
    assertStale(table, location);
    assertJoinIsExact(delta(table), exact().indexLocation(location));
    assertEquals(builds + 1, qs.builds());
    assertEquals("delta table file:" + table + " version 2",
        QuiverSession.of(spark).open(location).source());
  }

  @Test
  void aPartitionedTableIsIndexedInPlaceAndItsPartitionColumnIsServed() {
    String table = writeTable("partitioned", true, 0, true);
    QuiverSession qs = QuiverSession.of(spark);
    CorpusIndex index = qs.buildIfMissing(delta(table),
        BuildParams.builder().nlist(NLIST).seed(5).metric(Metric.COSINE).build());
    assertTrue(index.files().stream().allMatch(f -> f.startsWith(table + "/part=")), index.files().toString());
    assertJoinIsExact(delta(table), exact());
    spark.sql("DELETE FROM delta.`" + table + "` WHERE part = 1 AND id % 2 = 0");
    assertJoinIsExact(delta(table), exact());

    // The partition value lives in the table's log, not in the files.
    List<Row> joined = QuiverSpark.kNearestJoin(left, "q", delta(table), "embedding", 5, exact().columns("id", "part"))
        .collectAsList();
    assertEquals(20 * 5, joined.size());
    for (Row r : joined) {
      long id = r.getAs("id");
      assertEquals(id % 3, ((Number) r.getAs("part")).longValue(), r.toString());
      assertTrue(id % 3 != 1 || id % 2 != 0, "deleted row " + id + " served");
    }
  }

  @Test
  void aNullableVectorColumnSkipsItsNullsAndDeletesStillApply() {
    String table = writeTable("nulls", true, 9, false);
    assertEquals(ROWS / 9, delta(table).where("embedding is null").count());
    assertJoinIsExact(delta(table), exact());
    spark.sql("DELETE FROM delta.`" + table + "` WHERE id % 5 = 1");
    assertJoinIsExact(delta(table), exact());
  }
}
