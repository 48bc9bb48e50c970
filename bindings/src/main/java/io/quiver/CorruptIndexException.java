package io.quiver;

/** The index files fail validation (format version, checksums, section bounds). ({@code QV_ERR_CORRUPT_INDEX}) */
public class CorruptIndexException extends QuiverException {

  public CorruptIndexException(int status, String statusName, String message) {
    super(status, statusName, message);
  }
}
