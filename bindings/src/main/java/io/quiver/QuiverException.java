package io.quiver;

/**
 * A failure reported by the native library: its status code ({@code QV_ERR_*} of quiver.h) and
 * its message. Subclasses name the kinds a caller may want to handle apart; out-of-memory and
 * internal errors arrive as this class itself.
 */
public class QuiverException extends RuntimeException {

  private final int status;
  private final String statusName;

  public QuiverException(int status, String statusName, String message) {
    super(message == null || message.isEmpty() ? statusName : message);
    this.status = status;
    this.statusName = statusName;
  }

  /** The C ABI status code ({@code QV_ERR_*}). */
  public int status() {
    return status;
  }

  /** The stable name of the status code, e.g. {@code "STALE_INDEX"}. */
  public String statusName() {
    return statusName;
  }
}
