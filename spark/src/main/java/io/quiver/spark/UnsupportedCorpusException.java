package io.quiver.spark;

/**
 * The corpus cannot be indexed without returning wrong answers: for instance a Delta table whose
 * snapshot deletes rows through deletion vectors, which Quiver does not apply yet. The message
 * names the table, says why and what to do instead. Nothing was built.
 */
public class UnsupportedCorpusException extends IllegalArgumentException {
  public UnsupportedCorpusException(String message) {
    super(message);
  }
}
