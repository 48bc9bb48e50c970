package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.BuildParams;
import io.quiver.Metric;
import io.quiver.SearchParams;
import io.quiver.SearchResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Single queries on the driver: exact at full probe, no Spark job, rows as DataFrames. */
class QuiverSessionTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static Dataset<Row> corpus;
  static QuiverSession qs;
  static CorpusIndex index;
  static final SearchParams FULL = SearchParams.builder().nprobes(4).refineFactor(100).build();

  @BeforeAll
  static void data() {
    spark = SharedSpark.session();
    corpus = TestData.writeCorpus(spark, dir.resolve("corpus").toString(), 250, 2, 21, 10);
    qs = QuiverSession.of(spark);
    index = qs.buildIfMissing(corpus, BuildParams.builder().vectorColumn("embedding").nlist(4).metric(Metric.COSINE).build());
  }

  @Test
  void searchIsExactAtFullProbe() {
    float[] q = TestData.vector(new Random(5));
    List<SearchResult> hits = qs.search(index, q, 5, FULL);
    Dataset<Row> left = spark.createDataFrame(
        List.of(org.apache.spark.sql.RowFactory.create(0L, TestData.boxed(q))),
        new org.apache.spark.sql.types.StructType().add("qid", "long").add("q", "array<float>"));
    List<Row> want = BruteForce.join(left, corpus, 5, Metric.COSINE).orderBy("rank").collectAsList();
    List<Long> wantIds = want.stream().map(r -> (Long) r.getAs("id")).toList();
    List<Long> gotIds = qs.fetchRowsToDF(index, hits.stream().map(SearchResult::key).toList(), "id")
        .collectAsList().stream().map(r -> r.getLong(0)).toList();
    assertEquals(wantIds, gotIds);
    for (int i = 0; i < hits.size(); i++) {
      assertEquals((double) want.get(i).getAs("distance"), hits.get(i).distance(), 1e-5);
    }
  }

  @Test
  void searchToDfStartsNoSparkJob() throws Exception {
    AtomicInteger jobs = new AtomicInteger();
    SparkListener counter = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart jobStart) {
        jobs.incrementAndGet();
      }
    };
    spark.sparkContext().addSparkListener(counter);
    try {
      float[] q = TestData.vector(new Random(6));
      Dataset<Row> df = qs.searchToDF(index, q, 4, FULL, "id", "name", "info");
      List<Row> rows = df.collectAsList();
      assertEquals(List.of("id", "name", "info", "path", "row", "distance", "rank"), List.of(df.columns()));
      assertEquals(4, rows.size());
      for (int i = 0; i < 4; i++) {
        Row r = rows.get(i);
        assertEquals(i + 1, r.getInt(6));
        assertEquals("name-" + r.getLong(0), r.getString(1));
        assertTrue(index.files().contains(r.getString(3)));
      }
      spark.sparkContext().listenerBus().waitUntilEmpty();
      assertEquals(0, jobs.get());
    } finally {
      spark.sparkContext().removeSparkListener(counter);
    }
  }

  @Test
  void fetchRowsToDfKeepsTheOrderOfTheKeys() {
    List<SearchResult> hits = qs.search(index, TestData.vector(new Random(7)), 6, FULL);
    List<io.quiver.RowKey> keys = new java.util.ArrayList<>(hits.stream().map(SearchResult::key).toList());
    java.util.Collections.reverse(keys);
    keys.add(keys.get(0));
    List<Row> rows = qs.fetchRowsToDF(index, keys, "id", "tags").collectAsList();
    assertEquals(7, rows.size());
    assertEquals(rows.get(0), rows.get(6));
    for (Row r : rows) {
      long id = r.getLong(0);
      assertEquals(List.of((int) id, (int) id + 1, (int) id + 2), r.getList(1));
    }
  }
}
