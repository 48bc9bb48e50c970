package io.quiver.cli;

import io.quiver.CancelledException;
import io.quiver.CorruptIndexException;
import io.quiver.InvalidArgumentException;
import io.quiver.NotFoundException;
import io.quiver.QuiverException;
import io.quiver.QuiverIOException;
import io.quiver.StaleIndexException;
import io.quiver.UnsupportedInputException;
import io.quiver.spark.StaleCorpusException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns any exception a subcommand throws into one line on standard error, naming the problem
 * and what to do about it, and the exit code of {@link ExitCodes}. The stack trace follows only
 * with --verbose.
 */
final class Failures implements IExecutionExceptionHandler {

  /** The exit code and the one-line message for a failure. */
  record Outcome(int exitCode, String message) {}

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
    Outcome o = describe(ex);
    PrintWriter err = cmd.getErr();
    err.println(cmd.getCommandSpec().qualifiedName() + ": error: " + o.message());
    if (verbose(parsed)) {
      ex.printStackTrace(err);
    }
    err.flush();
    return o.exitCode();
  }

  private static boolean verbose(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) return true;
    }
    return false;
  }

  static Outcome describe(Throwable ex) {
    Throwable t = rootQuiverCause(ex);
    String m = firstLine(t.getMessage());
    return switch (t) {
      case CliFailure f -> new Outcome(f.exitCode(), f.getMessage());
      case StaleIndexException s -> new Outcome(ExitCodes.STALE_INDEX,
          "stale index: " + m + s.file().map(f -> " (" + f + ")").orElse("")
              + " -- rebuild the index with 'quiver build'");
      case StaleCorpusException s -> new Outcome(ExitCodes.STALE_INDEX,
          "stale index: " + m + " -- rebuild the index with 'quiver build'");
      case CorruptIndexException c -> new Outcome(ExitCodes.CORRUPT_INDEX,
          "corrupt index: " + m + " -- delete it and rebuild it with 'quiver build'");
      case NotFoundException n -> new Outcome(ExitCodes.NOT_FOUND,
          m + " -- check the path, and name the vector column with --column");
      case UnsupportedInputException u -> new Outcome(ExitCodes.INVALID_INPUT,
          m + " -- the vector column must be a list of floats (float, double or float16 elements)");
      case InvalidArgumentException i -> new Outcome(ExitCodes.INVALID_INPUT, m);
      case QuiverIOException io -> new Outcome(ExitCodes.IO_ERROR, "I/O error: " + m);
      case CancelledException c -> new Outcome(ExitCodes.CANCELLED, "cancelled");
      case QuiverException q -> new Outcome(ExitCodes.FAILURE,
          q.statusName() + ": " + m + " -- rerun with --verbose and report it");
      case NoSuchFileException n -> new Outcome(ExitCodes.NOT_FOUND,
          "no such file or directory: " + n.getFile() + " -- check the path");
      case FileNotFoundException n -> new Outcome(ExitCodes.NOT_FOUND, m + " -- check the path");
      case IOException io -> new Outcome(ExitCodes.IO_ERROR, "I/O error: " + m);
      case IllegalArgumentException i when m.startsWith("no column") -> new Outcome(ExitCodes.NOT_FOUND,
          m + " -- name the vector columns with --column / --query-column");
      case IllegalArgumentException i -> new Outcome(ExitCodes.INVALID_INPUT, m);
      case InterruptedException i -> new Outcome(ExitCodes.CANCELLED, "interrupted");
      default -> spark(t, m);
    };
  }

  /** Spark's analysis errors (an unknown column in a query file, say) are input errors. */
  private static Outcome spark(Throwable t, String m) {
    String name = t.getClass().getName();
    if (name.equals("org.apache.spark.sql.AnalysisException")) {
      boolean missing = m.contains("UNRESOLVED_COLUMN") || m.contains("cannot be resolved")
          || m.contains("PATH_NOT_FOUND") || m.contains("Path does not exist");
      return new Outcome(missing ? ExitCodes.NOT_FOUND : ExitCodes.INVALID_INPUT,
          m + " -- check the file paths and column names");
    }
    return new Outcome(ExitCodes.FAILURE,
        t.getClass().getSimpleName() + ": " + m + " -- rerun with --verbose for the stack trace");
  }

  /**
   * The most telling exception in a chain: our own failures and the library's typed exceptions
   * often arrive wrapped (by Spark's task failures, by UncheckedIOException).
   */
  private static Throwable rootQuiverCause(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof CliFailure || t instanceof QuiverException) {
        return t;
      }
      if (t.getCause() == t) break;
    }
    if (ex instanceof UncheckedIOException u && u.getCause() != null) return u.getCause();
    return ex;
  }

  private static String firstLine(String s) {
    if (s == null || s.isBlank()) return "(no message)";
    String line = s.strip();
    int nl = line.indexOf('\n');
    return nl < 0 ? line : line.substring(0, nl).strip();
  }
}
