package io.quiver;

/** A file, directory or column is missing. ({@code QV_ERR_NOT_FOUND}) */
public class NotFoundException extends QuiverException {

  public NotFoundException(int status, String statusName, String message) {
    super(status, statusName, message);
  }
}
