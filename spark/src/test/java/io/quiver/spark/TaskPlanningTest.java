package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.spark.internal.JoinPlanning;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Tasks follow the size of the left side, capped by the cluster's parallelism. */
class TaskPlanningTest {
  @Test
  void tasksAreLeftRowsOverRowsPerTaskCapped() {
    assertEquals(1, JoinPlanning.targetTasks(0, 500, 8));
    assertEquals(1, JoinPlanning.targetTasks(500, 500, 8));
    assertEquals(2, JoinPlanning.targetTasks(501, 500, 8));
    assertEquals(8, JoinPlanning.targetTasks(1_000_000, 500, 8));
    assertEquals(3, JoinPlanning.targetTasks(40, 15, 4));
    assertEquals(1, JoinPlanning.targetTasks(40, 15, 0));
  }

  @Test
  void theLeftSideIsCountedFromThePlanWhenItKnows() {
    SparkSession spark = SharedSpark.session();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      rows.add(RowFactory.create((long) i));
    }
    Dataset<Row> local = spark.createDataFrame(rows, new StructType().add("x", DataTypes.LongType));
    assertEquals(7, JoinPlanning.rowCount(local));
    assertEquals(3, JoinPlanning.rowCount(local.where("x < 3")));
    Dataset<Row> cached = spark.range(100).where("id % 8 = 0").toDF().cache();
    assertEquals(13, JoinPlanning.rowCount(cached)); // counted: the cache is not built yet
    assertEquals(13, JoinPlanning.rowCount(cached)); // from the built cache's statistics
    cached.unpersist();
  }
}
