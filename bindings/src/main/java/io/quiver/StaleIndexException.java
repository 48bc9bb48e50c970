package io.quiver;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A source file changed (or vanished) since the index was built ({@code QV_ERR_STALE_INDEX}).
 * Rebuild the index to use it again.
 */
public class StaleIndexException extends QuiverException {

  private final Path file;

  public StaleIndexException(int status, String statusName, String message, Path file) {
    super(status, statusName, message);
    this.file = file;
  }

  /** The first source file found changed or missing, when it could be determined. */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }
}
