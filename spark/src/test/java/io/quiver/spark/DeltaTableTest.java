package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.BuildParams;
import io.quiver.Metric;
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
 * Delta tables written by delta-spark as the corpus: indexed in place at a recorded version when
 * their Parquet files hold exactly the live rows, refused when deletion vectors delete rows the
 * index would otherwise serve, and never answered from an index of an older version.
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
    String path = dir.resolve(name).toString();
    TestData.writeCorpus(spark, dir.resolve(name + "-source").toString(), ROWS, 4, 17, 0)
        .write().format("delta")
        .option("delta.enableDeletionVectors", String.valueOf(deletionVectors))
        .save(path);
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
  void deletionVectorsAreRefusedNeverServed() throws IOException {
    String table = writeTable("deleted", true);
    Set<String> before = parquetFiles(table);
    spark.sql("DELETE FROM delta.`" + table + "` WHERE id % 10 = 3");
    // Delta marked the rows deleted in deletion vectors and left the data files as they were.
    assertTrue(parquetFiles(table).containsAll(before));
    assertEquals(ROWS - ROWS / 10, delta(table).count());

    UnsupportedCorpusException join = assertThrows(UnsupportedCorpusException.class,
        () -> QuiverSpark.kNearestJoin(left, "q", delta(table), "embedding", 5, exact()));
    assertTrue(join.getMessage().startsWith("the corpus is the Delta table file:" + table + " at version 1,"
        + " whose deletion vectors delete 40 rows in 4 of its files"), join.getMessage());
    assertTrue(join.getMessage().contains("REORG TABLE"), join.getMessage());

    QuiverSession qs = QuiverSession.of(spark);
    long builds = qs.builds();
    assertThrows(UnsupportedCorpusException.class,
        () -> qs.buildIfMissing(delta(table), BuildParams.builder().nlist(NLIST).build()));
    assertEquals(builds, qs.builds());

    // What the message suggests works: the deletes purged into new files.
    spark.sql("REORG TABLE delta.`" + table + "` APPLY (PURGE)");
    assertJoinIsExact(delta(table), exact());

    // Time travel to the version before the DELETE: that snapshot has no deletes.
    assertJoinIsExact(spark.read().format("delta").option("versionAsOf", 0).load(table), exact());
  }

  @Test
  void aDeleteAfterTheBuildIsNeverAnsweredFromTheOldIndex() {
    String table = writeTable("later", true);
    String location = dir.resolve("later-index").toString();
    QuiverSession qs = QuiverSession.of(spark);
    CorpusIndex index = qs.buildIfMissing(delta(table),
        BuildParams.builder().nlist(NLIST).seed(5).metric(Metric.COSINE).build(), location);
    assertEquals("delta table file:" + table + " version 0", index.source());
    assertJoinIsExact(delta(table), exact().indexLocation(location));

    spark.sql("DELETE FROM delta.`" + table + "` WHERE id < 50");
    assertThrows(UnsupportedCorpusException.class,
        () -> QuiverSpark.kNearestJoin(left, "q", delta(table), "embedding", 5, exact().indexLocation(location)));
    assertThrows(UnsupportedCorpusException.class,
        () -> qs.buildIfMissing(delta(table), BuildParams.builder().nlist(NLIST).metric(Metric.COSINE).build(), location));
  }

  @Test
  void theIndexRecordsTheVersionItWasBuiltAt() {
    // Deletes without deletion vectors rewrite files, which the fingerprints catch; a commit
    // that leaves the files alone is caught by the recorded version.
    String table = writeTable("versions", false);
    String location = dir.resolve("versions-index").toString();
    assertJoinIsExact(delta(table), exact().indexLocation(location));
    spark.sql("ALTER TABLE delta.`" + table + "` SET TBLPROPERTIES ('quiver.test' = 'x')");

    StaleCorpusException stale = assertThrows(StaleCorpusException.class,
        () -> QuiverSpark.kNearestJoin(left, "q", delta(table), "embedding", 5,
            exact().indexLocation(location).onStale(KnnJoinOptions.OnStale.FAIL)));
    assertTrue(stale.getMessage().contains("version 0") && stale.getMessage().contains("version 1"), stale.getMessage());

    QuiverSession qs = QuiverSession.of(spark);
    long builds = qs.builds();
    assertJoinIsExact(delta(table), exact().indexLocation(location));
    assertEquals(builds + 1, qs.builds());

    spark.sql("DELETE FROM delta.`" + table + "` WHERE id % 4 = 0");
    assertJoinIsExact(delta(table), exact().indexLocation(location));
    assertEquals(builds + 2, qs.builds());
    assertEquals(ROWS * 3 / 4, delta(table).count());
  }
}
