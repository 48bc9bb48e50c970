package io.quiver;

/** Input the library cannot use: a column type or file layout it does not read. ({@code QV_ERR_UNSUPPORTED}) */
public class UnsupportedInputException extends QuiverException {

  public UnsupportedInputException(int status, String statusName, String message) {
    super(status, statusName, message);
  }
}
