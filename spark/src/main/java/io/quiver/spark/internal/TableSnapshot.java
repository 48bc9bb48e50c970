package io.quiver.spark.internal;

/**
 * The table version a corpus's files were taken from, when the corpus is a table rather than
 * plain Parquet files. Its {@link #text()} is recorded in the index's manifest (the build's
 * source); its {@link #identity()} is part of the index cache key. A later version with the same
 * files (a DELETE through deletion vectors leaves the Parquet files as they are) is answered by
 * the same index with that version's deleted rows; one with other files needs another index.
 *
 * @param format the table format, e.g. "delta"
 * @param table the table's root location as the format reports it
 * @param version the snapshot version whose files are indexed
 */
public record TableSnapshot(String format, String table, long version) {

  /** How the manifest and messages name it: {@code delta table file:/data/items version 3}. */
  public String text() {
    return format + " table " + table + " version " + version;
  }

  /** The table without its version: the same corpus whatever it holds now. */
  public String identity() {
    return format + " table " + table;
  }

  /** The identity part of a recorded {@link #text()} ("" stays ""). */
  public static String identityOf(String text) {
    return text.replaceFirst(" version \\d+$", "");
  }

  /**
   * "delta" or "iceberg" when the directory listed as {@code children} is the root of such a
   * table (a {@code _delta_log}; a {@code metadata} directory with {@code *.metadata.json}), else
   * null.
   */
  public static String formatOf(org.apache.hadoop.fs.FileSystem fs, org.apache.hadoop.fs.FileStatus[] children)
      throws java.io.IOException {
    for (org.apache.hadoop.fs.FileStatus child : children) {
      String name = child.getPath().getName();
      if (child.isDirectory() && name.equals("_delta_log")) {
        return "delta";
      }
      if (child.isDirectory() && name.equals("metadata")) {
        for (org.apache.hadoop.fs.FileStatus m : fs.listStatus(child.getPath())) {
          if (m.getPath().getName().endsWith(".metadata.json")) {
            return "iceberg";
          }
        }
      }
    }
    return null;
  }

  /** The snapshot a recorded {@link #text()} names, or null for "" (plain files). */
  public static TableSnapshot parse(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\S+) table (.+) version (-?\\d+)").matcher(text);
    if (text.isEmpty()) {
      return null;
    }
    if (!m.matches()) {
      throw new IllegalArgumentException("not a table snapshot: " + text);
    }
    return new TableSnapshot(m.group(1), m.group(2), Long.parseLong(m.group(3)));
  }

  /**
   * The table at its latest version, read by its format's own Spark source ({@code delta} or
   * {@code iceberg}, by location).
   */
  public org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> readLatest(org.apache.spark.sql.SparkSession spark) {
    try {
      return spark.read().format(format).load(table);
    } catch (RuntimeException e) {
      throw new io.quiver.spark.UnsupportedCorpusException("cannot read the " + identity() + " by its location ("
          + e.getMessage() + "); obtain its index with QuiverSession.buildIfMissing(table, params, location),"
          + " the table read as a DataFrame", e);
    }
  }
}
