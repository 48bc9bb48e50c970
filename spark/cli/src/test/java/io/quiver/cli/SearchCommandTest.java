package io.quiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** search end to end: the hits equal a brute-force scan at full probe, and its error paths. */
class SearchCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROWS = 2000;

  @TempDir static Path dir;
  static Path index;
  static float[][] vectors;

  @BeforeAll
  static void buildIndex() {
    Path corpus = dir.resolve("corpus");
    vectors = TestCorpus.write(corpus, ROWS, 1, 3);
    index = dir.resolve("index");
    CliRun run = CliRun.of("build", corpus.toString(), "-i", index.toString(), "--nlist", "8",
        "-m", "4", "--no-progress");
    assertEquals(0, run.exitCode(), run::toString);
  }

  private static String csv(float[] v) {
    return IntStream.range(0, v.length).mapToObj(i -> Float.toString(v[i])).collect(Collectors.joining(","));
  }

  private static int[] exactTop(float[] q, int k) {
    return IntStream.range(0, ROWS).boxed()
        .sorted(Comparator.comparingDouble(i -> l2(q, vectors[i])))
        .limit(k).mapToInt(Integer::intValue).toArray();
  }

  private static double l2(float[] a, float[] b) {
    double s = 0;
    for (int d = 0; d < a.length; d++) s += (a[d] - b[d]) * (double) (a[d] - b[d]);
    return s;
  }

  @Test
  void fullProbeEqualsBruteForceWithProjectedColumns() throws Exception {
    float[] q = vectors[17].clone();
    q[0] += 0.5f;
    CliRun run = CliRun.of("search", index.toString(), "--query", csv(q), "-k", "5",
        "--nprobes", "8", "--refine", "400", "--columns", "id,label", "--json");
    assertEquals(0, run.exitCode(), run::toString);
    JsonNode hits = JSON.readTree(run.out()).get("hits");
    int[] want = exactTop(q, 5);
    assertEquals(5, hits.size(), run::toString);
    for (int i = 0; i < 5; i++) {
      assertEquals(want[i], hits.get(i).at("/columns/id").asLong(), run::toString);
      assertEquals("row-" + want[i], hits.get(i).at("/columns/label").asText(), run::toString);
      assertEquals(i + 1, hits.get(i).get("rank").asInt());
    }

    CliRun table = CliRun.of("search", index.toString(), "-q", csv(q), "-k", "3", "--nprobes", "8",
        "--refine", "400", "--columns", "label");
    assertEquals(0, table.exitCode(), table::toString);
    assertTrue(table.out().lines().anyMatch(l -> l.startsWith("1 ") && l.contains("row-" + want[0])), table::toString);
  }

  @Test
  void queryFromAFile() throws Exception {
    Path file = dir.resolve("query.txt");
    Files.writeString(file, csv(vectors[5]).replace(",", "\n"));
    CliRun run = CliRun.of("search", index.toString(), "--query-file", file.toString(), "-k", "1",
        "--nprobes", "8", "--refine", "400", "--columns", "id", "--json");
    assertEquals(0, run.exitCode(), run::toString);
    assertEquals(5, JSON.readTree(run.out()).at("/hits/0/columns/id").asLong());
  }

  @Test
  void wrongDimensionIsInvalidInput() {
    CliRun run = CliRun.of("search", index.toString(), "--query", "1,2,3");
    assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run::toString);
    assertTrue(run.err().contains("the query has 3 values but the index holds 16-d vectors"), run::toString);
    assertEquals(1, run.err().strip().lines().count(), run::toString);
  }

  @Test
  void notANumberIsAUsageError() {
    CliRun run = CliRun.of("search", index.toString(), "--query", "1,x,3");
    assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
    assertTrue(run.err().contains("value 2"), run::toString);
  }

  @Test
  void unknownProjectedColumnIsNotFound() {
    CliRun run = CliRun.of("search", index.toString(), "--query", csv(vectors[0]), "--columns", "nope");
    assertEquals(ExitCodes.NOT_FOUND, run.exitCode(), run::toString);
    assertTrue(run.err().contains("nope"), run::toString);
  }

  @Test
  void missingQueryFileAndMissingIndex() {
    CliRun run = CliRun.of("search", index.toString(), "--query-file", dir.resolve("none.txt").toString());
    assertEquals(ExitCodes.NOT_FOUND, run.exitCode(), run::toString);
    CliRun noIndex = CliRun.of("search", dir.resolve("none").toString(), "--query", "1");
    assertEquals(ExitCodes.NOT_FOUND, noIndex.exitCode(), noIndex::toString);
  }

  @Test
  void aQueryIsRequired() {
    CliRun run = CliRun.of("search", index.toString());
    assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
    assertTrue(Arrays.stream(run.err().split("\n")).anyMatch(l -> l.contains("--query")), run::toString);
  }
}
