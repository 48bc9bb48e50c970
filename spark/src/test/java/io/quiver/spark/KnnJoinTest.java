package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.BuildParams;
import io.quiver.Metric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.exchange.ShuffleExchangeLike;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.JavaConverters;

/** The fused join against Spark's own exact join, and its shape. */
class KnnJoinTest {
  static final int CORPUS_ROWS = 300;
  static final int NLIST = 8;

  @TempDir static Path dir;
  static SparkSession spark;
  static Dataset<Row> corpus;
  static Dataset<Row> left;

  @BeforeAll
  static void data() {
    spark = SharedSpark.session();
    corpus = TestData.writeCorpus(spark, dir.resolve("corpus").toString(), CORPUS_ROWS, 3, 1, 25);
    left = TestData.queries(spark, 40, 2, 0);
  }

  /** Full probe, and enough candidates refined exactly that the join is exact. */
  static KnnJoinOptions exact(Metric metric) {
    return KnnJoinOptions.defaults()
        .metric(metric)
        .buildParams(BuildParams.builder().nlist(NLIST).seed(7).build())
        .nprobes(NLIST)
        .refineFactor(CORPUS_ROWS);
  }

  @Test
  void equalsExactJoinForL2() {
    assertEqualsBruteForce(Metric.L2, 5);
  }

  @Test
  void equalsExactJoinForCosine() {
    assertEqualsBruteForce(Metric.COSINE, 5);
  }

  @Test
  void kLargerThanCorpusReturnsEveryLiveRow() {
    int live = CORPUS_ROWS - CORPUS_ROWS / 25;
    Dataset<Row> out = QuiverSpark.kNearestJoin(left.limit(3), "q", corpus, "embedding", 1000,
        exact(Metric.L2).columns("id"));
    Map<Long, List<Row>> byLeft = groupByLeft(out.collectAsList());
    assertEquals(3, byLeft.size());
    for (List<Row> rows : byLeft.values()) {
      assertEquals(live, rows.size());
      assertEquals(live, rows.stream().map(r -> r.getAs("id")).distinct().count());
    }
    assertEqualsBruteForce(Metric.L2, 1000);
  }

  @Test
  void leftRowsWithNullVectorsAreDroppedOrKeptUnmatched() {
    Dataset<Row> withNulls = TestData.queries(spark, 12, 3, 4); // rows 3, 7, 11 have no vector
    List<Row> inner = QuiverSpark.kNearestJoin(withNulls, "q", corpus, "embedding", 2, exact(Metric.L2)).collectAsList();
    Map<Long, List<Row>> byLeft = groupByLeft(inner);
    assertEquals(9, byLeft.size());
    assertTrue(byLeft.keySet().stream().noneMatch(q -> q % 4 == 3));

    List<Row> outer = QuiverSpark.kNearestJoin(withNulls, "q", corpus, "embedding", 2,
        exact(Metric.L2).keepUnmatched(true)).collectAsList();
    Map<Long, List<Row>> outerByLeft = groupByLeft(outer);
    assertEquals(12, outerByLeft.size());
    for (long q : List.of(3L, 7L, 11L)) {
      List<Row> rows = outerByLeft.get(q);
      assertEquals(1, rows.size());
      assertNull(rows.get(0).getAs("id"));
      assertNull(rows.get(0).getAs("distance"));
      assertNull(rows.get(0).getAs("rank"));
    }
    assertEquals(2, outerByLeft.get(0L).size());
  }

  @Test
  void projectsStringNumericAndNestedColumnsAndRenamesCollisions() {
    Dataset<Row> leftWithId = left.withColumnRenamed("qid", "id").limit(5);
    List<Row> out = QuiverSpark.kNearestJoin(leftWithId, "q", corpus, "embedding", 3,
        exact(Metric.L2).columns("id", "name", "score", "tags", "info", "ts")).collectAsList();
    assertEquals(15, out.size());
    Row r = out.get(0);
    List<String> names = List.of(r.schema().fieldNames());
    assertEquals(List.of("id", "label", "q", "corpus_id", "name", "score", "tags", "info", "ts", "distance", "rank"), names);
    for (Row row : out) {
      long id = row.getAs("corpus_id");
      assertEquals("name-" + id, row.getAs("name"));
      assertEquals(id * 0.5, (double) row.getAs("score"));
      assertEquals(List.of((int) id, (int) id + 1, (int) id + 2), row.getList(row.fieldIndex("tags")));
      Row info = row.getStruct(row.fieldIndex("info"));
      assertEquals((int) (id % 7), info.getInt(0));
      assertEquals("b" + id, info.getString(1));
      assertEquals(TestData.timestamp(id), row.getAs("ts"));
    }
  }

  @Test
  void deletedRowsAreNeverMatched() {
    List<Row> before = groupByLeft(QuiverSpark.kNearestJoin(left.limit(1), "q", corpus, "embedding", 3,
        exact(Metric.L2).columns("id")).collectAsList()).values().iterator().next();
    long nearest = before.get(0).getAs("id");
    String file = corpus.where("id = " + nearest).selectExpr("input_file_name()").first().getString(0);
    long rowInFile = rowWithinFile(file, nearest);
    List<Row> after = groupByLeft(QuiverSpark.kNearestJoin(left.limit(1), "q", corpus, "embedding", 3,
        exact(Metric.L2).columns("id").deletedRows(file, rowInFile)).collectAsList()).values().iterator().next();
    assertEquals(3, after.size());
    assertTrue(after.stream().noneMatch(r -> (long) r.getAs("id") == nearest));
    assertEquals((long) before.get(1).getAs("id"), (long) after.get(0).getAs("id"));
    assertEquals((long) before.get(2).getAs("id"), (long) after.get(1).getAs("id"));
  }

  @Test
  void planHasNoExchangeOnTheCorpusSideAndTasksFollowTheLeftSize() {
    // One left partition of 40 rows, 15 rows per task: ceil(40 / 15) = 3 tasks (under the cap of 4).
    Dataset<Row> one = left.coalesce(1);
    Dataset<Row> out = QuiverSpark.kNearestJoin(one, "q", corpus, "embedding", 2, exact(Metric.L2).rowsPerTask(15));
    // The plan is the join's own scan: no corpus scan, no exchange (the left side's
    // repartition to 3 tasks happens inside it, when a query runs).
    String plan = out.queryExecution().executedPlan().treeString();
    assertEquals(0, exchanges(out).size(), plan);
    assertTrue(plan.contains("Scan QuiverKnnJoin(q -> embedding, k=2") && !plan.contains("FileScan parquet"), plan);
    assertEquals(3, out.rdd().getNumPartitions());
    assertEquals(80, out.count());

    // Capped by the default parallelism (4).
    Dataset<Row> many = QuiverSpark.kNearestJoin(one, "q", corpus, "embedding", 2, exact(Metric.L2).rowsPerTask(1));
    assertEquals(4, many.rdd().getNumPartitions());

    // Never fewer tasks than the left side has partitions, and no shuffle at all then.
    Dataset<Row> three = left.repartition(3);
    Dataset<Row> kept = QuiverSpark.kNearestJoin(three, "q", corpus, "embedding", 2, exact(Metric.L2).rowsPerTask(1000));
    assertEquals(3, kept.rdd().getNumPartitions());
  }

  @Test
  void definingTheJoinBuildsNothingUntilAQueryReadsIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
    SparkSession spark = left.sparkSession();
    Dataset<Row> fresh = TestData.writeCorpus(spark, tmp.resolve("corpus").toString(), 120, 2, 91, 0);
    QuiverSession qs = QuiverSession.of(spark);
    long builds = qs.builds();
    Dataset<Row> joined = QuiverSpark.kNearestJoin(left, "q", fresh, "embedding", 2, exact(Metric.L2).columns("id"));
    joined.createOrReplaceTempView("quiver_lazy_join");
    String plan = spark.sql("EXPLAIN SELECT qid, id FROM quiver_lazy_join WHERE rank = 1").first().getString(0);
    assertTrue(plan.contains("QuiverKnnJoin"), plan);
    assertEquals(builds, qs.builds());
    assertEquals(List.of("qid", "label", "q", "id", "distance", "rank"), List.of(joined.schema().fieldNames()));
    assertEquals(builds, qs.builds());

    KnnJoinTest.assertSameNeighbours(BruteForce.join(left, fresh, 2, Metric.L2), joined);
    assertEquals(builds + 1, qs.builds());
    // A second query finds the index.
    assertEquals(left.where("q is not null").count(), spark.sql("SELECT * FROM quiver_lazy_join WHERE rank = 1").count());
    assertEquals(builds + 1, qs.builds());
  }

  @Test
  void wrongVectorLengthFailsNamingTheColumn() {
    Dataset<Row> bad = left.selectExpr("qid", "slice(q, 1, 3) as q");
    Exception e = assertThrows(Exception.class,
        () -> QuiverSpark.kNearestJoin(bad, "q", corpus, "embedding", 2, exact(Metric.L2)).collectAsList());
    assertTrue(rootMessage(e).contains("'q' has 3 values; the index has dimension 16"), rootMessage(e));
  }

  // ---------------------------------------------------------------- helpers

  private static void assertEqualsBruteForce(Metric metric, int k) {
    Dataset<Row> out = QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", k, exact(metric).columns("id"));
    assertSameNeighbours(BruteForce.join(left, corpus, k, metric), out);
  }

  /** The same neighbours (qid, id, rank, distance) for every left row, in rank order. */
  static void assertSameNeighbours(Dataset<Row> exact, Dataset<Row> joined) {
    Map<Long, List<Row>> got = groupByLeft(joined.collectAsList());
    Map<Long, List<Row>> want = groupByLeft(exact.collectAsList());
    assertEquals(want.keySet(), got.keySet());
    for (long q : want.keySet()) {
      List<Row> w = want.get(q);
      List<Row> g = got.get(q);
      assertEquals(w.size(), g.size(), "matches of left row " + q);
      for (int i = 0; i < w.size(); i++) {
        Row wr = w.get(i);
        Row gr = g.get(i);
        assertEquals((int) wr.getAs("rank"), (int) gr.getAs("rank"));
        assertEquals((long) wr.getAs("id"), (long) gr.getAs("id"), "left row " + q + " rank " + (i + 1));
        double wd = wr.getAs("distance");
        float gd = gr.getAs("distance");
        assertEquals(wd, gd, 1e-4 * Math.max(1, Math.abs(wd)), "distance of left row " + q + " rank " + (i + 1));
      }
    }
  }

  /** Rows grouped by the left id (qid or id), each group sorted by rank. */
  static Map<Long, List<Row>> groupByLeft(List<Row> rows) {
    Map<Long, List<Row>> out = new TreeMap<>();
    for (Row r : rows) {
      out.computeIfAbsent(r.getAs("qid"), x -> new ArrayList<>()).add(r);
    }
    for (List<Row> l : out.values()) {
      l.sort((a, b) -> {
        Object ra = a.getAs("rank");
        Object rb = b.getAs("rank");
        return ra == null || rb == null ? 0 : Integer.compare((int) ra, (int) rb);
      });
    }
    return out;
  }

  static List<SparkPlan> exchanges(Dataset<Row> df) {
    List<SparkPlan> out = new ArrayList<>();
    collect(df.queryExecution().executedPlan(), out);
    return out;
  }

  private static void collect(SparkPlan p, List<SparkPlan> out) {
    if (p instanceof ShuffleExchangeLike) {
      out.add(p);
    }
    for (SparkPlan c : JavaConverters.seqAsJavaList(p.children())) {
      collect(c, out);
    }
  }

  /** The row number of corpus row {@code id} within its file, read back with Spark. */
  private static long rowWithinFile(String file, long id) {
    List<Row> rows = spark.read().parquet(file).select("id").collectAsList();
    Map<Long, Long> position = new HashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      position.put(rows.get(i).getLong(0), (long) i);
    }
    return position.get(id);
  }

  static String rootMessage(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c.getMessage()).append(" | ");
    }
    return all.toString();
  }
}
