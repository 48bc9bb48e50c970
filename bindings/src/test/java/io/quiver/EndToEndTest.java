package io.quiver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Parquet written by parquet-java -> build -> open -> search -> fetch, checked by brute force. */
class EndToEndTest {

  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(Metric.class)
  void searchAtFullProbeAndRefineEqualsBruteForce(Metric metric) throws IOException {
    Corpus corpus = new Corpus(tmp, metric);
    List<BuildPhase> phases = new CopyOnWriteArrayList<>();
    boolean[] finished = {false};
    QuiverIndex.build(List.of(corpus.dataDir), corpus.indexDir, corpus.buildParams(),
        new ProgressListener() {
          @Override
          public void onProgress(BuildPhase phase, long done, long total) {
            if (phases.isEmpty() || phases.getLast() != phase) phases.add(phase);
          }

          @Override
          public void onFinish(boolean success) {
            finished[0] = success;
          }
        });
    assertTrue(finished[0]);
    assertFalse(phases.isEmpty(), "progress was reported");
    for (int i = 1; i < phases.size(); i++) {
      assertTrue(phases.get(i - 1).compareTo(phases.get(i)) < 0, "phases in order: " + phases);
    }

    try (QuiverIndex index = QuiverIndex.open(corpus.indexDir)) {
      IndexInfo info = index.info();
      assertEquals(Corpus.DIM, info.dim());
      assertEquals(metric, info.metric());
      assertEquals(16, info.nlist());
      assertEquals(4, info.pqM());
      assertEquals(corpus.totalRows(), info.rowsTotal());
      assertEquals(corpus.totalRows() - Corpus.NULL_ROWS.size(), info.rowsIndexed());
      assertEquals(Corpus.NULL_ROWS.size(), info.rowsSkippedNull());
      assertEquals("embedding", info.vectorColumn());
      assertEquals(3, info.files().size());
      for (int f = 0; f < 3; f++) {
        FileInfo fi = info.files().get(f);
        assertEquals(f, fi.ordinal());
        assertEquals(corpus.files.get(f).toRealPath(), fi.path().toRealPath());
        assertEquals(Corpus.ROWS[f], fi.rows());
      }

      float[][] queries = Corpus.queries(20, 99);
      int k = 10;
      List<List<SearchResult>> batch = index.searchBatch(queries, k, Corpus.exact());
      for (int i = 0; i < queries.length; i++) {
        List<SearchResult> expected = corpus.bruteForce(queries[i], k, Set.of());
        List<SearchResult> got = index.search(queries[i], k, Corpus.exact());
        assertSameHits(expected, got);
        assertEquals(got, batch.get(i), "batch search = single search");
      }
    }
  }

  @Test
  void flatBatchFormsAgreeWithTheListForm() throws IOException {
    Corpus corpus = new Corpus(tmp, Metric.L2);
    corpus.build();
    float[][] queries = Corpus.queries(7, 5);
    int k = 5;
    try (QuiverIndex index = QuiverIndex.open(corpus.indexDir); Arena arena = Arena.ofConfined()) {
      List<List<SearchResult>> expected = index.searchBatch(queries, k, Corpus.exact());

      FloatBuffer direct = ByteBuffer.allocateDirect(queries.length * Corpus.DIM * 4)
          .order(ByteOrder.nativeOrder()).asFloatBuffer();
      FloatBuffer heap = FloatBuffer.allocate(queries.length * Corpus.DIM);
      MemorySegment segment = arena.allocate((long) queries.length * Corpus.DIM * 4, 4);
      for (int i = 0; i < queries.length; i++) {
        direct.put(queries[i]);
        heap.put(queries[i]);
        MemorySegment.copy(queries[i], 0, segment, java.lang.foreign.ValueLayout.JAVA_FLOAT,
            (long) i * Corpus.DIM * 4, Corpus.DIM);
      }
      direct.flip();
      heap.flip();
      for (SearchHits hits : List.of(index.searchBatch(direct, queries.length, k, Corpus.exact()),
          index.searchBatch(heap, queries.length, k, Corpus.exact()),
          index.searchBatch(segment, queries.length, k, Corpus.exact()))) {
        assertEquals(queries.length, hits.n());
        for (int i = 0; i < queries.length; i++) {
          assertEquals(k, hits.count(i));
          for (int j = 0; j < k; j++) {
            assertEquals(expected.get(i).get(j).key().pack(), hits.key(i, j));
            assertEquals(expected.get(i).get(j).distance(), hits.distance(i, j));
          }
        }
      }

      long[] keys = new long[k];
      float[] distances = new float[k];
      assertEquals(k, index.search(queries[0], k, Corpus.exact(), keys, distances));
      for (int j = 0; j < k; j++) assertEquals(expected.get(0).get(j).key(), RowKey.unpack(keys[j]));
    }
  }

  @Test
  void fewerRowsThanKFillsTheRestWithNoRow() throws IOException {
    Corpus corpus = new Corpus(tmp, Metric.L2);
    corpus.build();
    int k = 3000;
    try (QuiverIndex index = QuiverIndex.open(corpus.indexDir)) {
      long[] keys = new long[k];
      float[] distances = new float[k];
      int live = corpus.totalRows() - Corpus.NULL_ROWS.size();
      SearchParams p = SearchParams.builder().nprobes(16).refineFactor(1).build();
      assertEquals(live, index.search(Corpus.queries(1, 3)[0], k, p, keys, distances));
      assertEquals(RowKey.NO_ROW, keys[live]);
      assertEquals(Float.POSITIVE_INFINITY, distances[k - 1]);
      assertEquals(live, index.search(Corpus.queries(1, 3)[0], k, p).size());
    }
  }

  @Test
  void fetchReturnsTheRowsInTheOrderAsked() throws Exception {
    Corpus corpus = new Corpus(tmp, Metric.L2);
    corpus.build();
    List<RowKey> keys = List.of(new RowKey(2, 599), new RowKey(0, 0), new RowKey(1, 3),
        new RowKey(0, 0), new RowKey(1, 698), new RowKey(2, 17));
    try (QuiverIndex index = QuiverIndex.open(corpus.indexDir);
        BufferAllocator allocator = new RootAllocator()) {
      List<Long> ids = new ArrayList<>();
      List<String> names = new ArrayList<>();
      List<float[]> vectors = new ArrayList<>();
      try (ArrowReader reader = index.fetchRows(keys, List.of("id", "name", "embedding"), allocator)) {
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        while (reader.loadNextBatch()) {
          BigIntVector id = (BigIntVector) root.getVector("id");
          VarCharVector name = (VarCharVector) root.getVector("name");
          ListVector embedding = (ListVector) root.getVector("embedding");
          for (int r = 0; r < root.getRowCount(); r++) {
            ids.add(id.get(r));
            names.add(name.getObject(r).toString());
            if (embedding.isNull(r)) {
              vectors.add(null);
            } else {
              List<?> values = embedding.getObject(r);
              float[] v = new float[values.size()];
              for (int d = 0; d < v.length; d++) v[d] = ((Number) values.get(d)).floatValue();
              vectors.add(v);
            }
          }
        }
      }
      assertEquals(keys.size(), ids.size());
      for (int i = 0; i < keys.size(); i++) {
        assertEquals(Corpus.id(keys.get(i)), ids.get(i));
        assertEquals("row-" + Corpus.id(keys.get(i)), names.get(i));
        float[] expected = corpus.vector(keys.get(i));
        if (expected == null) assertEquals(null, vectors.get(i));
        else assertArrayEquals(expected, vectors.get(i));
      }
    }
  }

  @Test
  void fetchedRowsOutliveTheIndex() throws Exception {
    Corpus corpus = new Corpus(tmp, Metric.L2);
    corpus.build();
    try (BufferAllocator allocator = new RootAllocator()) {
      ArrowReader reader;
      try (QuiverIndex index = QuiverIndex.open(corpus.indexDir)) {
        reader = index.fetchRows(List.of(new RowKey(0, 5)), List.of("id"), allocator);
      }
      try (reader) {
        assertTrue(reader.loadNextBatch());
        assertEquals(5L, ((BigIntVector) reader.getVectorSchemaRoot().getVector("id")).get(0));
      }
    }
  }

  @Test
  void deletedRowsAreNeverReturnedAndKLiveRowsStillAre() throws IOException {
    Corpus corpus = new Corpus(tmp, Metric.L2);
    corpus.build();
    float[] q = Corpus.queries(1, 42)[0];
    int k = 10;
    try (QuiverIndex index = QuiverIndex.open(corpus.indexDir)) {
      List<SearchResult> before = index.search(q, k, Corpus.exact());
      Set<RowKey> deleted = new HashSet<>();
      for (int j = 0; j < 5; j++) deleted.add(before.get(j * 2).key());
      try (RowFilter filter = RowFilter.of(deleted)) {
        SearchParams p = Corpus.exact().toBuilder().filter(filter).build();
        List<SearchResult> after = index.search(q, k, p);
        assertSameHits(corpus.bruteForce(q, k, deleted), after);

        // The same filter set on the handle applies to searches without their own.
        index.setRowFilter(filter);
        assertEquals(after, index.search(q, k, Corpus.exact()));
        assertEquals(after, index.searchBatch(new float[][] {q}, k, Corpus.exact()).getFirst());
        index.setRowFilter(null);
        assertEquals(before, index.search(q, k, Corpus.exact()));
      }
      RowFilter closed = RowFilter.of(before.getFirst().key().pack());
      closed.close();
      SearchParams p = Corpus.exact().toBuilder().filter(closed).build();
      assertThrows(IllegalStateException.class, () -> index.search(q, k, p));
    }
  }

  @Test
  void useAfterCloseIsRefused() throws IOException {
    Corpus corpus = new Corpus(tmp, Metric.L2);
    corpus.build();
    QuiverIndex index = QuiverIndex.open(corpus.indexDir);
    index.close();
    index.close();
    assertTrue(index.isClosed());
    float[] q = new float[Corpus.DIM];
    assertThrows(IllegalStateException.class, () -> index.search(q, 1));
    assertThrows(IllegalStateException.class, () -> index.searchBatch(new float[][] {q}, 1, SearchParams.defaults()));
    assertThrows(IllegalStateException.class, index::info);
    assertThrows(IllegalStateException.class, index::ioStats);
    try (BufferAllocator allocator = new RootAllocator()) {
      assertThrows(IllegalStateException.class,
          () -> index.fetchRows(List.of(new RowKey(0, 0)), List.of("id"), allocator));
    }
  }

  static void assertSameHits(List<SearchResult> expected, List<SearchResult> got) {
    assertEquals(expected.size(), got.size(), "hit count");
    for (int j = 0; j < expected.size(); j++) {
      SearchResult e = expected.get(j);
      SearchResult g = got.get(j);
      float tol = 1e-4f * Math.max(1f, Math.abs(e.distance()));
      assertEquals(e.distance(), g.distance(), tol, "distance of hit " + j);
      assertEquals(e.key(), g.key(), "hit " + j + " (distance " + e.distance() + ")");
      assertEquals(e.row(), g.row());
      assertEquals(Path.of(e.path()).toAbsolutePath().normalize(), Path.of(g.path()));
    }
  }
}
