package io.quiver.spark;

/**
 * A corpus file changed since its index was built and the caller asked to fail rather than
 * rebuild ({@link KnnJoinOptions.OnStale#FAIL}). The message names what changed.
 */
public class StaleCorpusException extends RuntimeException {
  public StaleCorpusException(String message) {
    super(message);
  }

  public StaleCorpusException(String message, Throwable cause) {
    super(message, cause);
  }
}
