package io.quiver.spark.internal.sql;

import java.util.List;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.SparkStrategy;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * Plans a {@link KnnJoinNode} as its deferred relation, the fused join's scan; with the
 * projection above it, so that the scan reads (and the join fetches) only the columns the query
 * uses.
 */
public final class KnnJoinStrategy extends SparkStrategy {
  @Override
  public Seq<SparkPlan> apply(LogicalPlan plan) {
    if (plan instanceof Project p && p.child() instanceof KnnJoinNode node) {
      return JavaConverters.asScalaBuffer(List.of(planLater(new Project(p.projectList(), node.relation())))).toSeq();
    }
    if (plan instanceof KnnJoinNode node) {
      return JavaConverters.asScalaBuffer(List.of(planLater(node.relation()))).toSeq();
    }
    return JavaConverters.asScalaBuffer(List.<SparkPlan>of()).toSeq();
  }
}
