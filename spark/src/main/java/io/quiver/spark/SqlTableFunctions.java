package io.quiver.spark;

import io.quiver.BuildParams;
import io.quiver.SearchParams;
import io.quiver.spark.internal.DeferredRelation;
import io.quiver.spark.internal.Schemas;
import io.quiver.spark.internal.TableSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.FunctionTableSubqueryArgumentExpression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.Seq;

/**
 * The table functions {@link io.quiver.spark.sql.QuiverExtensions} registers, as plans: {@code
 * quiver_search(corpus, vector_column, query_vector, k [, options])}, the driver-side search as a
 * relation, and {@code quiver_knn_join(left, left_vector_column, corpus, corpus_vector_column, k
 * [, options])}, the fused join. Their schemas are known at analysis, which reads no more than
 * the corpus's schema; the index is found or built, and searched, only when a query reads the
 * rows ({@link io.quiver.spark.internal.DeferredRelation}), so that views and {@code EXPLAIN}
 * stay cheap. The arguments are constants, checked here by name and position.
 *
 * <p>Public only for QuiverExtensions; use the SQL functions, or {@link QuiverSession} and
 * {@link QuiverSpark}, rather than this class.
 */
public final class SqlTableFunctions {
  static final String NAME = "quiver_search";

  private SqlTableFunctions() {}

  /** The table function's builder: the arguments are constants, evaluated here. */
  public static LogicalPlan search(Seq<Expression> args) {
    if (args.size() < 4 || args.size() > 5) {
      throw new IllegalArgumentException(NAME + " takes 4 or 5 arguments (corpus, vector_column, query_vector, k"
          + " [, options map]); got " + args.size());
    }
    SparkSession spark = SparkSession.active();
    String corpusName = string(NAME, args.apply(0), 1, "corpus");
    String vectorColumn = string(NAME, args.apply(1), 2, "vector_column");
    float[] query = vector(args.apply(2));
    int k = positiveInt(NAME, args.apply(3), 4, "k");
    KnnJoinOptions options = KnnJoinOptions.defaults();
    if (args.size() == 5) {
      options.options(options(NAME, args.apply(4), 5));
    }
    return search(spark, corpus(NAME, spark, corpusName), corpusName, vectorColumn, query, k, options);
  }

  /**
   * {@code quiver_knn_join(left, left_vector_column, corpus, corpus_vector_column, k [, options])}:
   * the fused join of a table or view of the catalog, or a query given as {@code TABLE(SELECT
   * ...)} (the left side), against a corpus named as
   * {@code quiver_search} names it, through {@link QuiverSpark#kNearestJoin}.
   */
  public static LogicalPlan knnJoin(Seq<Expression> args) {
    String fn = "quiver_knn_join";
    if (args.size() < 5 || args.size() > 6) {
      throw new IllegalArgumentException(fn + " takes 5 or 6 arguments (left, left_vector_column, corpus,"
          + " corpus_vector_column, k [, options map]); got " + args.size());
    }
    SparkSession spark = SparkSession.active();
    Dataset<Row> left;
    if (args.apply(0) instanceof FunctionTableSubqueryArgumentExpression table) {
      left = Dataset.ofRows(spark, table.plan());
    } else {
      String name = string(fn, args.apply(0), 1, "left");
      if (!spark.catalog().tableExists(name)) {
        throw new IllegalArgumentException(fn + ": argument 1 (left) '" + name + "' is not a table or view of the"
            + " catalog; pass a query as TABLE(SELECT ...)");
      }
      left = spark.table(name);
    }
    String leftVector = string(fn, args.apply(1), 2, "left_vector_column");
    String corpusName = string(fn, args.apply(2), 3, "corpus");
    String corpusVector = string(fn, args.apply(3), 4, "corpus_vector_column");
    int k = positiveInt(fn, args.apply(4), 5, "k");
    KnnJoinOptions options = KnnJoinOptions.defaults();
    if (args.size() == 6) {
      options.options(options(fn, args.apply(5), 6));
    }
    return QuiverSpark.kNearestJoin(left, leftVector, corpus(fn, spark, corpusName), corpusVector, k,
        options).queryExecution().analyzed();
  }

  /** A table name of the session's catalog, else a path: a Delta or Iceberg table's directory, or Parquet. */
  private static Dataset<Row> corpus(String fn, SparkSession spark, String name) {
    if (!name.contains("/") && spark.catalog().tableExists(name)) {
      return spark.table(name);
    }
    try {
      Path p = new Path(name);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        throw new IllegalArgumentException(fn + ": the corpus '" + name
            + "' is neither a table of the catalog nor an existing path");
      }
      String format = fs.getFileStatus(p).isDirectory() ? TableSnapshot.formatOf(fs, fs.listStatus(p)) : null;
      return format != null ? spark.read().format(format).load(name) : spark.read().parquet(name);
    } catch (IOException e) {
      throw new UncheckedIOException(fn + ": cannot read the corpus " + name + ": " + e.getMessage(), e);
    }
  }

  private static Object constant(String fn, Expression e, int position, String name) {
    if (!e.foldable()) {
      throw new IllegalArgumentException(fn + ": argument " + position + " (" + name + ") must be a constant, not "
          + e.sql());
    }
    return e.eval(null);
  }

  private static int positiveInt(String fn, Expression e, int position, String name) {
    Object v = constant(fn, e, position, name);
    if (!(v instanceof Integer || v instanceof Long)) {
      throw new IllegalArgumentException(fn + ": argument " + position + " (" + name + ") must be an integer, got "
          + e.dataType().simpleString());
    }
    long n = ((Number) v).longValue();
    if (n < 1 || n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(fn + ": argument " + position + " (" + name + ") must be at least 1, got " + n);
    }
    return (int) n;
  }

  private static String string(String fn, Expression e, int position, String name) {
    Object v = constant(fn, e, position, name);
    if (e.dataType() != DataTypes.StringType || v == null) {
      throw new IllegalArgumentException(fn + ": argument " + position + " (" + name + ") must be a string, got "
          + (v == null ? "NULL" : e.dataType().simpleString()));
    }
    return v.toString();
  }

  /** The query vector: an array of numbers (float, double, decimal or integer literals). */
  private static float[] vector(Expression e) {
    Object v = constant(NAME, e, 3, "query_vector");
    if (!(e.dataType() instanceof ArrayType a) || v == null) {
      throw new IllegalArgumentException(NAME + ": argument 3 (query_vector) must be an array of numbers, got "
          + (v == null ? "NULL" : e.dataType().simpleString()));
    }
    ArrayData data = (ArrayData) v;
    DataType t = a.elementType();
    float[] out = new float[data.numElements()];
    for (int i = 0; i < out.length; i++) {
      if (data.isNullAt(i)) {
        throw new IllegalArgumentException(NAME + ": argument 3 (query_vector) has a null at position " + (i + 1));
      }
      if (t == DataTypes.FloatType) out[i] = data.getFloat(i);
      else if (t == DataTypes.DoubleType) out[i] = (float) data.getDouble(i);
      else if (t == DataTypes.IntegerType) out[i] = data.getInt(i);
      else if (t == DataTypes.LongType) out[i] = data.getLong(i);
      else if (t instanceof DecimalType d) out[i] = (float) data.getDecimal(i, d.precision(), d.scale()).toDouble();
      else throw new IllegalArgumentException(NAME + ": argument 3 (query_vector) must be an array of numbers, got "
          + e.dataType().simpleString());
    }
    return out;
  }

  private static Map<String, String> options(String fn, Expression e, int position) {
    Object v = constant(fn, e, position, "options");
    if (!(v instanceof MapData m)) {
      throw new IllegalArgumentException(fn + ": argument " + position + " (options) must be a map of strings, such as"
          + " map('nprobes', '32'), got " + e.dataType().simpleString());
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < m.numElements(); i++) {
      Object key = m.keyArray().get(i, DataTypes.StringType);
      Object value = m.valueArray().get(i, DataTypes.StringType);
      out.put(String.valueOf(key), String.valueOf(value));
    }
    return out;
  }

  /** The deferred search: the corpus's columns (or those of the columns option), distance and rank. */
  private static LogicalPlan search(SparkSession spark, Dataset<Row> corpus, String corpusName, String vectorColumn,
      float[] query, int k, KnnJoinOptions options) {
    StructType corpusSchema = corpus.schema();
    String vector = corpusSchema.fields()[Schemas.fieldIndex(corpusSchema, vectorColumn, "the corpus " + corpusName)]
        .name();
    List<String> wanted = options.columns() != null ? options.columns() : List.of(corpusSchema.fieldNames());
    StructType columns = new StructType();
    StructType schema = new StructType();
    Set<String> taken = new HashSet<>(List.of(options.distanceColumn().toLowerCase(Locale.ROOT),
        options.rankColumn().toLowerCase(Locale.ROOT)));
    for (String c : wanted) {
      StructField f = corpusSchema.fields()[Schemas.fieldIndex(corpusSchema, c, "the corpus " + corpusName)];
      columns = columns.add(f);
      schema = schema.add(f.copy(Schemas.corpusColumnName(f.name(), taken), f.dataType(), true, f.metadata()));
    }
    StructType out = schema.add(options.distanceColumn(), DataTypes.FloatType, false)
        .add(options.rankColumn(), DataTypes.IntegerType, false);
    StructType fetched = columns;
    String description = NAME + "(" + corpusName + ", " + vector + ", " + query.length + "-d query, k=" + k + ")";
    return DeferredRelation.of(spark, out, description, required -> {
      QuiverSession qs = QuiverSession.of(spark);
      BuildParams params = options.buildParams(vector);
      CorpusIndex index = options.indexLocation() == null ? qs.buildIfMissing(corpus, params)
          : qs.buildIfMissing(corpus, params, options.indexLocation());
      SearchParams search = SearchParams.builder().nprobes(options.nprobes()).refineFactor(options.refineFactor())
          .build();
      return spark.createDataFrame(qs.searchRows(index, query, k, search, fetched), out)
          .select(Schemas.columns(required));
    }).queryExecution().analyzed();
  }
}
