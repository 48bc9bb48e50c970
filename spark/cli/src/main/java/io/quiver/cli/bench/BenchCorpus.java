package io.quiver.cli.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongPredicate;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The benchmark's corpus: {@code id}, {@code embedding} (array of float from {@link
 * ClusteredVectors}) and payload string columns {@code p00, p01, ...}, written to Parquet by Spark;
 * the queries; and the exact top-k of every query, computed here without Spark or Quiver.
 */
final class BenchCorpus {
  private final long rows;
  private final int payloadColumns;
  private final int payloadBytes;
  private final ClusteredVectors vectors;

  BenchCorpus(long rows, int dim, int clusters, int payloadColumns, int payloadBytes, long seed) {
    this.rows = rows;
    this.payloadColumns = payloadColumns;
    this.payloadBytes = payloadBytes;
    this.vectors = new ClusteredVectors(dim, clusters, seed);
  }

  ClusteredVectors vectors() {
    return vectors;
  }

  List<String> payloadNames() {
    List<String> names = new ArrayList<>();
    for (int c = 0; c < payloadColumns; c++) {
      names.add(String.format("p%02d", c));
    }
    return names;
  }

  StructType schema() {
    StructType s = new StructType()
        .add("id", DataTypes.LongType, false)
        .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false));
    for (String n : payloadNames()) {
      s = s.add(n, DataTypes.StringType);
    }
    return s;
  }

  /** The corpus as a generated DataFrame (not a file scan). */
  Dataset<Row> generate(SparkSession spark, int partitions) {
    return generate(spark, 0, rows, partitions);
  }

  /** Rows {@code [from, to)} of the generator's sequence (which runs on past {@code rows}). */
  Dataset<Row> generate(SparkSession spark, long from, long to, int partitions) {
    return spark.range(from, to, 1, partitions).as(Encoders.LONG())
        .mapPartitions(rowsOf(vectors, payloadColumns, payloadBytes), Encoders.row(schema()));
  }

  /** Static: the function is shipped to tasks and must not capture this object. */
  private static MapPartitionsFunction<Long, Row> rowsOf(ClusteredVectors gen, int cols, int bytes) {
    return ids -> new Iterator<>() {
      @Override
      public boolean hasNext() {
        return ids.hasNext();
      }

      @Override
      public Row next() {
        long id = ids.next();
        Object[] values = new Object[2 + cols];
        values[0] = id;
        values[1] = gen.row(id);
        for (int c = 0; c < cols; c++) {
          values[2 + c] = payload(id, c, bytes);
        }
        return RowFactory.create(values);
      }
    };
  }

  /** Writes the corpus into {@code dir} in {@code files} files unless a complete copy is there. */
  Dataset<Row> writeParquet(SparkSession spark, Path dir, int files) {
    if (!Files.exists(dir.resolve("_SUCCESS"))) {
      generate(spark, files).write().mode("overwrite").parquet(dir.toString());
    }
    return spark.read().parquet(dir.toString());
  }

  /** The left side: {@code qid} and the query vector {@code q}. */
  Dataset<Row> queries(SparkSession spark, int n) {
    List<Row> data = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      data.add(RowFactory.create((long) j, vectors.query(j)));
    }
    StructType schema = new StructType()
        .add("qid", DataTypes.LongType, false)
        .add("q", DataTypes.createArrayType(DataTypes.FloatType, false));
    return spark.createDataFrame(data, schema);
  }

  /**
   * {@link #groundTruth(int, int, int, LongPredicate)}, kept in {@code cache} between runs (it
   * takes minutes at a million rows and depends only on the generator's parameters, n, k and the
   * rows {@code live} keeps: name the cache after them).
   */
  long[][] groundTruth(int n, int k, int threads, LongPredicate live, Path cache) throws Exception {
    if (Files.exists(cache)) {
      try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(cache)))) {
        long[][] out = new long[n][k];
        for (int j = 0; j < n; j++) {
          for (int i = 0; i < k; i++) {
            out[j][i] = in.readLong();
          }
        }
        return out;
      }
    }
    long[][] truth = groundTruth(n, k, threads, live);
    Path partial = cache.resolveSibling(cache.getFileName() + ".partial");
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(partial)))) {
      for (long[] row : truth) {
        for (long id : row) {
          out.writeLong(id);
        }
      }
    }
    Files.move(partial, cache, StandardCopyOption.REPLACE_EXISTING);
    return truth;
  }

  /**
   * The ids of the exact k nearest corpus rows (squared L2) of each of the first n queries, among
   * the rows whose id {@code live} keeps (a table's rows after a delete).
   */
  long[][] groundTruth(int n, int k, int threads, LongPredicate live) throws Exception {
    int dim = vectors.dim();
    float[][] q = new float[n][];
    for (int j = 0; j < n; j++) {
      q[j] = vectors.query(j);
    }
    int block = 4096;
    long blocks = (rows + block - 1) / block;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<PriorityQueue<double[]>>>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        parts.add(pool.submit(() -> {
          List<PriorityQueue<double[]>> heaps = new ArrayList<>();
          for (int j = 0; j < n; j++) {
            heaps.add(new PriorityQueue<>((a, b) -> Double.compare(b[0], a[0])));
          }
          float[][] rowsOfBlock = new float[block][];
          for (long b = thread; b < blocks; b += threads) {
            long start = b * block;
            int count = (int) Math.min(block, rows - start);
            for (int i = 0; i < count; i++) {
              rowsOfBlock[i] = vectors.row(start + i);
            }
            for (int j = 0; j < n; j++) {
              PriorityQueue<double[]> h = heaps.get(j);
              float[] query = q[j];
              for (int i = 0; i < count; i++) {
                if (!live.test(start + i)) {
                  continue;
                }
                double d = l2(query, rowsOfBlock[i], dim);
                if (h.size() < k) {
                  h.add(new double[] {d, start + i});
                } else if (d < h.peek()[0]) {
                  h.poll();
                  h.add(new double[] {d, start + i});
                }
              }
            }
          }
          return heaps;
        }));
      }
      List<List<PriorityQueue<double[]>>> all = new ArrayList<>();
      for (Future<List<PriorityQueue<double[]>>> f : parts) {
        all.add(f.get());
      }
      long[][] out = new long[n][];
      for (int j = 0; j < n; j++) {
        List<double[]> merged = new ArrayList<>();
        for (List<PriorityQueue<double[]>> heaps : all) {
          merged.addAll(heaps.get(j));
        }
        merged.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
        out[j] = merged.stream().limit(k).mapToLong(x -> (long) x[1]).toArray();
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Squared L2 with four accumulators (the JIT does not reorder a single float sum). */
  static double l2(float[] a, float[] b, int dim) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int d = 0;
    for (; d + 3 < dim; d += 4) {
      float x0 = a[d] - b[d];
      float x1 = a[d + 1] - b[d + 1];
      float x2 = a[d + 2] - b[d + 2];
      float x3 = a[d + 3] - b[d + 3];
      s0 += x0 * x0;
      s1 += x1 * x1;
      s2 += x2 * x2;
      s3 += x3 * x3;
    }
    for (; d < dim; d++) {
      float x = a[d] - b[d];
      s0 += x * x;
    }
    return (double) s0 + s1 + s2 + s3;
  }

  /** A pseudo-random printable string of {@code bytes} characters for (row, column). */
  static String payload(long id, int column, int bytes) {
    SplittableRandom r = new SplittableRandom(id * 1_000_003L + column);
    char[] c = new char[bytes];
    for (int i = 0; i < bytes; i++) {
      c[i] = ALPHABET.charAt(r.nextInt(ALPHABET.length()));
    }
    return new String(c);
  }

  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
}
