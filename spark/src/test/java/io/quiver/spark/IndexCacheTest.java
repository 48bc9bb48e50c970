package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.BuildParams;
import io.quiver.SearchParams;
import io.quiver.SearchResult;
import io.quiver.spark.internal.IndexHandles;
import io.quiver.spark.internal.Locations;
import io.quiver.spark.internal.QuiverConf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index cache shared by the join and the driver API: reuse, staleness, temporary copies, cleanup. */
class IndexCacheTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static Dataset<Row> left;

  @BeforeAll
  static void data() {
    spark = SharedSpark.session();
    left = TestData.queries(spark, 10, 5, 0);
  }

  static BuildParams params() {
    return BuildParams.builder().vectorColumn("embedding").nlist(4).seed(3).build();
  }

  static KnnJoinOptions options() {
    return KnnJoinOptions.defaults().buildParams(params()).nprobes(4).refineFactor(200).columns("id");
  }

  @Test
  void joinReusesTheIndexTheDriverBuilt() {
    Dataset<Row> corpus = TestData.writeCorpus(spark, dir.resolve("reuse").toString(), 200, 2, 11, 0);
    QuiverSession qs = QuiverSession.of(spark);
    long before = qs.builds();
    CorpusIndex index = qs.buildIfMissing(corpus, params());
    assertEquals(before + 1, qs.builds());
    assertEquals(TestData.DIM, index.dim());
    assertEquals(2, index.files().size());

    List<Row> joined = QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", 3, options()).collectAsList();
    assertEquals(30, joined.size());
    assertEquals(before + 1, qs.builds(), "the join built the index again");

    // ...and the other way round: the driver finds what the join used, and agrees with it.
    CorpusIndex again = qs.buildIfMissing(corpus.select("id", "embedding"), params());
    assertEquals(before + 1, qs.builds());
    assertEquals(index.location(), again.location());
    Row q0 = left.where("qid = 0").first();
    float[] query = toFloats(q0.getList(q0.fieldIndex("q")));
    List<SearchResult> hits = qs.search(again, query, 3, io.quiver.SearchParams.builder().nprobes(4).refineFactor(200).build());
    List<Long> joinIds = KnnJoinTest.groupByLeft(joined).get(0L).stream().map(r -> (Long) r.getAs("id")).toList();
    List<Long> driverIds = qs.fetchRowsToDF(again, hits.stream().map(SearchResult::key).toList(), "id")
        .collectAsList().stream().map(r -> r.getLong(0)).toList();
    assertEquals(joinIds, driverIds);

    // build() always builds.
    qs.build(corpus, params());
    assertEquals(before + 2, qs.builds());
  }

  @Test
  void aRewrittenCorpusFileIsRebuiltOrRefused() throws Exception {
    String path = dir.resolve("stale").toString();
    Dataset<Row> corpus = TestData.writeCorpus(spark, path, 200, 2, 12, 0);
    QuiverSession qs = QuiverSession.of(spark);
    QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", 2, options()).count();
    long builds = qs.builds();

    // Replace one file's contents with another generation's rows (same name).
    Path victim = parquetFiles(Path.of(path)).get(0);
    Path other = dir.resolve("stale-other");
    TestData.writeCorpus(spark, other.toString(), 150, 1, 99, 0);
    Files.copy(parquetFiles(other).get(0), victim, StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(victim, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    // Hadoop's checksum of the old contents would fail Spark's own read of the new ones.
    Files.deleteIfExists(victim.resolveSibling("." + victim.getFileName() + ".crc"));
    spark.catalog().clearCache();
    Dataset<Row> reread = spark.read().parquet(path);

    StaleCorpusException e = assertThrows(StaleCorpusException.class,
        () -> QuiverSpark.kNearestJoin(left, "q", reread, "embedding", 2, options().onStale(KnnJoinOptions.OnStale.FAIL))
            .collectAsList());
    assertTrue(e.getMessage().contains(victim.getFileName().toString()), e.getMessage());
    assertEquals(builds, qs.builds());

    List<Row> rows = QuiverSpark.kNearestJoin(left, "q", reread, "embedding", 2, options()).collectAsList();
    assertEquals(builds + 1, qs.builds());
    assertEquals(20, rows.size());
    // The rebuilt index serves the new rows: the exact nearest row agrees with Spark.
    List<Row> want = BruteForce.join(left, reread, 2, io.quiver.Metric.L2).orderBy("qid", "rank").collectAsList();
    List<Row> got = rows.stream().sorted((a, b) -> {
      int c = Long.compare(a.getAs("qid"), b.getAs("qid"));
      return c != 0 ? c : Integer.compare(a.getAs("rank"), b.getAs("rank"));
    }).toList();
    for (int i = 0; i < want.size(); i++) {
      assertEquals((long) want.get(i).getAs("id"), (long) got.get(i).getAs("id"));
    }
  }

  @Test
  void aNonParquetCorpusGoesThroughATemporaryCopyThatIsRemoved() throws Exception {
    Dataset<Row> parquet = TestData.writeCorpus(spark, dir.resolve("agg").toString(), 120, 2, 13, 0);
    // An aggregate is not a file scan: one row per id, as in the files.
    Dataset<Row> aggregated = parquet.groupBy("id").agg(org.apache.spark.sql.functions.first("embedding").as("embedding"));
    QuiverSession qs = QuiverSession.of(spark);
    long builds = qs.builds();
    List<Row> viaCopy = QuiverSpark.kNearestJoin(left, "q", aggregated, "embedding", 3, options()).collectAsList();
    assertEquals(builds + 1, qs.builds());
    List<Row> direct = QuiverSpark.kNearestJoin(left, "q", parquet, "embedding", 3, options()).collectAsList();
    assertEquals(ids(direct), ids(viaCopy));

    // A DataFrame from a local collection too.
    Dataset<Row> local = spark.createDataFrame(parquet.collectAsList(), parquet.schema());
    assertEquals(ids(direct), ids(QuiverSpark.kNearestJoin(left, "q", local, "embedding", 3, options()).collectAsList()));

    Path temporaryRoot = Locations.localPath(io.quiver.spark.internal.IndexCatalog.of(spark).temporaryRoot());
    assertTrue(Files.isDirectory(temporaryRoot));
    try (Stream<Path> s = Files.list(temporaryRoot)) {
      assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith("corpus-")));
    }
    qs.dropTemporaryIndexes();
    assertFalse(Files.exists(temporaryRoot), "temporary indexes and copies removed");
  }

  @Test
  void aNamedLocationIsKeptAndReusedByLocation() throws Exception {
    Dataset<Row> corpus = TestData.writeCorpus(spark, dir.resolve("named").toString(), 200, 2, 14, 0);
    String location = dir.resolve("named-index").toString();
    QuiverSession qs = QuiverSession.of(spark);
    long builds = qs.builds();
    QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", 2, options().indexLocation(location)).count();
    assertEquals(builds + 1, qs.builds());
    qs.dropTemporaryIndexes();
    assertTrue(Files.isDirectory(Path.of(location)));
    CorpusIndex opened = qs.open(location);
    assertEquals(2, opened.files().size());
    QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", 2, options().indexLocation(location)).count();
    assertEquals(builds + 1, qs.builds(), "the named index was found again");
    // A different parameter set at the same location is a different index: rebuilt there.
    QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", 2,
        options().indexLocation(location).metric(io.quiver.Metric.COSINE)).count();
    assertEquals(builds + 2, qs.builds());
    assertNotEquals(null, qs.open(location));
  }

  private static List<Long> ids(List<Row> rows) {
    return rows.stream()
        .sorted((a, b) -> {
          int c = Long.compare(a.getAs("qid"), b.getAs("qid"));
          return c != 0 ? c : Integer.compare(a.getAs("rank"), b.getAs("rank"));
        })
        .map(r -> (Long) r.getAs("id"))
        .toList();
  }

  static List<Path> parquetFiles(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    }
  }

  static float[] toFloats(List<Object> v) {
    float[] out = new float[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) v.get(i)).floatValue();
    }
    return out;
  }
  /** Decoded pages the second of two identical searches had to decode itself. */
  static long pagesDecodedBySecondSearch(QuiverSession qs, CorpusIndex index, float[] query) {
    SearchParams refine = SearchParams.builder().nprobes(4).refineFactor(50).build();
    try (IndexHandles.Lease lease = IndexHandles.acquire(index.ref(), spark.sparkContext().hadoopConfiguration())) {
      qs.search(index, query, 5, refine);
      long before = lease.index().ioStats().pagesDecoded();
      qs.search(index, query, 5, refine);
      return lease.index().ioStats().pagesDecoded() - before;
    }
  }

  @Test
  void pageCacheBudgetComesFromTheSparkConf() {
    SparkConf conf = SparkEnv.get().conf();
    QuiverSession qs = QuiverSession.of(spark);
    float[] query = new float[TestData.DIM];
    java.util.Arrays.fill(query, 0.5f);
    try {
      conf.set(QuiverConf.CACHE_BUDGET, "0");
      Dataset<Row> none = TestData.writeCorpus(spark, dir.resolve("budget-none").toString(), 300, 2, 21, 0);
      assertTrue(pagesDecodedBySecondSearch(qs, qs.build(none, params()), query) > 0, "no cache: pages decoded again");

      conf.set(QuiverConf.CACHE_BUDGET, "64m");
      Dataset<Row> some = TestData.writeCorpus(spark, dir.resolve("budget-64m").toString(), 300, 2, 22, 0);
      assertEquals(0, pagesDecodedBySecondSearch(qs, qs.build(some, params()), query), "cached pages decoded again");

      conf.set(QuiverConf.CACHE_BUDGET, "lots");
      Dataset<Row> bad = TestData.writeCorpus(spark, dir.resolve("budget-bad").toString(), 300, 2, 23, 0);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> qs.build(bad, params()));
      assertTrue(e.getMessage().contains(QuiverConf.CACHE_BUDGET), e.getMessage());
    } finally {
      conf.remove(QuiverConf.CACHE_BUDGET);
    }
  }
}
