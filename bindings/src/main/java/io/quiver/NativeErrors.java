package io.quiver;

import io.quiver.ffi.quiver_h;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** Turns qv_status codes into exceptions carrying the native message. */
final class NativeErrors {

  private NativeErrors() {}

  /** Throws for a failing status. Must run on the thread that made the failing call. */
  static void check(int status) {
    if (status != quiver_h.QV_OK) throw exception(status, null);
  }

  /** The exception for a failing status; {@code staleFile} names the file of a stale index. */
  static QuiverException exception(int status, Path staleFile) {
    String message = string(quiver_h.qv_last_error());
    String name = string(quiver_h.qv_status_name(status));
    return switch (status) {
      case quiver_h.QV_ERR_INVALID_ARGUMENT -> new InvalidArgumentException(status, name, message);
      case quiver_h.QV_ERR_IO -> new QuiverIOException(status, name, message);
      case quiver_h.QV_ERR_NOT_FOUND -> new NotFoundException(status, name, message);
      case quiver_h.QV_ERR_UNSUPPORTED -> new UnsupportedInputException(status, name, message);
      case quiver_h.QV_ERR_CORRUPT_INDEX -> new CorruptIndexException(status, name, message);
      case quiver_h.QV_ERR_STALE_INDEX -> new StaleIndexException(status, name, message, staleFile);
      case quiver_h.QV_ERR_CANCELLED -> new CancelledException(status, name, message);
      default -> new QuiverException(status, name, message);
    };
  }

  /** A NUL-terminated string owned by the library ("" for NULL). */
  static String string(MemorySegment cString) {
    return cString.equals(MemorySegment.NULL) ? "" : cString.getString(0);
  }
}
