package io.quiver.spark.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The identity of an index in the cache: a SHA-256 of the sorted file list with each file's size
 * and modification time, the vector column, every build parameter that changes the index and,
 * for a table, the snapshot its files were taken from. A corpus file rewritten since a build, or
 * a table commit that changes which rows are live without touching the files (a DELETE with
 * deletion vectors), changes the key, so a stale index is never found by it.
 */
public final class IndexKey {
  private IndexKey() {}

  /**
   * @param parameters name=value pairs of the build parameters, in a fixed order
   * @param source the table snapshot the files were taken from ({@link TableSnapshot#text()}),
   *     "" for plain files
   */
  public static String of(
      List<CorpusFiles.SourceFile> sortedFiles, String vectorColumn, List<String> parameters, String source) {
    StringBuilder text = new StringBuilder("quiver-spark index v1\n");
    if (!source.isEmpty()) {
      text.append("source=").append(source).append('\n');
    }
    text.append("vector_column=").append(vectorColumn).append('\n');
    for (String p : parameters) {
      text.append(p).append('\n');
    }
    for (CorpusFiles.SourceFile f : sortedFiles) {
      text.append("file=").append(f.path()).append('\0').append(f.size()).append('\0')
          .append(f.version()).append('\n');
    }
    return sha256Hex(text.toString());
  }

  static String sha256Hex(String text) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /**
   * Without the fingerprints and the table version: the same corpus and parameters whatever the
   * files and the table hold now.
   *
   * @param table the table without its version ({@link TableSnapshot#identity()}), "" for plain files
   */
  public static String identity(
      List<CorpusFiles.SourceFile> sortedFiles, String vectorColumn, List<String> parameters, String table) {
    return of(
        sortedFiles.stream().map(f -> new CorpusFiles.SourceFile(f.path(), 0, 0)).toList(),
        vectorColumn,
        parameters,
        table);
  }
}
