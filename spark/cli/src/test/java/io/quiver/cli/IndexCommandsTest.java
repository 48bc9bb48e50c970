package io.quiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** build, info and verify end to end over Spark-written Parquet, including their error paths. */
class IndexCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static Path corpus;
  static Path index;

  @BeforeAll
  static void buildIndex() {
    corpus = dir.resolve("corpus");
    TestCorpus.write(corpus, 3000, 2, 7);
    index = dir.resolve("index");
    CliRun run = CliRun.of("build", corpus.toString(), "--index", index.toString(),
        "--nlist", "16", "--pq-m", "4", "--no-progress");
    assertEquals(0, run.exitCode(), run::toString);
    assertTrue(run.out().contains("3,000 x 16-d"), run::toString);
  }

  /** A fresh copy of the corpus and an index over it, for tests that damage one or the other. */
  private static Path[] ownCorpusAndIndex(String name) {
    Path c = dir.resolve(name + "-corpus");
    TestCorpus.write(c, 500, 1, 11);
    Path i = dir.resolve(name + "-index");
    CliRun run = CliRun.of("build", c.toString(), "-i", i.toString(), "--nlist", "4", "-m", "4",
        "--no-progress");
    assertEquals(0, run.exitCode(), run::toString);
    return new Path[] {c, i};
  }

  private static List<Path> parquetFiles(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    }
  }

  @Test
  void everySubcommandHasHelp() {
    for (String sub : List.of("build", "append", "remove", "compact", "retrain", "info", "verify", "search")) {
      CliRun run = CliRun.of(sub, "--help");
      assertEquals(0, run.exitCode(), run::toString);
      assertTrue(run.out().startsWith("Usage: quiver " + sub), run::toString);
    }
    CliRun top = CliRun.of("--help");
    assertTrue(top.out().contains("Exit codes:"), top::toString);
  }

  @Test
  void appendRemoveAndCompactChangeTheIndexInPlace() throws IOException {
    Path first = dir.resolve("grow-first");
    Path later = dir.resolve("grow-later");
    TestCorpus.write(first, 600, 2, 21);
    TestCorpus.write(later, 400, 1, 22);
    Path i = dir.resolve("grow-index");
    assertEquals(0, CliRun.of("build", first.toString(), "-i", i.toString(), "--nlist", "8", "-m", "4",
        "--no-progress").exitCode());

    CliRun append = CliRun.of("append", i.toString(), later.toString(), "--no-progress");
    assertEquals(0, append.exitCode(), append::toString);
    assertTrue(append.out().contains("Segments    2"), append::toString);
    CliRun again = CliRun.of("append", i.toString(), later.toString(), "--no-progress");
    assertEquals(4, again.exitCode(), again::toString);
    assertTrue(again.err().contains("already in the index"), again::toString);

    JsonNode info = JSON.readTree(CliRun.of("info", i.toString(), "--json").out());
    assertEquals(1000, info.at("/rows_indexed").asLong());
    assertEquals(2, info.at("/segments").size());
    assertEquals(2, info.at("/segments/1/first_file").asInt());
    CliRun table = CliRun.of("info", i.toString());
    assertTrue(table.out().contains("Segments (2"), table::toString);

    Path gone = parquetFiles(first).get(0);
    CliRun remove = CliRun.of("remove", i.toString(), gone.toString());
    assertEquals(0, remove.exitCode(), remove::toString);
    Files.delete(gone);
    info = JSON.readTree(CliRun.of("info", i.toString(), "--json").out());
    assertEquals("[0]", info.at("/removed_files").toString());
    assertTrue(CliRun.of("info", i.toString()).out().contains("removed"));
    assertEquals(0, CliRun.of("verify", i.toString()).exitCode());
    CliRun missing = CliRun.of("remove", i.toString(), gone.toString());
    assertEquals(3, missing.exitCode(), missing::toString);

    CliRun compact = CliRun.of("compact", i.toString(), "--no-progress", "--json");
    assertEquals(0, compact.exitCode(), compact::toString);
    JsonNode compacted = JSON.readTree(compact.out());
    assertEquals(1, compacted.at("/segments").size());
    assertEquals(2, compacted.at("/info/files").size());
    assertEquals(1, compacted.at("/info/format_version").asInt());
    assertEquals(0, CliRun.of("verify", i.toString()).exitCode());
    assertEquals(600, compacted.at("/info/train_sample").asLong());

    // Trained again on the rows it holds now: one file of the first build's two, and the appended one.
    CliRun retrain = CliRun.of("retrain", i.toString(), "--no-progress", "--json");
    assertEquals(0, retrain.exitCode(), retrain::toString);
    JsonNode retrained = JSON.readTree(retrain.out());
    assertEquals(700, retrained.at("/info/train_sample").asLong());
    assertEquals(700, retrained.at("/info/rows_indexed").asLong());
    assertEquals(8, retrained.at("/info/nlist").asInt());
    assertEquals(4, retrained.at("/info/pq_m").asInt());
    assertEquals(0, CliRun.of("verify", i.toString()).exitCode());
  }

  @Test
  void buildReportsJson() throws IOException {
    Path out = dir.resolve("json-index");
    CliRun run = CliRun.of("build", corpus.toString(), "-i", out.toString(), "--nlist", "8",
        "-m", "8", "--metric", "cosine", "--no-progress", "--json");
    assertEquals(0, run.exitCode(), run::toString);
    JsonNode doc = JSON.readTree(run.out());
    assertEquals(3000, doc.at("/info/rows_indexed").asLong());
    assertEquals("COSINE", doc.at("/info/metric").asText());
    assertEquals(8, doc.at("/info/nlist").asInt());
    assertEquals(2, doc.at("/info/files").size());
  }

  @Test
  void buildOfAMissingFileFailsWithNotFound() {
    Path missing = dir.resolve("nope.parquet");
    CliRun run = CliRun.of("build", missing.toString(), "-i", dir.resolve("x").toString());
    assertEquals(ExitCodes.NOT_FOUND, run.exitCode(), run::toString);
    assertEquals(1, run.err().strip().lines().count(), run::toString);
    assertTrue(run.err().contains("no such file or directory: " + missing), run::toString);
    assertFalse(Files.exists(dir.resolve("x")));
  }

  @Test
  void buildOfAMissingColumnFailsWithNotFound() {
    CliRun run = CliRun.of("build", corpus.toString(), "-i", dir.resolve("y").toString(),
        "--column", "vectors", "--no-progress");
    assertEquals(ExitCodes.NOT_FOUND, run.exitCode(), run::toString);
    assertTrue(run.err().contains("vectors"), run::toString);
    assertTrue(run.err().contains("--column"), run::toString);
    assertEquals(1, run.err().strip().lines().count(), run::toString);
    assertFalse(Files.exists(dir.resolve("y")));
  }

  @Test
  void buildOfANonFloatColumnFailsWithInvalidInput() {
    for (String column : List.of("tags", "label")) {
      CliRun run = CliRun.of("build", corpus.toString(), "-i", dir.resolve("z").toString(),
          "--column", column, "--no-progress");
      assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run::toString);
      assertTrue(run.err().contains(column), run::toString);
      assertEquals(1, run.err().strip().lines().count(), run::toString);
    }
  }

  @Test
  void verboseAddsTheStackTrace() {
    CliRun run = CliRun.of("build", corpus.toString(), "-i", dir.resolve("w").toString(),
        "--column", "vectors", "--no-progress", "--verbose");
    assertEquals(ExitCodes.NOT_FOUND, run.exitCode(), run::toString);
    assertTrue(run.err().contains("\tat io.quiver."), run::toString);
  }

  @Test
  void badOptionIsAUsageError() {
    CliRun run = CliRun.of("build", corpus.toString(), "-i", "x", "--nlist", "many");
    assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
  }

  @Test
  void infoShowsParametersAndFreshFiles() throws IOException {
    CliRun run = CliRun.of("info", index.toString());
    assertEquals(0, run.exitCode(), run::toString);
    assertTrue(run.out().contains("nlist 16, m 4 x 8 bits"), run::toString);
    assertTrue(run.out().contains("all fresh"), run::toString);
    for (Path p : parquetFiles(corpus)) assertTrue(run.out().contains(p.toString()), run::toString);

    JsonNode doc = JSON.readTree(CliRun.of("info", index.toString(), "--json").out());
    assertEquals(16, doc.get("dim").asInt());
    assertEquals("embedding", doc.get("vector_column").asText());
    assertTrue(doc.at("/files/0/fresh").asBoolean());
    assertTrue(doc.get("index_files").size() > 0);
  }

  @Test
  void infoAndVerifyOfAMissingIndex() {
    for (String sub : List.of("info", "verify")) {
      CliRun run = CliRun.of(sub, dir.resolve("no-index").toString());
      assertEquals(ExitCodes.NOT_FOUND, run.exitCode(), run::toString);
      assertTrue(run.err().contains("no index at"), run::toString);
    }
  }

  @Test
  void verifyOfAFreshIndexExitsZero() throws IOException {
    CliRun run = CliRun.of("verify", index.toString());
    assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
    assertTrue(run.out().contains("fresh"), run::toString);
    JsonNode doc = JSON.readTree(CliRun.of("verify", index.toString(), "--json").out());
    assertEquals("fresh", doc.get("status").asText());
  }

  @Test
  void aChangedSourceFileMakesTheIndexStale() throws IOException {
    Path[] own = ownCorpusAndIndex("stale");
    Path file = parquetFiles(own[0]).get(0);
    Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 60_000));

    CliRun verify = CliRun.of("verify", own[1].toString());
    assertEquals(ExitCodes.STALE_INDEX, verify.exitCode(), verify::toString);
    assertTrue(verify.out().contains("stale"), verify::toString);
    JsonNode doc = JSON.readTree(CliRun.of("verify", own[1].toString(), "--json").out());
    assertEquals("stale", doc.get("status").asText());
    assertEquals(file.toString(), doc.get("file").asText());

    CliRun search = CliRun.of("search", own[1].toString(), "--query", "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0");
    assertEquals(ExitCodes.STALE_INDEX, search.exitCode(), search::toString);
    assertTrue(search.err().contains("stale index") && search.err().contains("quiver build"), search::toString);
    assertEquals(1, search.err().strip().lines().count(), search::toString);

    CliRun info = CliRun.of("info", own[1].toString());
    assertEquals(ExitCodes.OK, info.exitCode(), info::toString);
    assertTrue(info.out().contains("STALE"), info::toString);
    assertTrue(info.out().contains("1 stale"), info::toString);
  }

  @Test
  void aDamagedIndexIsCorrupt() throws IOException {
    Path[] own = ownCorpusAndIndex("corrupt");
    Path biggest;
    try (Stream<Path> s = Files.list(own[1])) {
      biggest = s.filter(Files::isRegularFile)
          .max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
    }
    try (RandomAccessFile f = new RandomAccessFile(biggest.toFile(), "rw")) {
      long at = f.length() / 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0xFF);
    }
    CliRun run = CliRun.of("verify", own[1].toString());
    assertEquals(ExitCodes.CORRUPT_INDEX, run.exitCode(), run::toString);
    assertTrue(run.out().contains("corrupt"), run::toString);
  }
}
