package io.quiver.cli;

import io.quiver.BuildParams;
import io.quiver.IndexInfo;
import io.quiver.Metric;
import io.quiver.ProgressListener;
import io.quiver.QuiverIndex;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "build", mixinStandardHelpOptions = true,
    description = {
        "Builds an index over Parquet files.",
        "The files are read in place, never copied. A directory stands for the *.parquet files "
            + "under it. The build is atomic: a failed or interrupted build leaves no index behind and "
            + "an existing index untouched."})
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

  @Override
  public Integer call() {
    Inputs.requireExists(inputs);
    BuildParams params = BuildParams.builder().vectorColumn(column).metric(metric).nlist(nlist)
        .pqM(pqM).trainSample(sample).seed(seed).threads(threads).build();
    long start = System.nanoTime();
    QuiverIndex.build(inputs, index, params,
        noProgress ? ProgressListener.none() : ProgressListener.console());
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
}
