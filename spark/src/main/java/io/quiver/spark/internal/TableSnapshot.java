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
}
