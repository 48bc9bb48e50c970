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
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * build and search over a Delta table written by delta-spark: the table's files at a version,
 * its deletion vectors never served, a compaction detected as a stale index, time travel.
 */
class TableCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROWS = 1000;

  @TempDir static Path dir;
  static SparkSession spark;
  static Path table;
  static float[][] vectors;

  @BeforeAll
  static void writeTable() {
    spark = TestCorpus.spark();
    Path parquet = dir.resolve("parquet");
    vectors = TestCorpus.write(parquet, ROWS, 3, 11);
    table = dir.resolve("table");
    spark.read().parquet(parquet.toString()).write().format("delta")
        .option("delta.enableDeletionVectors", "true").save(table.toString());
  }

  private static String csv(float[] v) {
    return IntStream.range(0, v.length).mapToObj(i -> Float.toString(v[i])).collect(Collectors.joining(","));
  }

  /** Ids of the k nearest rows to row {@code of} among the rows {@code live} keeps, by brute force. */
  private static List<Long> exactTop(int of, int k, java.util.function.IntPredicate live) {
    return IntStream.range(0, ROWS).filter(live).boxed()
        .sorted(Comparator.comparingDouble(i -> l2(vectors[of], vectors[i])))
        .limit(k).map(Integer::longValue).toList();
  }

  private static double l2(float[] a, float[] b) {
    double s = 0;
    for (int d = 0; d < a.length; d++) s += (a[d] - b[d]) * (double) (a[d] - b[d]);
    return s;
  }

  private static List<Long> ids(CliRun run) throws Exception {
    List<Long> ids = new ArrayList<>();
    for (JsonNode h : JSON.readTree(run.out()).get("hits")) ids.add(h.get("columns").get("id").asLong());
    return ids;
  }

  private static CliRun search(Path index, int of) {
    return CliRun.of("search", index.toString(), "--query", csv(vectors[of]), "-k", "10",
        "--nprobes", "8", "--refine", "100", "--columns", "id,label", "--json");
  }

  @Test
  void aDeltaTableIsBuiltAtItsVersionAndSearchedWithItsDeletes() throws Exception {
    Path index = dir.resolve("index");
    CliRun build = CliRun.of("build", table.toString(), "--index", index.toString(), "--nlist", "8",
        "-m", "4", "--no-progress");
    assertEquals(0, build.exitCode(), build::toString);
    assertTrue(build.out().contains("Source      delta table file:" + table + " version 0"), build::toString);
    // In place: the table's own three files.
    JsonNode info = JSON.readTree(CliRun.of("info", index.toString(), "--json").out());
    assertEquals(3, info.get("files").size());

    CliRun before = search(index, 42);
    assertEquals(0, before.exitCode(), before::toString);
    assertEquals(exactTop(42, 10, i -> true), ids(before));
    assertEquals("delta table file:" + table + " version 0", JSON.readTree(before.out()).get("source").asText());

    // A DELETE through deletion vectors: the same index, the deleted rows never served.
    spark.sql("DELETE FROM delta.`" + table + "` WHERE id % 2 = 0");
    CliRun after = search(index, 42);
    assertEquals(0, after.exitCode(), after::toString);
    assertEquals(exactTop(42, 10, i -> i % 2 != 0), ids(after));
    assertEquals("delta table file:" + table + " version 1", JSON.readTree(after.out()).get("source").asText());
    CliRun text = CliRun.of("search", index.toString(), "--query", csv(vectors[7]), "-k", "3");
    assertTrue(text.out().contains("Answered from the delta table file:" + table + " version 1"), text::toString);

    // Time travel: an index of version 0 answers every row.
    Path old = dir.resolve("index-v0");
    CliRun asOf = CliRun.of("build", table.toString(), "--index", old.toString(), "--as-of", "0", "--nlist", "8",
        "-m", "4", "--no-progress");
    assertEquals(0, asOf.exitCode(), asOf::toString);
    assertTrue(asOf.out().contains("version 0"), asOf::toString);

    // A compaction rewrites the files (the old ones stay on disk until a VACUUM): stale.
    spark.sql("OPTIMIZE delta.`" + table + "`");
    CliRun stale = search(index, 42);
    assertEquals(ExitCodes.STALE_INDEX, stale.exitCode(), stale::toString);
    assertTrue(stale.err().contains("stale index") && stale.err().contains("version 2"), stale::toString);
    assertTrue(Files.isDirectory(index));
  }

  @Test
  void anIcebergTableIsBuiltFromItsDirectory() throws Exception {
    Path ice = dir.resolve("iceberg");
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> rows =
        spark.read().parquet(dir.resolve("parquet").toString()).select("id", "label", "embedding");
    new org.apache.iceberg.hadoop.HadoopTables(spark.sparkContext().hadoopConfiguration()).create(
        org.apache.iceberg.spark.SparkSchemaUtil.convert(rows.schema()), org.apache.iceberg.PartitionSpec.unpartitioned(),
        java.util.Map.of("format-version", "2", "read.parquet.vectorization.enabled", "false"), ice.toString());
    rows.write().format("iceberg").mode("append").save(ice.toString());

    Path index = dir.resolve("iceberg-index");
    CliRun build = CliRun.of("build", ice.toString(), "--index", index.toString(), "--nlist", "8", "-m", "4",
        "--no-progress");
    assertEquals(0, build.exitCode(), build::toString);
    assertTrue(build.out().contains("Source      iceberg table "), build::toString);
    CliRun search = search(index, 42);
    assertEquals(0, search.exitCode(), search::toString);
    assertEquals(exactTop(42, 10, i -> true), ids(search));
    assertTrue(JSON.readTree(search.out()).get("source").asText().startsWith("iceberg table "), search::toString);
  }

  @Test
  void asOfNeedsATable() {
    CliRun run = CliRun.of("build", dir.resolve("parquet").toString(), "--index", dir.resolve("x").toString(),
        "--as-of", "3");
    assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
    assertTrue(run.err().contains("--as-of picks a version of a Delta or Iceberg table"), run::toString);
  }
}
