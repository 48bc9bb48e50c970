package io.quiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** join, bench and demo end to end on small data in the suite's local Spark. */
class JoinAndDemoTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROWS = 1500;

  @TempDir static Path dir;
  static Path corpus;
  static Path queries;
  static float[][] vectors;

  @BeforeAll
  static void writeData() {
    corpus = dir.resolve("corpus");
    vectors = TestCorpus.write(corpus, ROWS, 2, 5);
    queries = dir.resolve("queries");
    List<Row> rows = new ArrayList<>();
    for (int q = 0; q < 20; q++) {
      Float[] v = new Float[TestCorpus.DIM];
      for (int d = 0; d < v.length; d++) v[d] = vectors[q * 50][d] + 0.01f * d;
      rows.add(RowFactory.create((long) q, v));
    }
    StructType schema = new StructType().add("qid", DataTypes.LongType, false)
        .add("q", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    TestCorpus.spark().createDataFrame(rows, schema).coalesce(1).write().parquet(queries.toString());
  }

  private static long exactNearest(float[] q) {
    return IntStream.range(0, ROWS).boxed().min(Comparator.comparingDouble(i -> {
      double s = 0;
      for (int d = 0; d < q.length; d++) s += (q[d] - vectors[i][d]) * (double) (q[d] - vectors[i][d]);
      return s;
    })).orElseThrow();
  }

  @Test
  void joinWritesParquetAndMatchesBruteForceAtFullProbe() throws Exception {
    Path out = dir.resolve("joined");
    CliRun run = CliRun.of("join", queries.toString(), corpus.toString(), "-o", out.toString(),
        "--query-column", "q", "-k", "3", "--nlist", "8", "-m", "4", "--nprobes", "8",
        "--refine", "500", "--columns", "id,label", "--no-progress", "--json");
    assertEquals(0, run.exitCode(), run::toString);
    JsonNode doc = JSON.readTree(run.out());
    assertEquals(20, doc.get("queries").asLong());
    assertEquals(60, doc.get("rows").asLong());
    assertTrue(doc.get("index_built").asBoolean());

    List<Row> top = TestCorpus.spark().read().parquet(out.toString()).where("rank = 1")
        .select("qid", "id", "label").collectAsList();
    assertEquals(20, top.size());
    for (Row r : top) {
      float[] q = vectors[(int) r.getLong(0) * 50].clone();
      for (int d = 0; d < q.length; d++) q[d] += 0.01f * d;
      assertEquals(exactNearest(q), r.getLong(1), "query " + r.getLong(0));
      assertEquals("row-" + r.getLong(1), r.getString(2));
    }

    // A second join finds the fresh index and does not build again; the output must not exist.
    CliRun again = CliRun.of("join", queries.toString(), corpus.toString(), "-o", out.toString(),
        "--query-column", "q", "--no-progress", "--overwrite", "--json");
    assertEquals(0, again.exitCode(), again::toString);
    assertTrue(!JSON.readTree(again.out()).get("index_built").asBoolean(), again::toString);
    CliRun exists = CliRun.of("join", queries.toString(), corpus.toString(), "-o", out.toString(),
        "--query-column", "q");
    assertEquals(ExitCodes.USAGE, exists.exitCode(), exists::toString);
    assertTrue(exists.err().contains("--overwrite"), exists::toString);
  }

  @Test
  void joinErrorPaths() {
    CliRun noColumn = CliRun.of("join", queries.toString(), corpus.toString(), "-o",
        dir.resolve("j1").toString(), "--query-column", "vec", "--no-progress");
    assertEquals(ExitCodes.NOT_FOUND, noColumn.exitCode(), noColumn::toString);
    assertTrue(noColumn.err().contains("vec"), noColumn::toString);
    assertEquals(1, noColumn.err().strip().lines().count(), noColumn::toString);

    CliRun notFloat = CliRun.of("join", queries.toString(), corpus.toString(), "-o",
        dir.resolve("j2").toString(), "--query-column", "qid", "--no-progress");
    assertEquals(ExitCodes.INVALID_INPUT, notFloat.exitCode(), notFloat::toString);

    CliRun missing = CliRun.of("join", dir.resolve("none").toString(), corpus.toString(), "-o",
        dir.resolve("j3").toString());
    assertEquals(ExitCodes.NOT_FOUND, missing.exitCode(), missing::toString);
    assertTrue(!Files.exists(dir.resolve("j3")));
  }

  @Test
  void demoRunsEndToEndOnASmallCorpus() throws Exception {
    Path demo = dir.resolve("demo");
    CliRun run = CliRun.of("demo", "--rows", "3000", "--dim", "16", "--queries", "50",
        "--single", "3", "--sweep", "1,4", "--files", "2", "--dir", demo.toString(), "--json");
    assertEquals(0, run.exitCode(), run::toString);
    JsonNode doc = JSON.readTree(run.out());
    assertTrue(doc.get("join_recall").asDouble() > 0.5, run::toString);
    assertEquals(2, doc.get("sweep").size());
    assertTrue(doc.at("/sweep/1/recall").asDouble() >= doc.at("/sweep/0/recall").asDouble(), run::toString);
    Path chart = Path.of(doc.get("chart").asText());
    assertTrue(Files.size(chart) > 1000);
    byte[] magic = Files.readAllBytes(chart);
    assertEquals((byte) 0x89, magic[0]);
    assertEquals('P', magic[1]);
  }

  @Test
  void benchAndDemoHaveHelp() {
    for (String sub : List.of("join", "bench", "demo")) {
      CliRun run = CliRun.of(sub, "--help");
      assertEquals(0, run.exitCode(), run::toString);
      assertTrue(run.out().startsWith("Usage: quiver " + sub), run::toString);
    }
  }
}
