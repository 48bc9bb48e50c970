package io.quiver.cli;

import picocli.CommandLine.Option;

/** Options every subcommand takes. */
final class CommonOptions {
  @Option(names = "--json", description = "Print the result as one JSON document on standard output.")
  boolean json;

  @Option(names = {"-v", "--verbose"}, description = "Print the stack trace of a failure.")
  boolean verbose;
}
