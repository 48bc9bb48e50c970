package io.quiver.spark.internal;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.columnar.InMemoryRelation;
import scala.Option;
import scala.math.BigInt;

/** How many tasks a k-nearest join runs: sized from the left side's rows. */
public final class JoinPlanning {
  private JoinPlanning() {}

  /**
   * The left side's row count: from the plan when it knows it (local data, a materialized cache),
   * otherwise counted by a Spark job.
   */
  public static long rowCount(Dataset<Row> left) {
    LogicalPlan plan = left.queryExecution().optimizedPlan();
    if (plan instanceof LocalRelation local) {
      return local.data().size();
    }
    Option<BigInt> known = plan.stats().rowCount();
    if (known.isDefined() && plan instanceof InMemoryRelation cached && cached.cacheBuilder().isCachedColumnBuffersLoaded()) {
      return known.get().longValue();
    }
    return left.count();
  }

  /** ceil(rows / rowsPerTask), at least 1, at most {@code parallelism}. */
  public static int targetTasks(long leftRows, int rowsPerTask, int parallelism) {
    long tasks = (leftRows + rowsPerTask - 1) / rowsPerTask;
    return (int) Math.max(1, Math.min(tasks, Math.max(1, parallelism)));
  }
}
