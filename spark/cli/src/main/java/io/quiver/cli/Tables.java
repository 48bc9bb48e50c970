package io.quiver.cli;

import io.quiver.spark.internal.TableSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Delta and Iceberg tables on the command line. A table's directory holds files its snapshot no
 * longer has and rows its deletes delete, so a table is read by its format's own Spark source
 * (its log, its deletion vectors and delete files), never listed as Parquet files: the commands
 * build and search such an index through a local Spark session.
 */
final class Tables {
  private Tables() {}

  /** "delta" or "iceberg" when {@code dir} is the root directory of such a table, else null. */
  static String formatOf(Path dir) {
    if (!Files.isDirectory(dir)) return null;
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir.toAbsolutePath().toUri());
      FileSystem fs = p.getFileSystem(new Configuration());
      return TableSnapshot.formatOf(fs, fs.listStatus(p));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * The table at {@code dir}, at its latest version or at {@code asOf} (a Delta version, an
   * Iceberg snapshot id).
   */
  static Dataset<Row> read(SparkSession spark, String format, Path dir, Long asOf) {
    DataFrameReader reader = spark.read().format(format);
    if (asOf != null) {
      reader = reader.option(format.equals("delta") ? "versionAsOf" : "snapshot-id", asOf);
    }
    return reader.load(dir.toAbsolutePath().toString());
  }
}
