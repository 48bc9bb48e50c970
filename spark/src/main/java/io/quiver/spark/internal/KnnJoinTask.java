package io.quiver.spark.internal;

import io.quiver.QuiverIndex;
import io.quiver.RowFilter;
import io.quiver.SearchHits;
import io.quiver.SearchParams;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.apache.spark.util.SerializableConfiguration;
import org.apache.spark.util.TaskCompletionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of one join task: for its partition of left rows, one batched search (in chunks of
 * at most {@link #CHUNK_ROWS} rows to bound memory), one batched fetch of the projected corpus
 * columns, and the joined rows. The index comes from the JVM's {@link IndexHandles}.
 */
public final class KnnJoinTask implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(KnnJoinTask.class);

  /** Left rows searched (and corpus rows fetched) together at most. */
  static final int CHUNK_ROWS = 16_384;

  /** What the join emits besides the left row. */
  public record Spec(
      int k,
      int leftVectorIndex,
      String leftVectorColumn,
      List<String> corpusColumns,
      StructType corpusSchema,
      int nprobes,
      int refineFactor,
      int threads,
      long[] deletedKeys,
      boolean keepUnmatched)
      implements Serializable {}

  private final IndexRef index;
  private final Spec spec;
  private final Broadcast<SerializableConfiguration> hadoopConf;

  /**
   * @param hadoopConf the session's Hadoop configuration, needed when the index or the corpus files
   *     are not on the local filesystem (the executors read them with it), else null
   */
  public KnnJoinTask(IndexRef index, Spec spec, Broadcast<SerializableConfiguration> hadoopConf) {
    this.index = index;
    this.spec = spec;
    this.hadoopConf = hadoopConf;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    if (!input.hasNext()) {
      return Collections.emptyIterator();
    }
    Configuration conf = hadoopConf == null ? new Configuration(false) : hadoopConf.value().value();
    IndexHandles.Lease lease = IndexHandles.acquire(index, conf);
    RowFilter filter = spec.deletedKeys().length == 0 ? null : RowFilter.of(spec.deletedKeys());
    TaskContext ctx = TaskContext.get();
    Runnable release = () -> {
      if (filter != null) {
        filter.close();
      }
      lease.close();
    };
    if (ctx != null) {
      ctx.addTaskCompletionListener(
          new TaskCompletionListener() {
            @Override
            public void onTaskCompletion(TaskContext context) {
              release.run();
            }
          });
    }
    SearchParams params =
        SearchParams.builder()
            .nprobes(spec.nprobes())
            .refineFactor(spec.refineFactor())
            .threads(spec.threads())
            // The driver compared every file's size and version with the index's when it planned
            // this join; asking the store again per task and chunk only adds round trips.
            .recheckSources(false)
            .filter(filter)
            .build();
    return new Iterator<>() {
      private Iterator<Row> chunk = Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!chunk.hasNext() && input.hasNext()) {
          chunk = joinChunk(lease.index(), params, input).iterator();
        }
        boolean more = chunk.hasNext();
        if (!more && ctx == null) {
          release.run();
        }
        return more;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return chunk.next();
      }
    };
  }

  private List<Row> joinChunk(QuiverIndex quiver, SearchParams params, Iterator<Row> input) {
    int dim = index.dim();
    List<Row> lefts = new ArrayList<>();
    List<Integer> queryOf = new ArrayList<>();
    float[] queries = new float[Math.min(CHUNK_ROWS, 1024) * dim];
    int n = 0;
    while (input.hasNext() && lefts.size() < CHUNK_ROWS) {
      Row row = input.next();
      lefts.add(row);
      if (row.isNullAt(spec.leftVectorIndex())) {
        queryOf.add(-1);
        continue;
      }
      if ((n + 1) * dim > queries.length) {
        queries = Arrays.copyOf(queries, Math.min(CHUNK_ROWS, 2 * (n + 1)) * dim);
      }
      readVector(row, queries, n * dim, dim);
      queryOf.add(n++);
    }
    long t0 = System.nanoTime();
    SearchHits hits = quiver.searchBatch(FloatBuffer.wrap(queries, 0, n * dim), n, spec.k(), params);
    long t1 = System.nanoTime();
    List<Row> corpusRows = fetch(quiver, params, hits);
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} left rows: search {} ms, fetch of {} columns {} ms", lefts.size(), (t1 - t0) / 1_000_000,
          spec.corpusColumns().size(), (System.nanoTime() - t1) / 1_000_000);
    }
    int corpusWidth = spec.corpusColumns().size();
    List<Row> out = new ArrayList<>(lefts.size() * spec.k());
    int fetched = 0;
    for (int i = 0; i < lefts.size(); i++) {
      Row left = lefts.get(i);
      int q = queryOf.get(i);
      int found = q < 0 ? 0 : hits.count(q);
      if (found == 0 && spec.keepUnmatched()) {
        out.add(joined(left, null, corpusWidth, null, null));
      }
      for (int j = 0; j < found; j++) {
        Row corpus = corpusRows == null ? null : corpusRows.get(fetched++);
        out.add(joined(left, corpus, corpusWidth, hits.distance(q, j), j + 1));
      }
    }
    return out;
  }

  /** The projected corpus columns of every hit, in hit order; null when none are projected. */
  private List<Row> fetch(QuiverIndex quiver, SearchParams params, SearchHits hits) {
    if (spec.corpusColumns().isEmpty()) {
      return null;
    }
    long[] keys = new long[hits.keys().length];
    int m = 0;
    for (int q = 0; q < hits.n(); q++) {
      int found = hits.count(q);
      for (int j = 0; j < found; j++) {
        keys[m++] = hits.key(q, j);
      }
    }
    keys = Arrays.copyOf(keys, m);
    if (m == 0) {
      return List.of();
    }
    try (BufferAllocator allocator = ArrowUtils.rootAllocator().newChildAllocator("quiver-join-fetch", 0, Long.MAX_VALUE);
        ArrowReader reader = quiver.fetchRows(keys, spec.corpusColumns(), allocator, params)) {
      List<Row> rows = ArrowRows.readAll(reader, spec.corpusSchema());
      if (rows.size() != m) {
        throw new IllegalStateException("fetched " + rows.size() + " rows for " + m + " keys");
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException("closing fetched rows failed: " + e.getMessage(), e);
    }
  }

  private static Row joined(Row left, Row corpus, int corpusWidth, Float distance, Integer rank) {
    int lw = left.length();
    Object[] values = new Object[lw + corpusWidth + 2];
    for (int i = 0; i < lw; i++) {
      values[i] = left.get(i);
    }
    if (corpus != null) {
      for (int i = 0; i < corpusWidth; i++) {
        values[lw + i] = corpus.get(i);
      }
    }
    values[lw + corpusWidth] = distance;
    values[lw + corpusWidth + 1] = rank;
    return RowFactory.create(values);
  }

  private void readVector(Row row, float[] out, int offset, int dim) {
    List<Object> v = row.getList(spec.leftVectorIndex());
    if (v.size() != dim) {
      throw new IllegalArgumentException(
          "a left row's vector in column '" + spec.leftVectorColumn() + "' has " + v.size()
              + " values; the index has dimension " + dim);
    }
    for (int i = 0; i < dim; i++) {
      Object x = v.get(i);
      if (x == null) {
        throw new IllegalArgumentException(
            "a left row's vector in column '" + spec.leftVectorColumn() + "' holds a null at position " + i);
      }
      out[offset + i] = ((Number) x).floatValue();
    }
  }
}
