package io.quiver;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repeated calls keep the process's resident memory flat: nothing leaks per call, on the native
 * side or in the bindings' arenas.
 *
 * <p>Resident size moves with more than this library: the JIT compiles, the heap grows in steps,
 * the C allocator keeps freed pages. Those are steps that happen in some rounds and not in others,
 * while a leak grows the same amount in every round, since every round makes the same calls. So
 * after a warm-up the work runs in several equal rounds, and the median growth of a round is what
 * must stay small: a step in a few rounds cannot move it, a leak of a few dozen bytes per call
 * does. Native leaks are also caught byte for byte by the C++ suite under LeakSanitizer.
 */
class MemoryTest {

  private static final int ROUNDS = 7;
  /** The median growth allowed per round: a leak of 26 bytes per call over 40,000 calls exceeds it. */
  private static final long ROUND_SLACK = 1L << 20;

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

  /** Runs {@code round} once to warm up, then {@link #ROUNDS} times; the median growth must be small. */
  static void assertFlat(String what, Runnable round) throws IOException {
    round.run();
    long[] growth = new long[ROUNDS];
    long previous = residentBytes();
    StringBuilder trace = new StringBuilder();
    for (int r = 0; r < ROUNDS; r++) {
      round.run();
      long now = residentBytes();
      growth[r] = now - previous;
      previous = now;
      trace.append(r == 0 ? "" : ", ").append(growth[r] >> 10);
    }
    long[] sorted = growth.clone();
    Arrays.sort(sorted);
    long median = sorted[ROUNDS / 2];
    System.out.printf("VmRSS growth per round of %s (KiB): %s; median %d KiB%n", what, trace, median >> 10);
    assertTrue(median < ROUND_SLACK, "resident memory grew by a median " + median + " bytes per round of "
        + what + " (growth per round in KiB: " + trace + ")");
  }

  @Test
  void searchesKeepResidentMemoryFlat() throws IOException {
    float[][] queries = Corpus.queries(64, 21);
    SearchParams params = SearchParams.builder().nprobes(2).refineFactor(2).threads(1).build();
    long[] keys = new long[10];
    float[] distances = new float[10];
    try (QuiverIndex index = QuiverIndex.open(corpus.indexDir);
        RowFilter filter = RowFilter.of(RowKey.pack(0, 1), RowKey.pack(2, 7))) {
      SearchParams filtered = params.toBuilder().filter(filter).build();
      assertFlat("40,000 searches", () -> {
        for (int i = 0; i < 40_000; i++) run(index, queries[i % 64], i, params, filtered, keys, distances);
      });
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
  void openCloseCyclesKeepResidentMemoryFlat() throws IOException {
    assertFlat("2,000 open/close cycles", () -> {
      for (int i = 0; i < 2_000; i++) cycle(i);
    });
  }

  private static void cycle(int i) {
    try (QuiverIndex index = QuiverIndex.open(corpus.indexDir)) {
      if (i % 10 == 0) index.search(new float[Corpus.DIM], 1);
    }
  }

  @Test
  void aLeakIsCaught() {
    // The measure itself: native memory kept by every call (256 bytes, written, never freed)
    // fails it, however the machine is loaded.
    AssertionError e = assertThrows(AssertionError.class, () -> assertFlat("leaking calls", () -> {
      for (int i = 0; i < 40_000; i++) java.lang.foreign.Arena.global().allocate(256).fill((byte) 1);
    }));
    assertTrue(e.getMessage().contains("median"), e.getMessage());
  }
}
