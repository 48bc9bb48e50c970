package io.quiver.spark;

/**
 * The corpus cannot be indexed without returning wrong answers: for instance a table's directory
 * given as Parquet files (they include rows and files the table no longer has). The message names
 * the corpus, says why and what to do instead. Nothing was built.
 */
public class UnsupportedCorpusException extends IllegalArgumentException {
  public UnsupportedCorpusException(String message) {
    super(message);
  }

  public UnsupportedCorpusException(String message, Throwable cause) {
    super(message, cause);
  }
}
