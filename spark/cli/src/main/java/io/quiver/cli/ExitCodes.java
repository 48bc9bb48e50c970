package io.quiver.cli;

/**
 * The exit codes of the quiver command. The same failure has the same code in every subcommand,
 * so that a script can tell, for instance, a stale index (rebuild it) from a missing file.
 */
public final class ExitCodes {
  private ExitCodes() {}

  /** Success; for {@code verify}, the index is intact and every source file unchanged. */
  public static final int OK = 0;
  /** An unexpected failure (a bug, out of memory); rerun with --verbose for the stack trace. */
  public static final int FAILURE = 1;
  /** The command line is wrong: unknown option, missing argument, a value that is not a number. */
  public static final int USAGE = 2;
  /** A file, directory, index or column does not exist. */
  public static final int NOT_FOUND = 3;
  /** The input exists but cannot be used: a non-float vector column, a wrong query dimension. */
  public static final int INVALID_INPUT = 4;
  /** A source file changed or vanished since the index was built. */
  public static final int STALE_INDEX = 5;
  /** The index files fail validation. */
  public static final int CORRUPT_INDEX = 6;
  /** Reading or writing a file failed. */
  public static final int IO_ERROR = 7;
  /** Interrupted (Ctrl-C) or cancelled. */
  public static final int CANCELLED = 130;
}
