package io.quiver.spark;

import io.quiver.BuildParams;
import io.quiver.spark.internal.CorpusFiles;
import io.quiver.spark.internal.DeferredRelation;
import io.quiver.spark.internal.IndexCatalog;
import io.quiver.spark.internal.IndexRef;
import io.quiver.spark.internal.JoinPlanning;
import io.quiver.spark.internal.KnnJoinTask;
import io.quiver.spark.internal.Locations;
import io.quiver.spark.internal.Schemas;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.reflect.ClassTag$;

/**
 * The k-nearest join of a DataFrame against a Parquet corpus through a Quiver index.
 *
 * <p>Defining the join checks the columns and builds nothing: the index is found in (or built
 * into) the application's index cache when a query reads the join (each query checks it against
 * the corpus again), and EXPLAIN shows it as {@code QuiverKnnJoin(...)}. The join itself is one fused stage over the left side: each task leases the index from
 * its JVM's handle cache, searches all its left rows in one batch, fetches the projected corpus
 * columns of all the hits in one batch, and emits the joined rows. Nothing of the corpus is
 * shuffled or scanned by Spark.
 */
public final class QuiverSpark {
  private static final Logger LOG = LoggerFactory.getLogger(QuiverSpark.class);

  private QuiverSpark() {}

  /**
   * Joins every left row with its {@code k} nearest corpus rows.
   *
   * <p>The corpus is indexed in place when it is a plain Parquet scan (spark.read.parquet, with
   * or without a selection of columns); any other DataFrame is first written once to a temporary
   * Parquet directory (with a logged warning), removed with the index at application end.
   *
   * <p>Output: the left columns, the projected corpus columns (those of {@link
   * KnnJoinOptions#columns}, by default all but the vector column; one also in the left side is
   * renamed {@code corpus_<name>}), the distance (float, smaller is nearer: squared L2, 1 - cosine
   * or the negated inner product) and the rank (int, 1 for the nearest). Up to {@code k} rows per
   * left row: fewer when the corpus has fewer live rows. A left row whose vector is null has no
   * match: it is dropped, or kept once with nulls under {@link KnnJoinOptions#keepUnmatched}. A
   * vector of the wrong length fails the task with an error naming the column.
   *
   * <p>When a query runs the join, the left side is counted once to size it: ceil(rows /
   * rowsPerTask) tasks, at most the default parallelism; it is repartitioned only to add tasks,
   * never to remove them. A stale index under {@code onStale(FAIL)}, or a corpus that cannot be
   * indexed, fails that query (not this call).
   *
   * @param leftVectorCol an array of float (or of another numeric type) column of {@code left}
   * @param corpusVectorCol the corpus column holding the vectors (Parquet list of float)
   */
  public static Dataset<Row> kNearestJoin(
      Dataset<Row> left,
      String leftVectorCol,
      Dataset<Row> corpus,
      String corpusVectorCol,
      int k,
      KnnJoinOptions options) {
    StructType corpusSchema = corpus.schema();
    String vectorColumn = corpusSchema.fields()[Schemas.fieldIndex(corpusSchema, corpusVectorCol, "the corpus")].name();
    List<String> columns = projectedColumns(corpusSchema, vectorColumn, options);
    List<String> needed = new ArrayList<>(columns);
    needed.add(vectorColumn);
    IndexCatalog catalog = IndexCatalog.of(left.sparkSession());
    return join(left, leftVectorCol, corpusSchema, () -> CorpusFiles.of(corpus, needed, catalog.temporaryRoot()),
        vectorColumn, columns, k, options, catalog);
  }

  /**
   * Builds the index of {@code corpus} across the cluster, and returns it as {@link
   * QuiverSession#build(Dataset, BuildParams, String)} does. The driver draws the training sample
   * with Spark (a sampled scan; the rest of the corpus never passes through the driver) and trains
   * the quantizers; each executor task encodes a group of consecutive files with them into a
   * segment file beside {@code location}; the driver commits the segments of the successful
   * attempts, in file order, with one manifest (nothing is rewritten on the driver). The index
   * searches exactly as one built on one machine with the same quantizers (one segment per task;
   * {@code quiver compact} makes it that build's file); a failed or retried task leaves nothing
   * in it. The join and {@code QuiverSession}
   * build this way on a cluster for a corpus of at least {@code spark.quiver.build.distributedMinRows}
   * rows (default 10,000,000).
   *
   * @param location where the index goes (null: the application's index cache); every executor must
   *     reach its parent directory (a shared or Hadoop filesystem)
   */
  public static CorpusIndex build(Dataset<Row> corpus, BuildParams params, String location) {
    IndexCatalog catalog = IndexCatalog.of(corpus.sparkSession());
    CorpusFiles files = CorpusFiles.of(corpus, List.of(params.vectorColumn()), catalog.temporaryRoot());
    if (files.temporaryCopy() != null) {
      catalog.registerTemporaryCopy(files.temporaryCopy());
    }
    return new CorpusIndex(catalog.obtain(files, params, location, false, true, IndexCatalog.Distribution.ALWAYS));
  }

  /** {@link #kNearestJoin(Dataset, String, Dataset, String, int, KnnJoinOptions)} over Parquet files or directories. */
  public static Dataset<Row> kNearestJoin(
      Dataset<Row> left,
      String leftVectorCol,
      List<String> corpusPaths,
      String corpusVectorCol,
      int k,
      KnnJoinOptions options) {
    CorpusFiles files = CorpusFiles.ofPaths(left.sparkSession(), corpusPaths);
    StructType corpusSchema = files.schema();
    String vectorColumn = corpusSchema.fields()[Schemas.fieldIndex(corpusSchema, corpusVectorCol, "the corpus")].name();
    List<String> columns = projectedColumns(corpusSchema, vectorColumn, options);
    return join(left, leftVectorCol, corpusSchema, () -> files, vectorColumn, columns, k, options,
        IndexCatalog.of(left.sparkSession()));
  }

  /**
   * Checks what the schemas tell now; the corpus's files, the index and the sizing wait for a
   * query that reads the join ({@link DeferredRelation}).
   */
  private static Dataset<Row> join(
      Dataset<Row> left,
      String leftVectorCol,
      StructType corpusSchema,
      Supplier<CorpusFiles> corpusFiles,
      String vectorColumn,
      List<String> columns,
      int k,
      KnnJoinOptions given,
      IndexCatalog catalog) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1: " + k);
    }
    KnnJoinOptions options = given.copy();
    StructType leftSchema = left.schema();
    int leftVectorIndex = Schemas.fieldIndex(leftSchema, leftVectorCol, "the left side");
    checkVectorType(leftSchema.fields()[leftVectorIndex]);
    StructType projected = new StructType();
    for (String c : columns) {
      projected = projected.add(corpusSchema.fields()[Schemas.indexOf(corpusSchema, c)]);
    }
    StructType outSchema = outputSchema(leftSchema, projected, options);
    StructType corpusColumns = projected;
    String description = "QuiverKnnJoin(" + leftSchema.fields()[leftVectorIndex].name() + " -> " + vectorColumn
        + ", k=" + k + ", nprobes=" + options.nprobes() + ", refineFactor=" + options.refineFactor() + ")";
    int leftWidth = leftSchema.size();
    return DeferredRelation.of(left.sparkSession(), outSchema, description, required -> {
      // Only the corpus columns the query reads are fetched.
      List<String> kept = new ArrayList<>();
      StructType keptSchema = new StructType();
      List<String> names = new ArrayList<>(List.of(leftSchema.fieldNames()));
      for (int i = 0; i < columns.size(); i++) {
        String out = outSchema.fields()[leftWidth + i].name();
        if (required.contains(out)) {
          kept.add(columns.get(i));
          keptSchema = keptSchema.add(corpusColumns.fields()[i]);
          names.add(out);
        }
      }
      names.add(options.distanceColumn());
      names.add(options.rankColumn());
      Dataset<Row> joined = run(left, leftVectorIndex, corpusFiles.get(), vectorColumn, kept, keptSchema,
          outputSchema(leftSchema, keptSchema, options), k, options, catalog);
      return joined.toDF(names.toArray(String[]::new))
          .select(Schemas.columns(required));
    });
  }

  /** The join itself, when a query runs: the index found or built, the left side sized and searched. */
  private static Dataset<Row> run(
      Dataset<Row> left,
      int leftVectorIndex,
      CorpusFiles files,
      String vectorColumn,
      List<String> columns,
      StructType projected,
      StructType outSchema,
      int k,
      KnnJoinOptions options,
      IndexCatalog catalog) {
    if (files.temporaryCopy() != null) {
      catalog.registerTemporaryCopy(files.temporaryCopy());
    }
    StructType leftSchema = left.schema();
    BuildParams params = options.buildParams(vectorColumn);
    long t0 = System.nanoTime();
    IndexRef index = catalog.obtain(
        files, params, options.indexLocation(), options.onStale() == KnnJoinOptions.OnStale.FAIL, false);

    SparkSession spark = left.sparkSession();
    int threads = options.searchThreads() > 0 ? options.searchThreads() : spark.sparkContext().conf().getInt("spark.task.cpus", 1);
    KnnJoinTask.Spec spec = new KnnJoinTask.Spec(
        k,
        leftVectorIndex,
        leftSchema.fields()[leftVectorIndex].name(),
        columns,
        projected,
        options.nprobes(),
        options.refineFactor(),
        threads,
        deletedKeys(index, options.deletedRows()),
        options.keepUnmatched());
    Broadcast<SerializableConfiguration> conf = null;
    // Executors need the session's Hadoop settings when the index, or the files it reads, are
    // on another filesystem than their local disk.
    if (Locations.localPath(index.location()) == null
        || index.files().stream().anyMatch(f -> Locations.localPath(f) == null)) {
      conf = spark.sparkContext().broadcast(
          new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()),
          ClassTag$.MODULE$.apply(SerializableConfiguration.class));
    }

    long t1 = System.nanoTime();
    Dataset<Row> source = left;
    long leftRows = JoinPlanning.rowCount(left);
    int target = JoinPlanning.targetTasks(leftRows, options.rowsPerTask(), spark.sparkContext().defaultParallelism());
    int partitions = left.rdd().getNumPartitions();
    if (target > partitions) {
      source = left.repartition(target);
    }
    LOG.debug("k-nearest join: index {} ready in {} ms; {} left rows in {} partitions, {} tasks (sized in {} ms)",
        index.location(), (t1 - t0) / 1_000_000, leftRows, partitions, Math.max(target, partitions),
        (System.nanoTime() - t1) / 1_000_000);
    return source.mapPartitions(new KnnJoinTask(index, spec, conf), Encoders.row(outSchema));
  }

  private static List<String> projectedColumns(StructType corpusSchema, String vectorColumn, KnnJoinOptions options) {
    List<String> out = new ArrayList<>();
    if (options.columns() == null) {
      for (String name : corpusSchema.fieldNames()) {
        if (!name.equals(vectorColumn)) {
          out.add(name);
        }
      }
      return out;
    }
    Set<String> seen = new HashSet<>();
    for (String c : options.columns()) {
      String name = corpusSchema.fields()[Schemas.fieldIndex(corpusSchema, c, "the corpus")].name();
      if (!seen.add(name.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("the corpus column '" + name + "' is projected twice");
      }
      out.add(name);
    }
    return out;
  }

  private static void checkVectorType(StructField f) {
    DataType t = f.dataType();
    if (!(t instanceof ArrayType a) || !(a.elementType() instanceof NumericType)) {
      throw new IllegalArgumentException(
          "the left vector column '" + f.name() + "' is " + t.simpleString() + "; it must be an array of float");
    }
  }

  private static StructType outputSchema(StructType left, StructType projected, KnnJoinOptions options) {
    Set<String> taken = new HashSet<>();
    for (String n : left.fieldNames()) {
      taken.add(n.toLowerCase(Locale.ROOT));
    }
    StructType out = left;
    for (StructField f : projected.fields()) {
      out = out.add(new StructField(Schemas.corpusColumnName(f.name(), taken), f.dataType(), true, f.metadata()));
    }
    for (String extra : List.of(options.distanceColumn(), options.rankColumn())) {
      if (!taken.add(extra.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(
            "the output already has a column '" + extra + "'; choose another name with distanceColumn/rankColumn");
      }
    }
    out = out.add(options.distanceColumn(), DataTypes.FloatType, options.keepUnmatched());
    return out.add(options.rankColumn(), DataTypes.IntegerType, options.keepUnmatched());
  }

  /** The table's deleted rows (its snapshot's) and the ones the options name. */
  private static long[] deletedKeys(IndexRef index, Map<String, List<Long>> deleted) {
    Map<String, long[]> rows = new java.util.LinkedHashMap<>();
    deleted.forEach((path, list) -> rows.put(path, list.stream().mapToLong(Long::longValue).toArray()));
    long[] table = index.deletedKeys();
    long[] named = index.keysOf(rows);
    long[] out = Arrays.copyOf(table, table.length + named.length);
    System.arraycopy(named, 0, out, table.length, named.length);
    return out;
  }

}
