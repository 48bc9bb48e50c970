package io.quiver.spark.internal;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.spark.Dependency;
import org.apache.spark.OneToOneDependency;
import org.apache.spark.Partition;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.datasources.LogicalRelation$;
import org.apache.spark.sql.sources.BaseRelation;
import org.apache.spark.sql.sources.PrunedScan;
import org.apache.spark.sql.types.StructType;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;

/**
 * A relation whose schema is known when it is defined and whose rows are a DataFrame computed
 * only when a query runs: the k-nearest join and {@code quiver_search} find or build their index
 * then, so that defining a DataFrame or a view, analysing it or {@code EXPLAIN} build nothing.
 *
 * <p>Spark's planner asks for the relation's RDD while it plans (EXPLAIN included), so the RDD
 * defers the work to its partitions and dependencies, which Spark computes on the driver, on
 * the thread that runs the query, when a job is submitted (Spark 3.2 and later compute an RDD's
 * and its ancestors' partitions there before scheduling). The work runs once per query.
 */
public final class DeferredRelation extends BaseRelation implements PrunedScan {
  private final transient SparkSession spark;
  private final StructType schema;
  private final String description;
  private final transient Function<List<String>, Dataset<Row>> rows;

  private DeferredRelation(SparkSession spark, StructType schema, String description,
      Function<List<String>, Dataset<Row>> rows) {
    this.spark = spark;
    this.schema = schema;
    this.description = description;
    this.rows = rows;
  }

  /**
   * A DataFrame of {@code schema} whose rows {@code rows} computes when a query runs, given the
   * columns the query reads (a part of {@code schema}, in the order it needs them: Spark prunes
   * the rest); {@code description} is how EXPLAIN names it. {@code rows} must return exactly
   * those columns.
   */
  public static Dataset<Row> of(SparkSession spark, StructType schema, String description,
      Function<List<String>, Dataset<Row>> rows) {
    DeferredRelation relation = new DeferredRelation(spark, schema, description, rows);
    return Dataset.ofRows(spark, LogicalRelation$.MODULE$.apply(relation, false));
  }

  @Override
  public SQLContext sqlContext() {
    return spark.sqlContext();
  }

  @Override
  public StructType schema() {
    return schema;
  }

  /** The rows are Spark's internal rows already (the computed DataFrame's). */
  @Override
  public boolean needConversion() {
    return false;
  }

  @Override
  @SuppressWarnings("unchecked")
  public RDD<Row> buildScan(String[] requiredColumns) {
    List<String> required = List.of(requiredColumns);
    StructType wanted = new StructType();
    for (String c : required) {
      wanted = wanted.add(schema.apply(c));
    }
    StructType expected = wanted;
    RDD<?> deferred = new DeferredRdd(spark.sparkContext(), () -> {
      Dataset<Row> computed = rows.apply(required);
      if (!computed.schema().equals(expected)) {
        throw new IllegalStateException(description + " computed " + computed.schema().simpleString()
            + ", not " + expected.simpleString());
      }
      return computed.queryExecution().toRdd();
    });
    return (RDD<Row>) deferred;
  }

  @Override
  public String toString() {
    return description;
  }

  /** The computed RDD's partitions, reached through a one-to-one dependency made when first asked for. */
  private static final class DeferredRdd extends RDD<InternalRow> {
    private final transient Supplier<RDD<InternalRow>> compute;
    private transient RDD<InternalRow> computed;

    DeferredRdd(SparkContext sc, Supplier<RDD<InternalRow>> compute) {
      super(sc, JavaConverters.asScalaBuffer(List.<Dependency<?>>of()).toSeq(),
          ClassTag$.MODULE$.apply(InternalRow.class));
      this.compute = compute;
    }

    private synchronized RDD<InternalRow> computed() {
      if (computed == null) {
        computed = compute.get();
      }
      return computed;
    }

    @Override
    public scala.collection.Seq<Dependency<?>> getDependencies() {
      return JavaConverters.asScalaBuffer(List.<Dependency<?>>of(new OneToOneDependency<>(computed()))).toSeq();
    }

    @Override
    public Partition[] getPartitions() {
      return computed().partitions();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Iterator<InternalRow> compute(Partition split, TaskContext context) {
      // On an executor: the dependency was made on the driver and travels with this RDD.
      RDD<InternalRow> parent = (RDD<InternalRow>) dependencies().head().rdd();
      return parent.iterator(split, context);
    }
  }
}
