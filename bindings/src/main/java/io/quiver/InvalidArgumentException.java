package io.quiver;

/** A bad argument: a wrong vector dimension, {@code k < 1}, a row key outside the index, an unknown parameter value. ({@code QV_ERR_INVALID_ARGUMENT}) */
public class InvalidArgumentException extends QuiverException {

  public InvalidArgumentException(int status, String statusName, String message) {
    super(status, statusName, message);
  }
}
