package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.BuildParams;
import io.quiver.FileSource;
import io.quiver.Metric;
import io.quiver.QuiverIndex;
import io.quiver.SearchParams;
import io.quiver.SearchResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QuiverSpark.build on local[2]: trained on the driver, encoded into segments by tasks, committed
 * together, answering as one build.
 */
class DistributedBuildTest {

  @TempDir Path dir;

  /**
   * The index {@code built} (a local directory) answers, bit for bit, as a build on this machine
   * over {@code files} with its quantizers does.
   */
  static void assertEqualsALocalBuildWithItsQuantizers(Path built, List<String> files, BuildParams params,
      FileSource source, Path scratch) {
    Path local = scratch.resolve("local-build");
    QuiverIndex.build(files, local, params.toBuilder().quantizersFrom(built).build(), null, source);
    try (QuiverIndex a = source == null ? QuiverIndex.open(built) : QuiverIndex.open(built, source);
        QuiverIndex b = source == null ? QuiverIndex.open(local) : QuiverIndex.open(local, source)) {
      assertEquals(b.info().rowsIndexed(), a.info().rowsIndexed());
      assertEquals(b.info().files().stream().map(f -> f.location()).toList(),
          a.info().files().stream().map(f -> f.location()).toList());
      // The trained base file, of no rows, and one segment per task.
      assertTrue(a.segments().size() >= 2, a.segments()::toString);
      assertEquals(0, a.segments().get(0).rowsIndexed());
      assertEquals(a.info().rowsIndexed(), a.segments().stream().mapToLong(g -> g.rowsIndexed()).sum());
      Random r = new Random(3);
      for (int q = 0; q < 20; q++) {
        float[] query = TestData.vector(r);
        for (int refine : new int[] {0, 4}) {
          SearchParams p = SearchParams.builder().nprobes(3).refineFactor(refine).build();
          List<SearchResult> x = a.search(query, 10, p);
          List<SearchResult> y = b.search(query, 10, p);
          assertEquals(y, x, "query " + q + ", refine " + refine);
        }
      }
    }
  }

  @Test
  void trainedOnTheDriverEncodedByTasksAndCommittedIsOneBuild() throws IOException {
    SparkSession spark = SharedSpark.session();
    Dataset<Row> corpus = TestData.writeCorpus(spark, dir.resolve("corpus").toString(), 3000, 5, 41, 50);
    BuildParams params = BuildParams.builder().nlist(8).pqM(4).metric(Metric.L2).build();
    Path location = dir.resolve("index");
    CorpusIndex index = QuiverSpark.build(corpus, params, location.toString());
    assertEquals(location.toString(), index.location());

    List<String> files;
    try (Stream<Path> s = Files.list(dir.resolve("corpus"))) {
      files = s.filter(p -> p.toString().endsWith(".parquet")).map(Path::toString).sorted().toList();
    }
    assertEquals(5, files.size());
    assertEqualsALocalBuildWithItsQuantizers(location, files, params, null, dir);
    // The tasks' parts are gone.
    try (Stream<Path> s = Files.list(dir)) {
      assertFalse(s.anyMatch(p -> p.getFileName().toString().contains(".parts-")), "parts left in " + dir);
    }
    // The index serves the join like any other.
    Dataset<Row> left = TestData.queries(spark, 8, 42, 0);
    KnnJoinOptions options = KnnJoinOptions.defaults().buildParams(params).nprobes(8).refineFactor(100)
        .columns("id").indexLocation(location.toString());
    List<Row> got = QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", 3, options).collectAsList();
    assertEquals(BruteForce.ids(BruteForce.join(left, corpus, 3, Metric.L2).collectAsList()), BruteForce.ids(got));
    assertTrue(QuiverSession.of(spark).builds() >= 1);
  }
}
