package io.quiver.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A query vector read from the command line or a text file: numbers separated by commas or blanks. */
final class QueryVector {
  private QueryVector() {}

  static float[] parse(String text, String source) {
    String[] parts = text.strip().split("[,\\s]+");
    if (parts.length == 1 && parts[0].isEmpty()) {
      throw new CliFailure(ExitCodes.USAGE, "the query in " + source + " is empty -- give comma-separated numbers");
    }
    float[] v = new float[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        v[i] = Float.parseFloat(parts[i]);
      } catch (NumberFormatException e) {
        throw new CliFailure(ExitCodes.USAGE, "value " + (i + 1) + " of the query in " + source
            + " is not a number: '" + parts[i] + "' -- give comma-separated numbers");
      }
    }
    return v;
  }

  static float[] read(Path file) throws IOException {
    Inputs.requireExists(file, "query file");
    return parse(Files.readString(file), file.toString());
  }

  static void requireDimension(float[] query, int dim) {
    if (query.length != dim) {
      throw new CliFailure(ExitCodes.INVALID_INPUT, "the query has " + query.length
          + " values but the index holds " + dim + "-d vectors -- give exactly " + dim + " values");
    }
  }
}
