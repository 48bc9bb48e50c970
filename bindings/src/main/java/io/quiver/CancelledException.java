package io.quiver;

/** An operation was cancelled: a progress listener threw, or the building thread was interrupted. ({@code QV_ERR_CANCELLED}) */
public class CancelledException extends QuiverException {

  public CancelledException(int status, String statusName, String message) {
    super(status, statusName, message);
  }
}
