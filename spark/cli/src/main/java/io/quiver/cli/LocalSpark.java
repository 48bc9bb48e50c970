package io.quiver.cli;

import org.apache.spark.sql.SparkSession;

/** The SparkSession of the join, bench and demo commands: local by default, no web UI. */
final class LocalSpark {
  private LocalSpark() {}

  /** The running session if there is one (the command ran inside an application), else a new one. */
  static SparkSession session(String master) {
    SparkSession active = SparkSession.getActiveSession().getOrElse(() -> null);
    if (active != null && !active.sparkContext().isStopped()) return active;
    return SparkSession.builder()
        .master(master)
        .appName("quiver")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "true")
        .config("spark.sql.shuffle.partitions", "8")
        // Spark's serialization debugger needs a JDK class removed in JDK 24; without it a task
        // that cannot be serialized still fails, with the plain NotSerializableException.
        .config("spark.serializer.extraDebugInfo", "false")
        // Iceberg reads a table by its path through its default catalog, a Hive one unless
        // configured, and the command has no metastore: a Hadoop catalog, whose warehouse a
        // table read by path never uses.
        .config("spark.sql.catalog.default_iceberg", "org.apache.iceberg.spark.SparkCatalog")
        .config("spark.sql.catalog.default_iceberg.type", "hadoop")
        .config("spark.sql.catalog.default_iceberg.warehouse", System.getProperty("java.io.tmpdir"))
        .getOrCreate();
  }
}
