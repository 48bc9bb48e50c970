package io.quiver.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The one local SparkSession the suite shares (surefire runs every test class in one JVM).
 * A test that stops it to observe application-end behaviour gets a fresh one next time.
 */
final class SharedSpark {
  private SharedSpark() {}

  static synchronized SparkSession session() {
    SparkSession active = SparkSession.getActiveSession().getOrElse(() -> null);
    if (active != null && !active.sparkContext().isStopped()) {
      return active;
    }
    return SparkSession.builder()
        .master("local[2]")
        .appName("quiver-spark-tests")
        // Above the core count so that the task-count cap is observable.
        .config("spark.default.parallelism", "4")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        // Spark's serialization debugger uses a JDK class that JDK 25 no longer has.
        .config("spark.serializer.extraDebugInfo", "false")
        .config("spark.sql.adaptive.enabled", "false")
        // Delta tables as corpora (DeltaTableTest): DELETE, REORG, time travel.
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .getOrCreate();
  }
}
