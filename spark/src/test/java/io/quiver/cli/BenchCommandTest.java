package io.quiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench end to end at a tiny scale: the Spark module's benchmark run through the command writes
 * its report and chart. (The benchmark stops its Spark session; later tests start a new one.)
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
  }
}
