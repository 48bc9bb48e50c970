package io.quiver.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The one local SparkSession the suite shares (surefire runs every test class in one JVM).
 * A test that stops it to observe application-end behaviour gets a fresh one next time.
 */
final class SharedSpark {
  private SharedSpark() {}

  /** The Iceberg catalog of the tests, a Hadoop catalog in a directory of this JVM's own. */
  static final String ICEBERG_CATALOG = "quiver_ice";
  static final String ICEBERG_WAREHOUSE = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"),
      "quiver-iceberg-" + ProcessHandle.current().pid()).toString();

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
        // Quiver's SQL functions (VectorFunctionsTest). Delta tables as corpora (DeltaTableTest): DELETE, REORG, time travel. Iceberg tables
        // (IcebergTableTest) in a Hadoop catalog under the JVM's temporary directory.
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension,"
            + "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions,"
            + "io.quiver.spark.sql.QuiverExtensions")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.catalog." + ICEBERG_CATALOG, "org.apache.iceberg.spark.SparkCatalog")
        .config("spark.sql.catalog." + ICEBERG_CATALOG + ".type", "hadoop")
        .config("spark.sql.catalog." + ICEBERG_CATALOG + ".warehouse", ICEBERG_WAREHOUSE)
        .getOrCreate();
  }
}
