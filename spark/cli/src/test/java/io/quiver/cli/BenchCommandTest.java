package io.quiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench end to end at a tiny scale: the benchmark (io.quiver.cli.bench) run through the command
 * writes its report and chart. (The benchmark stops its Spark session; later tests start a new one.)
 */
class BenchCommandTest {

  @Test
  void benchWritesItsReport(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("report");
    CliRun run = CliRun.of("bench", "--scale", "3000x5", "--dim", "16", "--payload-columns", "2",
        "--configs", "build,join", "--repeat", "1", "--work-dir", dir.resolve("work").toString(),
        "--out", out.toString());
    assertEquals(0, run.exitCode(), run::toString);
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("Quiver fused join, warm, row id"), report);
    assertTrue(Files.size(out.resolve("recall-vs-time.png")) > 1000);
    assertTrue(run.out().contains("Quiver fused join, warm, row id"), run::toString);
  }

  @Test
  void benchJsonListsEveryConfiguration(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("bench", "--json", "--scale", "2000x4", "--dim", "8", "--payload-columns", "1",
        "--configs", "build,join", "--repeat", "1", "--work-dir", dir.resolve("work").toString(),
        "--out", dir.resolve("report").toString());
    assertEquals(0, run.exitCode(), run::toString);
    var doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.out());
    var configs = new java.util.ArrayList<String>();
    doc.get("results").forEach(r -> configs.add(r.get("config").asText()));
    assertTrue(configs.contains("Quiver one-time index build"), configs::toString);
    assertTrue(configs.contains("Quiver fused join, warm, row id"), configs::toString);
    doc.get("results").forEach(r -> {
      if (r.get("config").asText().contains("row id")) {
        assertEquals(1.0, r.get("recall_at_10").asDouble(), 0.2, r::toString);
      }
    });
  }

  @Test
  void buildBenchmarkComparesLocalDistributedAppendAndRebuild(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("bench-build", "--rows", "6000", "--append-rows", "1500", "--files", "4", "--dim", "16",
        "--clusters", "16", "--queries", "5", "--work-dir", dir.resolve("work").toString());
    assertEquals(0, run.exitCode(), run::toString);
    String report = Files.readString(dir.resolve("work/build-report.md"));
    for (String row : new String[] {"| on the driver", "| across the workers", "| append to the local index",
        "| rebuild over all files", "Projection to 1,000,000,000 rows"}) {
      assertTrue(report.contains(row), row + " in\n" + report);
    }
    // Recall is a number in [0, 1] on every build row.
    assertTrue(report.lines().filter(l -> l.startsWith("| on the driver") || l.startsWith("| across"))
        .allMatch(l -> l.matches(".*\\| (0\\.\\d+|1\\.0000) \\|$")), report);
  }
}
