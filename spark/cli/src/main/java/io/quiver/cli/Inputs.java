package io.quiver.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Checks of command-line paths, made before any work starts so that errors come early and clear. */
final class Inputs {
  private Inputs() {}

  static void requireExists(List<Path> paths) {
    for (Path p : paths) requireExists(p, "file or directory");
  }

  static void requireExists(Path p, String what) {
    if (!Files.exists(p)) {
      throw new CliFailure(ExitCodes.NOT_FOUND, "no such " + what + ": " + p + " -- check the path");
    }
  }

  /** The index directory, which must exist and hold an index. */
  static Path requireIndex(Path dir) {
    if (!Files.exists(dir)) {
      throw new CliFailure(ExitCodes.NOT_FOUND,
          "no index at " + dir + " -- build one with 'quiver build --index " + dir + " FILES...'");
    }
    if (!Files.isDirectory(dir)) {
      throw new CliFailure(ExitCodes.INVALID_INPUT,
          dir + " is a file, not an index directory -- pass the directory 'quiver build' wrote");
    }
    return dir;
  }
}
