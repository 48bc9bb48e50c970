package io.quiver.spark.sql;

import io.quiver.spark.internal.sql.KnnJoinRule;
import io.quiver.spark.internal.sql.KnnJoinStrategy;
import io.quiver.spark.internal.sql.KnnPredicate;
import io.quiver.spark.internal.sql.VectorDistance;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.execution.SparkStrategy;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.errors.QueryCompilationErrors;
import scala.Function1;
import scala.Tuple3;
import scala.collection.JavaConverters;
import scala.collection.Seq;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * Quiver in Spark SQL: {@code --conf spark.sql.extensions=io.quiver.spark.sql.QuiverExtensions}
 * (beside other extensions, comma-separated), or {@code
 * SparkSession.builder().withExtensions(new QuiverExtensions())}. Registers the vector distance
 * functions {@code l2_distance}, {@code cosine_distance} and {@code inner_product} (see {@link
 * VectorFunctions}), as Catalyst expressions with generated code; the table functions {@code
 * quiver_search} and {@code quiver_knn_join}; and the join condition {@code quiver_knn}, planned
 * as the fused k-nearest join.
 */
public final class QuiverExtensions extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    inject(extensions, "l2_distance", VectorDistance.L2.class, VectorDistance.L2::new,
        "_FUNC_(a, b) - The squared Euclidean distance between vectors a and b (array<float> or"
            + " array<double>), the k-nearest join's distance under L2.");
    inject(extensions, "cosine_distance", VectorDistance.Cosine.class, VectorDistance.Cosine::new,
        "_FUNC_(a, b) - 1 - cos(a, b), the k-nearest join's distance under COSINE (1 when a vector is"
            + " all zeros).");
    inject(extensions, "inner_product", VectorDistance.InnerProduct.class, VectorDistance.InnerProduct::new,
        "_FUNC_(a, b) - The dot product of a and b; the k-nearest join's distance under"
            + " INNER_PRODUCT is its negation.");
    injectTable(extensions, "quiver_search", io.quiver.spark.SqlTableFunctions::search,
        "_FUNC_(corpus, vector_column, query_vector, k [, options]) - The k nearest rows of the corpus (a"
            + " table name, or the path of Parquet files or of a Delta or Iceberg table) to the query"
            + " vector: its columns, then distance and rank. The index is built if missing, when the query"
            + " runs; options as the k-nearest join takes them, map('nprobes', '32', ...).");
    injectTable(extensions, "quiver_knn_join", io.quiver.spark.SqlTableFunctions::knnJoin,
        "_FUNC_(left, left_vector_column, corpus, corpus_vector_column, k [, options]) - The fused k-nearest"
            + " join of the table or view left against the corpus (named as in quiver_search): the left"
            + " columns, the corpus columns, distance and rank.");
    ExpressionInfo knn = new ExpressionInfo(KnnPredicate.class.getName(), null, "quiver_knn",
        "_FUNC_(left_vector, corpus_vector, k [, options]) - As the whole condition of an inner join,"
            + " JOIN corpus c ON _FUNC_(l.vec, c.vec, 10): each left row with its k nearest corpus rows,"
            + " planned as the fused k-nearest join.", "", "", "", "", "", "", "");
    extensions.injectFunction(new Tuple3<>(FunctionIdentifier.apply("quiver_knn"), knn,
        new AbstractFunction1<Seq<Expression>, Expression>() {
          @Override
          public Expression apply(Seq<Expression> args) {
            return new KnnPredicate(JavaConverters.seqAsJavaList(args));
          }
        }));
    extensions.injectResolutionRule(new AbstractFunction1<SparkSession, Rule<LogicalPlan>>() {
      @Override
      public Rule<LogicalPlan> apply(SparkSession session) {
        return new KnnJoinRule(session);
      }
    });
    extensions.injectPlannerStrategy(new AbstractFunction1<SparkSession, SparkStrategy>() {
      @Override
      public SparkStrategy apply(SparkSession session) {
        return new KnnJoinStrategy();
      }
    });
    return BoxedUnit.UNIT;
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
    throw (E) t;
  }

  private static void injectTable(SparkSessionExtensions extensions, String name,
      java.util.function.Function<Seq<Expression>, LogicalPlan> plan, String usage) {
    ExpressionInfo info = new ExpressionInfo(QuiverExtensions.class.getName(), null, name, usage, "", "", "", "", "",
        "", "");
    extensions.injectTableFunction(new Tuple3<>(FunctionIdentifier.apply(name), info,
        new AbstractFunction1<Seq<Expression>, LogicalPlan>() {
          @Override
          public LogicalPlan apply(Seq<Expression> args) {
            return plan.apply(args);
          }
        }));
  }

  private static void inject(SparkSessionExtensions extensions, String name, Class<?> type,
      BiFunction<Expression, Expression, Expression> make, String usage) {
    ExpressionInfo info = new ExpressionInfo(type.getName(), null, name, usage, "", "", "", "", "", "", "");
    Function1<Seq<Expression>, Expression> builder = new AbstractFunction1<>() {
      @Override
      public Expression apply(Seq<Expression> args) {
        if (args.size() != 2) {
          // Spark's own error for a wrong argument count: an AnalysisException naming the function.
          throw sneaky(QueryCompilationErrors.wrongNumArgsError(name,
              JavaConverters.asScalaBuffer(List.<Object>of(2)).toSeq(), args.size(), "", "", ""));
        }
        return make.apply(args.apply(0), args.apply(1));
      }
    };
    extensions.injectFunction(new Tuple3<>(FunctionIdentifier.apply(name), info, builder));
  }
}
