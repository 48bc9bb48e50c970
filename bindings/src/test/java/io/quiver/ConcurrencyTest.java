package io.quiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many threads on one handle: same results as one thread, and a close among them is safe. */
class ConcurrencyTest {

  private static final int THREADS = 16;

  @TempDir static Path tmp;
  static Corpus corpus;

  @BeforeAll
  static void buildIndex() throws Exception {
    corpus = new Corpus(tmp, Metric.L2);
    corpus.build();
  }

  private static List<Long> fetchIds(QuiverIndex index, List<RowKey> keys, BufferAllocator allocator)
      throws Exception {
    List<Long> ids = new ArrayList<>();
    try (ArrowReader reader = index.fetchRows(keys, List.of("id"), allocator)) {
      while (reader.loadNextBatch()) {
        BigIntVector id = (BigIntVector) reader.getVectorSchemaRoot().getVector("id");
        for (int r = 0; r < reader.getVectorSchemaRoot().getRowCount(); r++) ids.add(id.get(r));
      }
    }
    return ids;
  }

  @Test
  void sixteenThreadsSearchingAndFetchingGiveTheSerialResults() throws Exception {
    float[][] queries = Corpus.queries(32, 11);
    int k = 8;
    SearchParams params = SearchParams.builder().nprobes(4).refineFactor(4).threads(1).build();
    try (QuiverIndex index = QuiverIndex.open(corpus.indexDir);
        BufferAllocator allocator = new RootAllocator()) {
      List<List<SearchResult>> serial = new ArrayList<>();
      List<List<Long>> serialIds = new ArrayList<>();
      for (float[] q : queries) {
        List<SearchResult> hits = index.search(q, k, params);
        serial.add(hits);
        serialIds.add(fetchIds(index, hits.stream().map(SearchResult::key).toList(), allocator));
      }
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int offset = t;
          futures.add(pool.submit(() -> {
            start.await();
            int checked = 0;
            for (int round = 0; round < 6; round++) {
              for (int i = 0; i < queries.length; i++) {
                int qi = (i + offset) % queries.length;
                List<SearchResult> hits = (round % 2 == 0)
                    ? index.search(queries[qi], k, params)
                    : index.searchBatch(new float[][] {queries[qi]}, k, params).getFirst();
                assertEquals(serial.get(qi), hits);
                if (i % 4 == 0) {
                  assertEquals(serialIds.get(qi),
                      fetchIds(index, hits.stream().map(SearchResult::key).toList(), allocator));
                }
                checked++;
              }
            }
            return checked;
          }));
        }
        start.countDown();
        int total = 0;
        for (Future<Integer> f : futures) total += f.get(5, TimeUnit.MINUTES);
        assertEquals(THREADS * 6 * queries.length, total);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void closingDuringAStormIsSafe() throws Exception {
    float[][] queries = Corpus.queries(16, 12);
    SearchParams params = SearchParams.builder().nprobes(4).refineFactor(2).threads(1).build();
    for (int attempt = 0; attempt < 3; attempt++) {
      QuiverIndex index = QuiverIndex.open(corpus.indexDir);
      AtomicInteger completed = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try (BufferAllocator allocator = new RootAllocator()) {
        CountDownLatch running = new CountDownLatch(THREADS);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int offset = t;
          futures.add(pool.submit(() -> {
            running.countDown();
            for (int i = 0; ; i++) {
              try {
                float[] q = queries[(i + offset) % queries.length];
                List<SearchResult> hits = index.search(q, 5, params);
                if (i % 3 == 0) {
                  fetchIds(index, hits.stream().map(SearchResult::key).toList(), allocator);
                }
                completed.incrementAndGet();
              } catch (IllegalStateException closed) {
                refused.incrementAndGet();
                return null;
              }
            }
          }));
        }
        running.await();
        Thread.sleep(50 + 50L * attempt);
        index.close();
        for (Future<?> f : futures) f.get(1, TimeUnit.MINUTES);
      } finally {
        pool.shutdownNow();
      }
      assertTrue(completed.get() > 0, "searches ran before the close");
      assertEquals(THREADS, refused.get(), "every thread saw the close");
      assertTrue(index.isClosed());
    }
  }
}
