package io.quiver.spark;

import io.quiver.BuildParams;
import io.quiver.RowKey;
import io.quiver.SearchParams;
import io.quiver.SearchResult;
import io.quiver.spark.internal.ArrowRows;
import io.quiver.spark.internal.CorpusFiles;
import io.quiver.spark.internal.IndexCatalog;
import io.quiver.spark.internal.IndexHandles;
import io.quiver.spark.internal.IndexRef;
import io.quiver.spark.internal.TableSnapshot;
import io.quiver.spark.internal.Schemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;

/**
 * Quiver on the driver of a Spark application: building indexes into the application's index
 * cache (shared with {@link QuiverSpark#kNearestJoin}) and single queries for retrieval, which
 * run on the driver through the native handle and start no Spark job.
 *
 * <p>The cache: an index is keyed by a SHA-256 of its corpus files (paths, sizes, modification
 * times), vector column and build parameters, and lives under {@code spark.quiver.index.dir}
 * when that is set (kept, found again by later applications) or else under a temporary directory
 * of the application ({@code spark.quiver.temp.dir}, by default in spark.local.dir), removed at
 * application end and at JVM exit. A corpus file changed since the build changes the key, so the
 * index is built again rather than served stale.
 */
public final class QuiverSession {
  private final SparkSession spark;

  private QuiverSession(SparkSession spark) {
    this.spark = spark;
  }

  /** Looked up per call: it follows the session's configuration (spark.quiver.index.dir). */
  private IndexCatalog catalog() {
    return IndexCatalog.of(spark);
  }

  public static QuiverSession of(SparkSession spark) {
    return new QuiverSession(spark);
  }

  /** Builds the index of a corpus DataFrame into the cache, replacing a cached one. */
  public CorpusIndex build(Dataset<Row> corpus, BuildParams params) {
    return obtain(corpus, params, null, true);
  }

  /** Builds the index of a corpus DataFrame into {@code location}, which is kept. */
  public CorpusIndex build(Dataset<Row> corpus, BuildParams params, String location) {
    return obtain(corpus, params, location, true);
  }

  public CorpusIndex build(List<String> parquetPaths, BuildParams params) {
    return obtain(CorpusFiles.ofPaths(spark, parquetPaths), params, null, true);
  }

  public CorpusIndex build(List<String> parquetPaths, BuildParams params, String location) {
    return obtain(CorpusFiles.ofPaths(spark, parquetPaths), params, location, true);
  }

  /** The cached index of the corpus with these parameters, built only if there is none or it is stale. */
  public CorpusIndex buildIfMissing(Dataset<Row> corpus, BuildParams params) {
    return obtain(corpus, params, null, false);
  }

  public CorpusIndex buildIfMissing(Dataset<Row> corpus, BuildParams params, String location) {
    return obtain(corpus, params, location, false);
  }

  public CorpusIndex buildIfMissing(List<String> parquetPaths, BuildParams params) {
    return obtain(CorpusFiles.ofPaths(spark, parquetPaths), params, null, false);
  }

  public CorpusIndex buildIfMissing(List<String> parquetPaths, BuildParams params, String location) {
    return obtain(CorpusFiles.ofPaths(spark, parquetPaths), params, location, false);
  }

  /**
   * Opens the index in {@code location} as it is. An index built from a Delta or Iceberg table
   * answers for the table's latest version, read by the table's location: with that version's
   * deleted rows as its filter ({@link CorpusIndex#source()} names the version).
   *
   * @throws io.quiver.StaleIndexException when a source file changed since its build
   * @throws StaleCorpusException when the index was built from a table that has other files now
   *     (files added, removed or rewritten by a MERGE, OPTIMIZE or compaction)
   */
  public CorpusIndex open(String location) {
    IndexCatalog catalog = catalog();
    IndexRef ref = catalog.openLocation(location);
    TableSnapshot built = TableSnapshot.parse(ref.source());
    if (built == null) {
      return new CorpusIndex(ref);
    }
    CorpusFiles latest = CorpusFiles.inPlace(built.readLatest(spark));
    if (latest == null) {
      // Not the case for a table built in place, unless its layout changed (column mapping).
      throw new StaleCorpusException("the index at " + location + " was built from the " + ref.source()
          + ", which can no longer be indexed in place");
    }
    return new CorpusIndex(catalog.answeringLatest(ref, latest));
  }

  /** The k nearest rows to {@code query}, on the driver, with the default search parameters. */
  public List<SearchResult> search(CorpusIndex index, float[] query, int k) {
    return search(index, query, k, SearchParams.defaults());
  }

  public List<SearchResult> search(CorpusIndex index, float[] query, int k, SearchParams params) {
    try (IndexHandles.Lease lease = IndexHandles.acquire(index.ref(), spark.sparkContext().hadoopConfiguration())) {
      return lease.index().search(query, k, index.withDeletes(params));
    }
  }

  /**
   * The k nearest rows to {@code query} as a local DataFrame: the requested corpus columns, then
   * {@code path}, {@code row}, {@code distance} and {@code rank}. A corpus column named like one of
   * those is emitted as {@code corpus_<name>}, as the join renames a corpus column the left side
   * already has. Computed on the driver; the DataFrame holds the rows (no Spark job).
   */
  public Dataset<Row> searchToDF(CorpusIndex index, float[] query, int k, SearchParams params, String... columns) {
    try (IndexHandles.Lease lease = IndexHandles.acquire(index.ref(), spark.sparkContext().hadoopConfiguration())) {
      List<SearchResult> hits = lease.index().search(query, k, index.withDeletes(params));
      List<RowKey> keys = hits.stream().map(SearchResult::key).toList();
      Fetched fetched = fetch(lease, keys, List.of(columns));
      Set<String> taken = new HashSet<>(List.of("path", "row", "distance", "rank"));
      StructType schema = new StructType();
      for (StructField f : fetched.schema().fields()) {
        schema = schema.add(f.copy(Schemas.corpusColumnName(f.name(), taken), f.dataType(), f.nullable(), f.metadata()));
      }
      schema = schema
          .add("path", DataTypes.StringType, false)
          .add("row", DataTypes.LongType, false)
          .add("distance", DataTypes.FloatType, false)
          .add("rank", DataTypes.IntegerType, false);
      List<Row> rows = new ArrayList<>(hits.size());
      int width = fetched.schema().size();
      for (int i = 0; i < hits.size(); i++) {
        Object[] values = new Object[width + 4];
        Row r = fetched.rows().get(i);
        for (int c = 0; c < width; c++) {
          values[c] = r.get(c);
        }
        SearchResult h = hits.get(i);
        values[width] = h.path();
        values[width + 1] = h.row();
        values[width + 2] = h.distance();
        values[width + 3] = i + 1;
        rows.add(RowFactory.create(values));
      }
      return spark.createDataFrame(rows, schema);
    }
  }

  /**
   * The k nearest rows as external rows: the {@code columns} (a part of the corpus's Spark schema,
   * in its types), then the distance and the rank. For the SQL search relation.
   */
  List<Row> searchRows(CorpusIndex index, float[] query, int k, SearchParams params, StructType columns) {
    try (IndexHandles.Lease lease = IndexHandles.acquire(index.ref(), spark.sparkContext().hadoopConfiguration())) {
      List<SearchResult> hits = lease.index().search(query, k, index.withDeletes(params));
      List<Row> fetched;
      if (columns.isEmpty()) {
        fetched = fetch(lease, hits.stream().map(SearchResult::key).toList(), List.of()).rows();
      } else {
        try (BufferAllocator allocator = ArrowUtils.rootAllocator().newChildAllocator("quiver-sql-search", 0, Long.MAX_VALUE);
            ArrowReader reader = lease.index().fetchRows(hits.stream().map(SearchResult::key).toList(),
                List.of(columns.fieldNames()), allocator)) {
          fetched = ArrowRows.readAll(reader, columns);
        } catch (IOException e) {
          throw new UncheckedIOException("closing fetched rows failed: " + e.getMessage(), e);
        }
      }
      List<Row> out = new ArrayList<>(hits.size());
      for (int i = 0; i < hits.size(); i++) {
        Row r = fetched.get(i);
        Object[] values = new Object[r.length() + 2];
        for (int c = 0; c < r.length(); c++) {
          values[c] = r.get(c);
        }
        values[r.length()] = hits.get(i).distance();
        values[r.length() + 1] = i + 1;
        out.add(RowFactory.create(values));
      }
      return out;
    }
  }

  /** The columns of the rows {@code keys}, in the order of the keys, as a local DataFrame. */
  public Dataset<Row> fetchRowsToDF(CorpusIndex index, List<RowKey> keys, String... columns) {
    if (columns.length == 0) {
      throw new IllegalArgumentException("name at least one column to fetch");
    }
    try (IndexHandles.Lease lease = IndexHandles.acquire(index.ref(), spark.sparkContext().hadoopConfiguration())) {
      Fetched fetched = fetch(lease, keys, List.of(columns));
      return spark.createDataFrame(fetched.rows(), fetched.schema());
    }
  }

  /** Index builds this application ran, through the join or this API. */
  public long builds() {
    return catalog().builds();
  }

  /**
   * Removes the application's temporary indexes and corpus copies now (they are removed at
   * application end anyway). DataFrames of earlier joins over them must not be used afterwards.
   */
  public void dropTemporaryIndexes() {
    catalog().dropTemporary();
  }

  private CorpusIndex obtain(Dataset<Row> corpus, BuildParams params, String location, boolean force) {
    CorpusFiles files = CorpusFiles.of(corpus, List.of(params.vectorColumn()), catalog().temporaryRoot());
    return obtain(files, params, location, force);
  }

  private CorpusIndex obtain(CorpusFiles files, BuildParams params, String location, boolean force) {
    if (files.temporaryCopy() != null) {
      catalog().registerTemporaryCopy(files.temporaryCopy());
    }
    return new CorpusIndex(catalog().obtain(files, params, location, false, force));
  }

  private record Fetched(StructType schema, List<Row> rows) {}

  private static Fetched fetch(IndexHandles.Lease lease, List<RowKey> keys, List<String> columns) {
    if (columns.isEmpty()) {
      List<Row> empty = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        empty.add(RowFactory.create());
      }
      return new Fetched(new StructType(), empty);
    }
    try (BufferAllocator allocator = ArrowUtils.rootAllocator().newChildAllocator("quiver-driver-fetch", 0, Long.MAX_VALUE);
        ArrowReader reader = lease.index().fetchRows(keys, columns, allocator)) {
      StructType schema = ArrowUtils.fromArrowSchema(reader.getVectorSchemaRoot().getSchema());
      return new Fetched(schema, ArrowRows.readAll(reader, schema));
    } catch (IOException e) {
      throw new UncheckedIOException("closing fetched rows failed: " + e.getMessage(), e);
    }
  }
}
