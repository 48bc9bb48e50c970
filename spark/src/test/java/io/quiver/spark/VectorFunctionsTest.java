package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.BuildParams;
import io.quiver.Metric;
import io.quiver.spark.sql.VectorFunctions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQL distance functions of QuiverExtensions: the engine's definitions (as the brute-force
 * reference computes them), generated and interpreted code alike, nulls, errors naming the
 * function, and an exact top k in SQL that equals the join at full probe.
 */
class VectorFunctionsTest {
  @TempDir static Path dir;
  static SparkSession spark;

  @BeforeAll
  static void data() {
    spark = SharedSpark.session();
    TestData.writeCorpus(spark, dir.resolve("corpus").toString(), 300, 2, 71, 25).createOrReplaceTempView("vf_corpus");
    TestData.queries(spark, 10, 73, 0).createOrReplaceTempView("vf_queries");
  }

  @AfterEach
  void codegenBack() {
    spark.conf().unset("spark.sql.codegen.wholeStage");
    spark.conf().unset("spark.sql.codegen.factoryMode");
  }

  /** Each function against the reference formula over every query and corpus pair. */
  static void assertMatchesReference() {
    for (Metric m : Metric.values()) {
      String fn = switch (m) {
        case L2 -> "l2_distance(q, embedding)";
        case COSINE -> "cosine_distance(q, embedding)";
        case INNER_PRODUCT -> "-inner_product(q, embedding)";
      };
      List<Row> rows = spark.sql("SELECT " + fn + " AS got, " + BruteForce.distanceSql("q", "embedding", m)
          + " AS want FROM vf_queries CROSS JOIN vf_corpus WHERE embedding IS NOT NULL").collectAsList();
      assertEquals(10 * (300 - 12), rows.size());
      for (Row r : rows) {
        assertEquals(r.getDouble(1), r.getDouble(0), 1e-9 * Math.max(1, Math.abs(r.getDouble(1))), m + " " + r);
      }
    }
  }

  @Test
  void theFunctionsAreTheEnginesDistancesGeneratedAndInterpreted() {
    Dataset<Row> plan = spark.sql("SELECT l2_distance(q, embedding) FROM vf_queries CROSS JOIN vf_corpus");
    // "*(1) Project": the projection runs in generated code.
    assertTrue(plan.queryExecution().executedPlan().toString().contains("*(1) Project [l2_distance("),
        plan.queryExecution().executedPlan().toString());
    assertMatchesReference();
    spark.conf().set("spark.sql.codegen.wholeStage", "false");
    spark.conf().set("spark.sql.codegen.factoryMode", "NO_CODEGEN");
    assertMatchesReference();
  }

  @Test
  void floatAndDoubleVectorsMixAndNullsGiveNull() {
    Row r = spark.sql("SELECT l2_distance(array(1.0D, 2.0D), array(CAST(1 AS FLOAT), CAST(4 AS FLOAT))),"
        + " cosine_distance(array(CAST(0 AS FLOAT), CAST(0 AS FLOAT)), array(1.0D, 0.0D)),"
        + " inner_product(array(1.0D, 2.0D, 3.0D), array(4.0D, 5.0D, 6.0D)),"
        + " l2_distance(array(1.0D, NULL), array(1.0D, 2.0D)),"
        + " l2_distance(CAST(NULL AS ARRAY<FLOAT>), array(1.0D))").first();
    assertEquals(4.0, r.getDouble(0));
    assertEquals(1.0, r.getDouble(1)); // a zero vector has no direction, as in the index
    assertEquals(32.0, r.getDouble(2));
    assertTrue(r.isNullAt(3));
    assertTrue(r.isNullAt(4));

    Dataset<Row> api = spark.table("vf_queries").crossJoin(spark.table("vf_corpus"))
        .select(VectorFunctions.l2Distance(functions.col("q"), functions.col("embedding")).as("d"),
            functions.expr("l2_distance(q, embedding)").as("e"));
    for (Row x : api.collectAsList()) {
      if (x.isNullAt(1)) {
        assertNull(x.get(0));
      } else {
        assertEquals(x.getDouble(1), x.getDouble(0));
      }
    }
  }

  @Test
  void badArgumentsAreErrorsNamingTheFunctionAndArgument() {
    AnalysisException type = assertThrows(AnalysisException.class,
        () -> spark.sql("SELECT cosine_distance(q, name) FROM vf_queries CROSS JOIN vf_corpus"));
    assertTrue(type.getMessage().contains("cosine_distance: argument 2 (vf_corpus.name) is string, not a vector"),
        type.getMessage());
    AnalysisException arity = assertThrows(AnalysisException.class, () -> spark.sql("SELECT l2_distance(array(1.0D))"));
    assertTrue(arity.getMessage().contains("l2_distance"), arity.getMessage());
    Exception length = assertThrows(Exception.class,
        () -> spark.sql("SELECT inner_product(q, slice(q, 1, 3)) FROM vf_queries").collect());
    Throwable root = length;
    while (root.getCause() != null) root = root.getCause();
    assertTrue(root.getMessage().contains("inner_product: the vectors have different lengths, 16 and 3"),
        root.getMessage());
  }

  @Test
  void anExactTopKInSqlEqualsTheJoinAtFullProbe() {
    Dataset<Row> exact = spark.sql("SELECT qid, id, distance, rank FROM (SELECT qid, id, l2_distance(q, embedding) AS"
        + " distance, row_number() OVER (PARTITION BY qid ORDER BY l2_distance(q, embedding), id) AS rank"
        + " FROM vf_queries CROSS JOIN vf_corpus WHERE embedding IS NOT NULL) WHERE rank <= 5");
    Dataset<Row> joined = QuiverSpark.kNearestJoin(spark.table("vf_queries"), "q",
        spark.read().parquet(dir.resolve("corpus").toString()), "embedding", 5,
        KnnJoinOptions.defaults().buildParams(BuildParams.builder().nlist(4).seed(3).build())
            .nprobes(4).refineFactor(300).columns("id"));
    KnnJoinTest.assertSameNeighbours(exact, joined);
  }

  @Test
  void theReadmeSqlRuns() throws Exception {
    String readme = java.nio.file.Files.readString(Path.of("..", "README.md"));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("```sql\\n(.*?)```", java.util.regex.Pattern.DOTALL)
        .matcher(readme);
    int statements = 0;
    while (m.find()) {
      for (String statement : m.group(1).split(";")) {
        if (statement.isBlank()) continue;
        List<Row> rows = spark.sql(statement).collectAsList();
        if (statement.strip().startsWith("SELECT")) {
          assertTrue(!rows.isEmpty(), statement);
          assertTrue(rows.stream().allMatch(r -> !r.isNullAt(1)), rows.toString());
        }
        statements++;
      }
    }
    assertEquals(4, statements, "the README's SQL section");
    // The first query: the nearest two of three rows, the exact order.
    assertEquals(List.of(1, 2), spark.sql("SELECT id FROM items ORDER BY l2_distance(embedding, array(0.1F, 0.25F))"
        + " LIMIT 2").collectAsList().stream().map(r -> r.getInt(0)).toList());
  }

  /** A SQL array literal of the vector of corpus row {@code id}. */
  static String vectorLiteral(String corpus, long id) {
    Row r = spark.read().parquet(corpus).where("id = " + id).select("id", "embedding").first();
    float[] v = BruteForce.vector(r);
    StringBuilder sb = new StringBuilder("array(");
    for (int i = 0; i < v.length; i++) sb.append(i == 0 ? "" : ", ").append(v[i]).append("F");
    return sb.append(")").toString();
  }

  static Throwable root(Throwable t) {
    while (t.getCause() != null) t = t.getCause();
    return t;
  }

  @Test
  void quiverSearchIsALazyRelationOfTheNearestRows() {
    String corpus = dir.resolve("corpus").toString();
    String query = vectorLiteral(corpus, 7);
    String call = "quiver_search('" + corpus + "', 'embedding', " + query + ", 5, map('nprobes', '4', 'refineFactor',"
        + " '300', 'nlist', '4', 'seed', '3', 'columns', 'id, name'))";
    QuiverSession qs = QuiverSession.of(spark);
    long builds = qs.builds();
    // Defining a view and explaining it read the corpus's schema only.
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW vf_search AS SELECT * FROM " + call);
    String plan = spark.sql("EXPLAIN SELECT * FROM vf_search").first().getString(0);
    assertTrue(plan.contains("quiver_search(" + corpus + ", embedding, 16-d query, k=5)"), plan);
    assertEquals(builds, qs.builds());
    assertEquals(List.of("id", "name", "distance", "rank"), List.of(spark.table("vf_search").schema().fieldNames()));

    List<Row> got = spark.sql("SELECT id, distance, rank FROM vf_search ORDER BY rank").collectAsList();
    assertEquals(builds + 1, qs.builds());
    List<Row> want = spark.sql("SELECT id, l2_distance(embedding, " + query + ") AS d FROM vf_corpus"
        + " WHERE embedding IS NOT NULL ORDER BY d, id LIMIT 5").collectAsList();
    assertEquals(5, got.size());
    for (int i = 0; i < 5; i++) {
      assertEquals(want.get(i).getLong(0), got.get(i).getLong(0), "rank " + (i + 1));
      assertEquals(want.get(i).getDouble(1), got.get(i).getFloat(1), 1e-4);
      assertEquals(i + 1, got.get(i).getInt(2));
    }
    assertEquals(7L, got.get(0).getLong(0));
    // Again: the same index.
    assertEquals(5, spark.table("vf_search").count());
    assertEquals(builds + 1, qs.builds());
  }

  @Test
  void quiverSearchOverADeltaTableNeverReturnsItsDeletedRows() {
    String table = dir.resolve("delta").toString();
    spark.read().parquet(dir.resolve("corpus").toString()).write().format("delta")
        .option("delta.enableDeletionVectors", "true").save(table);
    spark.sql("DELETE FROM delta.`" + table + "` WHERE id % 2 = 1");
    String query = vectorLiteral(dir.resolve("corpus").toString(), 7);
    List<Row> got = spark.sql("SELECT id FROM quiver_search('" + table + "', 'embedding', " + query
        + ", 10, map('nprobes', '4', 'refineFactor', '300', 'nlist', '4'))").collectAsList();
    List<Row> want = spark.sql("SELECT id FROM delta.`" + table + "` WHERE embedding IS NOT NULL"
        + " ORDER BY l2_distance(embedding, " + query + "), id LIMIT 10").collectAsList();
    assertEquals(want.stream().map(r -> r.getLong(0)).toList(), got.stream().map(r -> r.getLong(0)).toList());
  }

  @Test
  void quiverSearchArgumentsAreCheckedByName() {
    String corpus = dir.resolve("corpus").toString();
    String q16 = vectorLiteral(corpus, 1);
    Map<String, String> bad = new java.util.LinkedHashMap<>();
    bad.put("quiver_search('" + corpus + "', 'embedding', " + q16 + ", 0)", "argument 4 (k) must be at least 1");
    bad.put("quiver_search('" + corpus + "', 'nope', " + q16 + ", 3)", "nope");
    bad.put("quiver_search('" + corpus + "', 'embedding', array('a'), 3)", "argument 3 (query_vector) must be an array of numbers");
    bad.put("quiver_search('/no/such/corpus', 'embedding', " + q16 + ", 3)", "neither a table of the catalog nor an existing path");
    bad.put("quiver_search('" + corpus + "', 'embedding', " + q16 + ", 3, map('nprobs', '4'))", "unknown k-nearest join option 'nprobs'");
    bad.put("quiver_search('" + corpus + "', 'embedding', " + q16 + ")", "takes 4 or 5 arguments");
    for (Map.Entry<String, String> e : bad.entrySet()) {
      Exception thrown = assertThrows(Exception.class, () -> spark.sql("SELECT * FROM " + e.getKey()).collect(), e.getKey());
      String message = thrown.getMessage() + " / " + root(thrown).getMessage();
      assertTrue(message.contains(e.getValue()), e.getKey() + ": " + message);
    }
    Exception dim = assertThrows(Exception.class, () -> spark.sql("SELECT * FROM quiver_search('" + corpus
        + "', 'embedding', array(1.0, 2.0), 3)").collect());
    assertTrue(root(dim).getMessage().contains("query dimension 2 does not match the index dimension 16"),
        root(dim).getMessage());
  }

  @Test
  void quiverKnnJoinInSqlEqualsTheDataFrameJoinAndBruteForce() {
    String corpus = dir.resolve("corpus").toString();
    Dataset<Row> sql = spark.sql("SELECT * FROM quiver_knn_join('vf_queries', 'q', '" + corpus + "', 'embedding', 5,"
        + " map('nprobes', '4', 'refineFactor', '300', 'nlist', '4', 'seed', '3', 'columns', 'id'))");
    assertEquals(List.of("qid", "label", "q", "id", "distance", "rank"), List.of(sql.schema().fieldNames()));
    Dataset<Row> exact = spark.sql("SELECT qid, id, distance, rank FROM (SELECT qid, id, l2_distance(q, embedding) AS"
        + " distance, row_number() OVER (PARTITION BY qid ORDER BY l2_distance(q, embedding), id) AS rank"
        + " FROM vf_queries CROSS JOIN vf_corpus WHERE embedding IS NOT NULL) WHERE rank <= 5");
    KnnJoinTest.assertSameNeighbours(exact, sql);
    Dataset<Row> query = spark.sql("SELECT * FROM quiver_knn_join(TABLE(SELECT qid, q FROM vf_queries WHERE qid < 4), 'q', '"
        + corpus + "', 'embedding', 5, map('nprobes', '4', 'refineFactor', '300', 'nlist', '4', 'seed', '3',"
        + " 'columns', 'id'))");
    assertEquals(List.of("qid", "q", "id", "distance", "rank"), List.of(query.schema().fieldNames()));
    KnnJoinTest.assertSameNeighbours(exact.where("qid < 4"), query);
    Exception notATable = assertThrows(Exception.class, () -> spark.sql("SELECT * FROM quiver_knn_join('nope', 'q', '"
        + corpus + "', 'embedding', 5)"));
    assertTrue(root(notATable).getMessage().contains("quiver_knn_join: argument 1 (left) 'nope' is not a table"),
        root(notATable).getMessage());
  }

  @Test
  void aJoinOnQuiverKnnIsPlannedAsTheFusedJoin() {
    Dataset<Row> sql = spark.sql("SELECT l.qid, c.id, l2_distance(l.q, c.embedding) AS distance FROM vf_queries l"
        + " JOIN vf_corpus c ON quiver_knn(l.q, c.embedding, 5, map('nprobes', '4', 'refineFactor', '300',"
        + " 'nlist', '4', 'seed', '3'))");
    String plan = sql.queryExecution().executedPlan().treeString();
    assertTrue(plan.contains("Scan QuiverKnnJoin(q -> embedding, k=5"), plan);
    assertTrue(!plan.contains("Exchange") && !plan.contains("FileScan") && !plan.contains("NestedLoopJoin"), plan);
    // The scan reads (and the join fetches) only the columns the query uses.
    assertTrue(plan.contains("ReadSchema: struct<qid:bigint,id:bigint,q:array<float>,embedding:array<float>>"), plan);
    List<String> got = sql.collectAsList().stream().map(r -> r.getLong(0) + ":" + r.getLong(1)).sorted().toList();
    List<String> want = spark.sql("SELECT qid, id FROM (SELECT qid, id, row_number() OVER (PARTITION BY qid ORDER BY"
        + " l2_distance(q, embedding), id) AS rank FROM vf_queries CROSS JOIN vf_corpus WHERE embedding IS NOT NULL)"
        + " WHERE rank <= 5").collectAsList().stream().map(r -> r.getLong(0) + ":" + r.getLong(1)).sorted().toList();
    assertEquals(want, got);
    // Every corpus column, the vector included, as a join gives them.
    assertEquals(7 + 3, spark.sql("SELECT * FROM vf_queries l JOIN vf_corpus c ON quiver_knn(l.q, c.embedding, 2)")
        .schema().size());

    // A corpus of computed rows (here a filter) gets the exact plan: the same rows.
    Dataset<Row> computed = spark.sql("SELECT l.qid, c.id FROM vf_queries l JOIN (SELECT * FROM vf_corpus WHERE id >= 0) c"
        + " ON quiver_knn(l.q, c.embedding, 5)");
    String exactPlan = computed.queryExecution().executedPlan().treeString();
    assertTrue(exactPlan.contains("Window") && !exactPlan.contains("QuiverKnnJoin"), exactPlan);
    assertEquals(want, computed.collectAsList().stream().map(r -> r.getLong(0) + ":" + r.getLong(1)).sorted().toList());

    Exception misplaced = assertThrows(Exception.class,
        () -> spark.sql("SELECT quiver_knn(q, q, 3) FROM vf_queries").collect());
    assertTrue(root(misplaced).getMessage().contains("quiver_knn is a join condition on its own"),
        root(misplaced).getMessage());
    Exception swapped = assertThrows(Exception.class, () -> spark.sql("SELECT * FROM vf_queries l JOIN vf_corpus c"
        + " ON quiver_knn(c.embedding, l.q, 3)").collect());
    assertTrue(root(swapped).getMessage().contains("argument 1 (left_vector) must be a column of the left side"),
        root(swapped).getMessage());
  }
}
