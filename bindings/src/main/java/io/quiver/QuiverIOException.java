package io.quiver;

/** Reading or writing a file failed. ({@code QV_ERR_IO}) */
public class QuiverIOException extends QuiverException {

  public QuiverIOException(int status, String statusName, String message) {
    super(status, statusName, message);
  }
}
