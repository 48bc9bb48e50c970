package io.quiver.cli;

import io.quiver.BuildParams;
import io.quiver.IndexInfo;
import io.quiver.Metric;
import io.quiver.ProgressListener;
import io.quiver.QuiverIndex;
import io.quiver.spark.CorpusIndex;
import io.quiver.spark.QuiverSession;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "build", mixinStandardHelpOptions = true,
    description = {
        "Builds an index over Parquet files or a Delta or Iceberg table.",
        "The files are read in place, never copied. A directory stands for the *.parquet files "
            + "under it; the root directory of a Delta table (it has a _delta_log) or an Iceberg "
            + "table (metadata/*.metadata.json) stands for the table's files at its latest version "
            + "(or --as-of), read through a local Spark session, and its deleted rows are never "
            + "returned. The build is atomic: a failed or interrupted build leaves no index behind "
            + "and an existing index untouched."})
final class BuildCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(arity = "1..*", paramLabel = "FILE_OR_DIR", description = "Parquet files or directories.")
  List<Path> inputs;

  @Option(names = {"-i", "--index"}, required = true, paramLabel = "DIR",
      description = "Directory to write the index to.")
  Path index;

  @Option(names = {"-c", "--column"}, defaultValue = "embedding", paramLabel = "NAME",
      description = "The vector column, a list of floats (default: ${DEFAULT-VALUE}).")
  String column;

  @Option(names = "--metric", defaultValue = "L2", paramLabel = "METRIC",
      description = "Distance: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Metric metric;

  @Option(names = "--nlist", defaultValue = "0",
      description = "IVF partitions; 0 picks about 4 * sqrt(rows).")
  int nlist;

  @Option(names = {"-m", "--pq-m"}, defaultValue = "0",
      description = "PQ sub-quantizers, a divisor of the dimension; 0 picks dim / 4 (at most 64).")
  int pqM;

  @Option(names = "--sample", defaultValue = "0", paramLabel = "ROWS",
      description = "Rows sampled for training; 0 picks max(32 * nlist, 100000), capped at the rows.")
  long sample;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed of the training.")
  long seed;

  @Option(names = "--threads", defaultValue = "0", description = "Build threads; 0 uses all cores.")
  int threads;

  @Option(names = "--no-progress", description = "Draw no progress bar.")
  boolean noProgress;

  @Option(names = "--as-of", paramLabel = "VERSION",
      description = "For a table: the Delta version or Iceberg snapshot id to index (default: the latest).")
  Long asOf;

  @Override
  public Integer call() {
    Inputs.requireExists(inputs);
    BuildParams params = BuildParams.builder().vectorColumn(column).metric(metric).nlist(nlist)
        .pqM(pqM).trainSample(sample).seed(seed).threads(threads).build();
    String table = inputs.size() == 1 ? Tables.formatOf(inputs.get(0)) : null;
    if (asOf != null && table == null) {
      throw new CliFailure(ExitCodes.USAGE, "--as-of picks a version of a Delta or Iceberg table; "
          + String.join(" ", inputs.stream().map(Path::toString).toList()) + " is not the directory of one");
    }
    long start = System.nanoTime();
    if (table != null) {
      buildTable(table, params);
    } else {
      QuiverIndex.build(inputs, index, params,
          noProgress ? ProgressListener.none() : ProgressListener.console());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    IndexInfo info;
    try (QuiverIndex built = QuiverIndex.open(index)) {
      info = built.info();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (common.json) {
      Json.print(out, Json.object(
          "index", index.toAbsolutePath().toString(),
          "seconds", seconds,
          "rows_per_second", info.rowsTotal() / Math.max(seconds, 1e-9),
          "info", InfoCommand.json(info, null)));
    } else {
      out.printf("Built %s in %s (%s rows/s)%n", index, Units.seconds(seconds),
          Units.count((long) (info.rowsTotal() / Math.max(seconds, 1e-9))));
      InfoCommand.printSummary(out, info);
      out.flush();
    }
    return ExitCodes.OK;
  }

  private void buildTable(String format, BuildParams params) {
    PrintWriter err = spec.commandLine().getErr();
    err.printf("Reading the %s table %s%s through a local Spark session%n", format, inputs.get(0),
        asOf == null ? "" : " at " + asOf);
    err.flush();
    SparkSession spark = LocalSpark.session("local[*]");
    CorpusIndex built = QuiverSession.of(spark).build(Tables.read(spark, format, inputs.get(0), asOf), params,
        index.toAbsolutePath().toString());
    err.printf("Indexed the %s%n", built.source());
    err.flush();
  }
}
