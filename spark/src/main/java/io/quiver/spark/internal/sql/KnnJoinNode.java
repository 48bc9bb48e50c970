package io.quiver.spark.internal.sql;

import java.util.List;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.collection.JavaConverters;

/**
 * A join that {@link KnnJoinRule} planned as the fused k-nearest join: {@code relation}, the
 * join's deferred relation, is what runs ({@link KnnJoinStrategy} plans it); the join's own sides
 * stay as this node's children so that what reads the analyzed plan still sees them (a SQL view
 * over the join records the temporary views they read). They are never executed.
 */
public final class KnnJoinNode extends LogicalPlan {
  private final LogicalPlan left;
  private final LogicalPlan right;
  private final LogicalPlan relation;

  /** Public for Catalyst, which copies plan nodes through their constructor. */
  public KnnJoinNode(LogicalPlan left, LogicalPlan right, LogicalPlan relation) {
    this.left = left;
    this.right = right;
    this.relation = relation;
  }

  LogicalPlan relation() {
    return relation;
  }

  @Override
  public scala.collection.Seq<LogicalPlan> children() {
    return JavaConverters.asScalaBuffer(List.of(left, right)).toSeq();
  }

  @Override
  public scala.collection.Seq<Attribute> output() {
    return relation.output();
  }

  @Override
  public LogicalPlan withNewChildrenInternal(scala.collection.IndexedSeq<LogicalPlan> children) {
    return new KnnJoinNode(children.apply(0), children.apply(1), relation);
  }

  @Override
  public String simpleString(int maxFields) {
    return "QuiverKnnJoinNode " + relation.simpleString(maxFields);
  }

  @Override
  public int productArity() {
    return 3;
  }

  @Override
  public Object productElement(int n) {
    return switch (n) {
      case 0 -> left;
      case 1 -> right;
      case 2 -> relation;
      default -> throw new IndexOutOfBoundsException(n);
    };
  }

  @Override
  public boolean canEqual(Object other) {
    return other instanceof KnnJoinNode;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KnnJoinNode n && n.left.equals(left) && n.right.equals(right) && n.relation.equals(relation);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(left, right, relation);
  }
}
