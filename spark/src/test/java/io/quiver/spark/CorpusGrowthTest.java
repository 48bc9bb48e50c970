package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quiver.BuildParams;
import io.quiver.Metric;
import io.quiver.QuiverIndex;
import io.quiver.spark.internal.IndexCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A corpus that gains files is appended to its index; one that loses or rewrites files is not. */
class CorpusGrowthTest {

  @TempDir Path dir;

  @Test
  void newFilesOfAParquetDirectoryAreAppendedToItsIndex() throws Exception {
    SparkSession spark = SharedSpark.session();
    String corpusDir = dir.resolve("corpus").toString();
    Dataset<Row> first = TestData.writeCorpus(spark, corpusDir, 500, 2, 61, 0);
    Dataset<Row> left = TestData.queries(spark, 12, 62, 0);
    Path location = dir.resolve("index");
    KnnJoinOptions options = KnnJoinOptions.defaults().buildParams(BuildParams.builder().nlist(8).build())
        .nprobes(8).refineFactor(200).columns("id").indexLocation(location.toString());
    QuiverSession qs = QuiverSession.of(spark);
    IndexCatalog catalog = IndexCatalog.of(spark);
    KnnJoinTest.assertSameNeighbours(BruteForce.join(left, first, 3, Metric.L2),
        QuiverSpark.kNearestJoin(left, "q", first, "embedding", 3, options));
    long builds = qs.builds();
    long appends = catalog.appends();

    // A day's new rows land as new files in the same directory.
    TestData.writeCorpus(spark, dir.resolve("more").toString(), 200, 1, 63, 0)
        .withColumn("id", org.apache.spark.sql.functions.expr("id + 10000"))
        .write().mode("append").parquet(corpusDir);
    Dataset<Row> grown = spark.read().parquet(corpusDir);
    assertEquals(700, grown.count());
    KnnJoinTest.assertSameNeighbours(BruteForce.join(left, grown, 3, Metric.L2),
        QuiverSpark.kNearestJoin(left, "q", grown, "embedding", 3, options.onStale(KnnJoinOptions.OnStale.FAIL)));
    assertEquals(builds, qs.builds());
    assertEquals(appends + 1, catalog.appends());
    try (QuiverIndex index = QuiverIndex.open(location)) {
      assertEquals(2, index.segments().size());
      assertEquals(3, index.info().files().size());
    }
    // The same corpus again: nothing to append.
    KnnJoinTest.assertSameNeighbours(BruteForce.join(left, grown, 3, Metric.L2),
        QuiverSpark.kNearestJoin(left, "q", spark.read().parquet(corpusDir), "embedding", 3, options));
    assertEquals(appends + 1, catalog.appends());

    // A file that goes away is not an append: stale under onStale(FAIL), else rebuilt.
    try (var files = Files.list(Path.of(corpusDir))) {
      Files.delete(files.filter(p -> p.toString().endsWith(".parquet")).sorted().findFirst().orElseThrow());
    }
    Dataset<Row> shrunk = spark.read().parquet(corpusDir);
    assertThrows(StaleCorpusException.class, () -> QuiverSpark.kNearestJoin(left, "q", shrunk, "embedding", 3,
        options.onStale(KnnJoinOptions.OnStale.FAIL)).collectAsList());
    KnnJoinTest.assertSameNeighbours(BruteForce.join(left, shrunk, 3, Metric.L2),
        QuiverSpark.kNearestJoin(left, "q", shrunk, "embedding", 3, options.onStale(KnnJoinOptions.OnStale.REBUILD)));
    assertEquals(builds + 1, qs.builds());
    assertEquals(appends + 1, catalog.appends());
  }
}
