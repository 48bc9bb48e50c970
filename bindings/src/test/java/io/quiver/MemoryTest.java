package io.quiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repeated calls keep the process's resident memory flat: nothing leaks per call, on the native
 * side or in the bindings' arenas. Resident size is read from /proc/self/status after a warm-up
 * that lets the heap and the allocators reach their steady size.
 */
class MemoryTest {

  private static final long SEARCH_SLACK = 8L << 20;
  private static final long OPEN_SLACK = 16L << 20;

  @TempDir static Path tmp;
  static Corpus corpus;

  @BeforeAll
  static void buildIndex() throws Exception {
    corpus = new Corpus(tmp, Metric.L2);
    corpus.build();
  }

  static long residentBytes() throws IOException {
    System.gc();
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  @Test
  void a100000SearchesKeepResidentMemoryFlat() throws IOException {
    float[][] queries = Corpus.queries(64, 21);
    SearchParams params = SearchParams.builder().nprobes(2).refineFactor(2).threads(1).build();
    long[] keys = new long[10];
    float[] distances = new float[10];
    try (QuiverIndex index = QuiverIndex.open(corpus.indexDir);
        RowFilter filter = RowFilter.of(RowKey.pack(0, 1), RowKey.pack(2, 7))) {
      SearchParams filtered = params.toBuilder().filter(filter).build();
      int calls = 0;
      for (int i = 0; i < 20_000; i++, calls++) run(index, queries[i % 64], i, params, filtered, keys, distances);
      long before = residentBytes();
      for (int i = 0; i < 100_000; i++, calls++) run(index, queries[i % 64], i, params, filtered, keys, distances);
      long after = residentBytes();
      assertEquals(120_000, calls);
      System.out.printf("VmRSS over 100,000 searches: %d -> %d KiB%n", before >> 10, after >> 10);
      assertTrue(after - before < SEARCH_SLACK, "resident memory grew by " + (after - before)
          + " bytes over 100,000 searches (" + before + " -> " + after + ")");
    }
  }

  private static void run(QuiverIndex index, float[] q, int i, SearchParams params,
      SearchParams filtered, long[] keys, float[] distances) {
    switch (i % 3) {
      case 0 -> index.search(q, 10, params, keys, distances);
      case 1 -> index.search(q, 10, filtered);
      default -> index.searchBatch(new float[][] {q}, 10, params);
    }
  }

  @Test
  void tenThousandOpenCloseCyclesKeepResidentMemoryFlat() throws IOException {
    for (int i = 0; i < 1_000; i++) cycle(i);
    long before = residentBytes();
    for (int i = 0; i < 10_000; i++) cycle(i);
    long after = residentBytes();
    System.out.printf("VmRSS over 10,000 open/close cycles: %d -> %d KiB%n", before >> 10, after >> 10);
    assertTrue(after - before < OPEN_SLACK, "resident memory grew by " + (after - before)
        + " bytes over 10,000 open/close cycles (" + before + " -> " + after + ")");
  }

  private static void cycle(int i) {
    try (QuiverIndex index = QuiverIndex.open(corpus.indexDir)) {
      if (i % 10 == 0) index.search(new float[Corpus.DIM], 1);
    }
  }
}
