package io.quiver.cli;

import io.quiver.QuiverIndex;
import io.quiver.cli.bench.JoinBenchmark;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** The quiver command: build, inspect and query Quiver indexes over Parquet files. */
@Command(
    name = "quiver",
    mixinStandardHelpOptions = true,
    versionProvider = QuiverCommand.Version.class,
    description = "An IVF-PQ vector index over Parquet files, searched in place.",
    subcommands = {
        BuildCommand.class, SegmentsCommand.Append.class, SegmentsCommand.Remove.class,
        SegmentsCommand.Compact.class, SegmentsCommand.Retrain.class, InfoCommand.class, VerifyCommand.class, SearchCommand.class,
        JoinCommand.class, DemoCommand.class,
        CommandLine.HelpCommand.class},
    footerHeading = "%nExit codes:%n",
    footer = {
        "  0    success (verify: the index is fresh and intact)",
        "  1    unexpected failure; rerun with --verbose",
        "  2    bad command line",
        "  3    a file, directory, index or column was not found",
        "  4    unusable input: non-float vector column, wrong query dimension, bad value",
        "  5    stale index: a source file changed since the build",
        "  6    corrupt index",
        "  7    I/O error",
        "  130  interrupted"})
public final class QuiverCommand {

  /** The command line as the launcher runs it; tests call {@link #commandLine()} instead. */
  public static void main(String[] args) {
    // Spark's own logging says far more than a command line user needs.
    if (System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "io/quiver/cli/log4j2.properties");
    }
    int code = commandLine().execute(args);
    System.exit(code);
  }

  /** The configured picocli command line, with the exit codes of {@link ExitCodes}. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new QuiverCommand());
    // The benchmark (io.quiver.cli.bench) writes a markdown report and a chart.
    CommandLine bench = new CommandLine(new JoinBenchmark());
    bench.getCommandSpec().name("bench");
    cl.addSubcommand("bench", bench);
    cl.addSubcommand("bench-build", new CommandLine(new io.quiver.cli.bench.BuildBenchmark()));
    return cl.setExecutionExceptionHandler(new Failures()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String jar = QuiverCommand.class.getPackage().getImplementationVersion();
      String nativeVersion;
      try {
        nativeVersion = QuiverIndex.nativeVersion();
      } catch (RuntimeException | LinkageError e) {
        nativeVersion = "unavailable (" + e.getMessage() + ")";
      }
      return new String[] {
          "quiver " + (jar == null ? "(development build)" : jar),
          "native library " + nativeVersion,
          "Java " + Runtime.version() + " (" + System.getProperty("java.home") + ")"};
    }
  }
}
