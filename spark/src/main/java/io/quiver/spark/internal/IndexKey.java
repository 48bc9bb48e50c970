package io.quiver.spark.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The key of an index in the cache: a SHA-256 of the sorted file list with each file's size
 * and version, the vector column, every build parameter that changes the index and, for a table,
 * the table (not its version). A corpus file rewritten since a build changes the key, so a stale
 * index is never found by it; a table commit that leaves the files as they are (a DELETE with
 * deletion vectors) does not, since the index covers every row of the files and the deletes are
 * applied at search time.
 */
public final class IndexKey {
  private IndexKey() {}

  /**
   * @param parameters name=value pairs of the build parameters, in a fixed order
   * @param source the table the files were taken from, whatever its version ({@link
   *     TableSnapshot#identity()}), "" for plain files
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
   * The corpus and the parameters, whatever files the corpus holds now and whatever its table's
   * version: where its index lives.
   *
   * @param corpus {@link CorpusFiles#identity()}
   */
  public static String identity(String vectorColumn, List<String> parameters, String corpus) {
    return of(List.of(), vectorColumn, parameters, corpus);
  }
}
