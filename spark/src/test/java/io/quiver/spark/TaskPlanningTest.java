package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Tasks follow the size of the left side, capped by the cluster's parallelism. */
class TaskPlanningTest {
  @Test
  void tasksAreLeftRowsOverRowsPerTaskCapped() {
    assertEquals(1, QuiverSpark.targetTasks(0, 500, 8));
    assertEquals(1, QuiverSpark.targetTasks(500, 500, 8));
    assertEquals(2, QuiverSpark.targetTasks(501, 500, 8));
    assertEquals(8, QuiverSpark.targetTasks(1_000_000, 500, 8));
    assertEquals(3, QuiverSpark.targetTasks(40, 15, 4));
    assertEquals(1, QuiverSpark.targetTasks(40, 15, 0));
  }
}
