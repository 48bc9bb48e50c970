package io.quiver.spark.internal.sql;

import io.quiver.Metric;
import io.quiver.spark.KnnJoinOptions;
import io.quiver.spark.QuiverSpark;
import io.quiver.spark.internal.CorpusFiles;
import io.quiver.spark.sql.VectorFunctions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.plans.Inner$;
import org.apache.spark.sql.catalyst.plans.logical.Join;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import scala.Option;
import scala.collection.JavaConverters;
import scala.runtime.AbstractPartialFunction;

/**
 * Plans {@code left JOIN corpus ON quiver_knn(l.vector, c.vector, k [, options])} as the fused
 * k-nearest join ({@link QuiverSpark#kNearestJoin}, lazy like it): an inner join whose whole
 * condition is the predicate becomes the join's relation ({@link KnnJoinNode}), projected to the
 * join's own output (every left column, then every corpus column). It runs while the query is
 * resolved, before the optimizer could push a filter of the joined rows below the join, which
 * would change which rows are the nearest. A corpus that is not Parquet files or a table gets the
 * exact plan instead: every pair's distance and the k nearest by a window. Anything else keeps the predicate, which then
 * fails saying where it belongs.
 */
public final class KnnJoinRule extends Rule<LogicalPlan> {
  private static final String DISTANCE = "__quiver_knn_distance";
  private static final String RANK = "__quiver_knn_rank";

  private final SparkSession spark;

  public KnnJoinRule(SparkSession spark) {
    this.spark = spark;
  }

  @Override
  public LogicalPlan apply(LogicalPlan plan) {
    return plan.transformUp(new AbstractPartialFunction<LogicalPlan, LogicalPlan>() {
      @Override
      public boolean isDefinedAt(LogicalPlan p) {
        return p instanceof Join j && j.childrenResolved() && j.joinType() == Inner$.MODULE$
            && j.condition().isDefined() && j.condition().get() instanceof KnnPredicate k && k.resolved();
      }

      @Override
      public LogicalPlan apply(LogicalPlan p) {
        return isDefinedAt(p) ? rewrite((Join) p) : p;
      }
    });
  }

  private LogicalPlan rewrite(Join join) {
    List<Expression> args = ((KnnPredicate) join.condition().get()).args();
    Attribute leftVector = attribute(args.get(0), join.left(), 1, "left_vector", "the left side");
    Attribute corpusVector = attribute(args.get(1), join.right(), 2, "corpus_vector", "the corpus (the join's right side)");
    Expression kArg = args.get(2);
    Object k = kArg.foldable() ? kArg.eval(null) : null;
    if (!(k instanceof Integer n) || n < 1) {
      throw new IllegalArgumentException(KnnPredicate.NAME + ": argument 3 (k) must be a constant integer of at least"
          + " 1, not " + kArg.sql());
    }
    Map<String, String> given = args.size() == 4 ? options(args.get(3)) : Map.of();
    Dataset<Row> leftRows = Dataset.ofRows(spark, join.left());
    Dataset<Row> corpus = Dataset.ofRows(spark, join.right());
    if (!CorpusFiles.readsTableOrFiles(corpus)) {
      return exact(join, leftRows, corpus, leftVector, corpusVector, n, given);
    }
    List<String> corpusColumns = new ArrayList<>();
    for (Attribute a : JavaConverters.seqAsJavaList(join.right().output())) {
      corpusColumns.add(a.name());
    }
    KnnJoinOptions options = KnnJoinOptions.defaults().columns(corpusColumns).distanceColumn(DISTANCE).rankColumn(RANK);
    options.options(given);
    Dataset<Row> joined = QuiverSpark.kNearestJoin(leftRows, leftVector.name(), corpus, corpusVector.name(), n, options);
    LogicalPlan relation = joined.queryExecution().analyzed();
    // The join's output, by position: the left columns, then the corpus columns (renamed by the
    // join where the left side has the name), under the ids the rest of the query refers to.
    List<Attribute> produced = JavaConverters.seqAsJavaList(relation.output());
    List<Attribute> wanted = JavaConverters.seqAsJavaList(join.output());
    List<NamedExpression> projection = new ArrayList<>();
    for (int i = 0; i < wanted.size(); i++) {
      Attribute w = wanted.get(i);
      projection.add(new Alias(produced.get(i), w.name(), w.exprId(), w.qualifier(), Option.empty(),
          JavaConverters.asScalaBuffer(List.<String>of()).toSeq()));
    }
    return new Project(JavaConverters.asScalaBuffer(projection).toSeq(),
        new KnnJoinNode(join.left(), join.right(), relation));
  }

  /**
   * The exact plan, for a corpus that is not Parquet files or a table (a view of computed rows, a
   * join, ...): every pair's distance (the metric of the options, L2 by default), the k nearest
   * corpus rows of each left row by a window, the join's output.
   */
  private static LogicalPlan exact(Join join, Dataset<Row> left, Dataset<Row> corpus, Attribute leftVector,
      Attribute corpusVector, int k, Map<String, String> given) {
    String metricName = given.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("metric"))
        .map(Map.Entry::getValue).findFirst().orElse("L2");
    Column a = new Column(leftVector);
    Column b = new Column(corpusVector);
    Column distance = switch (Metric.valueOf(metricName.strip().toUpperCase(java.util.Locale.ROOT))) {
      case L2 -> VectorFunctions.l2Distance(a, b);
      case COSINE -> VectorFunctions.cosineDistance(a, b);
      case INNER_PRODUCT -> functions.negate(VectorFunctions.innerProduct(a, b));
    };
    String id = "__quiver_knn_left_row";
    String rank = "__quiver_knn_rank";
    Dataset<Row> ranked = left.withColumn(id, functions.monotonically_increasing_id())
        .crossJoin(corpus)
        .where(distance.isNotNull())
        .withColumn(rank, functions.row_number().over(Window.partitionBy(functions.col(id)).orderBy(distance)))
        .where(functions.col(rank).leq(k));
    @SuppressWarnings("unchecked")
    scala.collection.Seq<NamedExpression> output = (scala.collection.Seq<NamedExpression>) (Object) join.output();
    return new Project(output, ranked.queryExecution().analyzed());
  }

  private static Attribute attribute(Expression e, LogicalPlan side, int position, String name, String what) {
    if (e instanceof Attribute a && side.outputSet().contains(a)) {
      return a;
    }
    throw new IllegalArgumentException(KnnPredicate.NAME + ": argument " + position + " (" + name + ") must be a column"
        + " of " + what + ", not " + e.sql());
  }

  private static Map<String, String> options(Expression e) {
    Object v = e.foldable() ? e.eval(null) : null;
    if (!(v instanceof MapData m)) {
      throw new IllegalArgumentException(KnnPredicate.NAME + ": argument 4 (options) must be a constant map of"
          + " strings, such as map('nprobes', '32'), not " + e.sql());
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < m.numElements(); i++) {
      out.put(String.valueOf(m.keyArray().get(i, DataTypes.StringType)),
          String.valueOf(m.valueArray().get(i, DataTypes.StringType)));
    }
    return out;
  }
}
