package io.quiver.spark.sql;

import io.quiver.spark.internal.sql.VectorDistance;
import org.apache.spark.sql.Column;

/**
 * The vector distance functions for the DataFrame API, the same expressions {@link
 * QuiverExtensions} registers for SQL. Each takes two array&lt;float&gt; or array&lt;double&gt;
 * columns and returns a double: null when a vector or one of its elements is null, an error when
 * the lengths differ. They rank as the k-nearest join does, so that {@code
 * orderBy(l2Distance(q, embedding)).limit(k)} is its exact counterpart.
 */
public final class VectorFunctions {
  private VectorFunctions() {}

  /** The squared Euclidean distance: the join's distance under L2. */
  public static Column l2Distance(Column a, Column b) {
    return new Column(new VectorDistance.L2(a.expr(), b.expr()));
  }

  /** 1 - cos(a, b): the join's distance under COSINE; 1 when a vector is all zeros. */
  public static Column cosineDistance(Column a, Column b) {
    return new Column(new VectorDistance.Cosine(a.expr(), b.expr()));
  }

  /** The dot product; the join's distance under INNER_PRODUCT is its negation. */
  public static Column innerProduct(Column a, Column b) {
    return new Column(new VectorDistance.InnerProduct(a.expr(), b.expr()));
  }
}
