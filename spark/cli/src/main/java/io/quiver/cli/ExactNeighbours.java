package io.quiver.cli;

import io.quiver.cli.bench.ClusteredVectors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Exact k nearest corpus rows (squared L2) of every query by a full scan, in plain Java: the
 * ground truth the demo measures recall against, independent of the engine it measures.
 */
final class ExactNeighbours {
  private static final int BLOCK = 2048;

  private ExactNeighbours() {}

  /**
   * Row ids of the k nearest rows of each query, nearest first. {@code progress} receives the
   * number of corpus rows scanned so far.
   */
  static long[][] of(ClusteredVectors corpus, long rows, float[][] queries, int k, int threads,
      LongConsumer progress) throws Exception {
    int n = queries.length;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicLong scanned = new AtomicLong();
    try {
      List<Future<TopK[]>> parts = new ArrayList<>();
      long blocks = (rows + BLOCK - 1) / BLOCK;
      for (int t = 0; t < threads; t++) {
        int thread = t;
        parts.add(pool.submit(() -> {
          TopK[] top = new TopK[n];
          for (int j = 0; j < n; j++) top[j] = new TopK(k);
          float[][] block = new float[BLOCK][];
          for (long b = thread; b < blocks; b += threads) {
            long first = b * BLOCK;
            int count = (int) Math.min(BLOCK, rows - first);
            for (int i = 0; i < count; i++) block[i] = corpus.row(first + i);
            for (int j = 0; j < n; j++) {
              for (int i = 0; i < count; i++) top[j].offer(l2(queries[j], block[i]), first + i);
            }
            progress.accept(scanned.addAndGet(count));
          }
          return top;
        }));
      }
      TopK[] merged = new TopK[n];
      for (int j = 0; j < n; j++) merged[j] = new TopK(k);
      for (Future<TopK[]> f : parts) {
        TopK[] part = f.get();
        for (int j = 0; j < n; j++) merged[j].addAll(part[j]);
      }
      long[][] out = new long[n][];
      for (int j = 0; j < n; j++) out[j] = merged[j].idsNearestFirst();
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Squared L2 distance, four partial sums so that the JIT can vectorise it. */
  static float l2(float[] a, float[] b) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int d = 0;
    for (; d + 3 < a.length; d += 4) {
      float x0 = a[d] - b[d], x1 = a[d + 1] - b[d + 1], x2 = a[d + 2] - b[d + 2], x3 = a[d + 3] - b[d + 3];
      s0 += x0 * x0;
      s1 += x1 * x1;
      s2 += x2 * x2;
      s3 += x3 * x3;
    }
    for (; d < a.length; d++) s0 += (a[d] - b[d]) * (a[d] - b[d]);
    return s0 + s1 + s2 + s3;
  }

  /** The k smallest (distance, id) pairs seen, in a bounded max-heap over two arrays. */
  static final class TopK {
    private final float[] dist;
    private final long[] ids;
    private int size;

    TopK(int k) {
      dist = new float[k];
      ids = new long[k];
    }

    void offer(float d, long id) {
      if (size < dist.length) {
        dist[size] = d;
        ids[size] = id;
        up(size++);
      } else if (d < dist[0] || (d == dist[0] && id < ids[0])) {
        dist[0] = d;
        ids[0] = id;
        down(0);
      }
    }

    void addAll(TopK other) {
      for (int i = 0; i < other.size; i++) offer(other.dist[i], other.ids[i]);
    }

    long[] idsNearestFirst() {
      Integer[] order = new Integer[size];
      for (int i = 0; i < size; i++) order[i] = i;
      java.util.Arrays.sort(order, (x, y) -> dist[x] != dist[y] ? Float.compare(dist[x], dist[y]) : Long.compare(ids[x], ids[y]));
      long[] out = new long[size];
      for (int i = 0; i < size; i++) out[i] = ids[order[i]];
      return out;
    }

    private boolean above(int a, int b) {
      return dist[a] > dist[b] || (dist[a] == dist[b] && ids[a] > ids[b]);
    }

    private void swap(int a, int b) {
      float d = dist[a];
      dist[a] = dist[b];
      dist[b] = d;
      long i = ids[a];
      ids[a] = ids[b];
      ids[b] = i;
    }

    private void up(int i) {
      while (i > 0 && above(i, (i - 1) / 2)) {
        swap(i, (i - 1) / 2);
        i = (i - 1) / 2;
      }
    }

    private void down(int i) {
      while (true) {
        int l = 2 * i + 1, r = l + 1, top = i;
        if (l < size && above(l, top)) top = l;
        if (r < size && above(r, top)) top = r;
        if (top == i) return;
        swap(i, top);
        i = top;
      }
    }
  }
}
