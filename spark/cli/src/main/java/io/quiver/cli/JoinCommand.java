package io.quiver.cli;

import io.quiver.BuildParams;
import io.quiver.Metric;
import io.quiver.SearchParams;
import io.quiver.spark.KnnJoinOptions;
import io.quiver.spark.QuiverSpark;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "join", mixinStandardHelpOptions = true,
    description = {
        "Joins a Parquet file of query vectors with their k nearest corpus rows, through Spark.",
        "Runs the fused k-nearest join (one stage, no shuffle) on a local Spark unless --master "
            + "names another, and writes the result as Parquet: the query columns, the projected corpus"
            + " columns, distance and rank. The corpus index is built first (with a progress bar) into "
            + "--index, or reused from there when it is fresh."})
final class JoinCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "QUERIES", description = "Parquet file or directory of queries.")
  Path queries;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "CORPUS",
      description = "Parquet files or directories of the corpus.")
  List<Path> corpus;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR",
      description = "Directory to write the joined rows to, as Parquet.")
  Path output;

  @Option(names = "--overwrite", description = "Replace the output directory if it exists.")
  boolean overwrite;

  @Option(names = {"-i", "--index"}, paramLabel = "DIR",
      description = "Where the corpus index is (or is built); default: OUTPUT.index.")
  Path index;

  @Option(names = {"-c", "--column"}, defaultValue = "embedding", paramLabel = "NAME",
      description = "The corpus vector column (default: ${DEFAULT-VALUE}).")
  String column;

  @Option(names = "--query-column", paramLabel = "NAME",
      description = "The query vector column (default: the same name as --column).")
  String queryColumn;

  @Option(names = "-k", defaultValue = "10", description = "Neighbours per query (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--nprobes", defaultValue = "" + SearchParams.DEFAULT_NPROBES, description = "IVF partitions probed (default: ${DEFAULT-VALUE}).")
  int nprobes;

  @Option(names = "--refine", defaultValue = "" + SearchParams.DEFAULT_REFINE_FACTOR, paramLabel = "FACTOR",
      description = "Refine factor: k * FACTOR exact distances per query (default: ${DEFAULT-VALUE}).")
  int refine;

  @Option(names = "--columns", split = ",", paramLabel = "COL",
      description = "Corpus columns to write (default: all but the vector column).")
  List<String> columns;

  @Option(names = "--metric", defaultValue = "L2", description = "Distance of a new index: ${COMPLETION-CANDIDATES}.")
  Metric metric;

  @Option(names = "--nlist", defaultValue = "0", description = "IVF partitions of a new index; 0 picks one.")
  int nlist;

  @Option(names = {"-m", "--pq-m"}, defaultValue = "0", description = "PQ sub-quantizers of a new index; 0 picks one.")
  int pqM;

  @Option(names = "--master", defaultValue = "local[*]",
      description = "Spark master (default: ${DEFAULT-VALUE}, all cores of this machine).")
  String master;

  @Option(names = "--no-progress", description = "Draw no progress bars.")
  boolean noProgress;

  @Override
  public Integer call() {
    Inputs.requireExists(queries, "queries file");
    Inputs.requireExists(corpus);
    if (Files.exists(output) && !overwrite) {
      throw new CliFailure(ExitCodes.USAGE, "the output " + output + " exists -- remove it or pass --overwrite");
    }
    if (k < 1) throw new CliFailure(ExitCodes.USAGE, "-k must be at least 1, got " + k);
    Path indexDir = index != null ? index : output.resolveSibling(output.getFileName() + ".index");
    PrintWriter err = spec.commandLine().getErr();
    BuildParams params = BuildParams.builder().vectorColumn(column).metric(metric).nlist(nlist).pqM(pqM).build();

    IndexBuilds.Outcome build = IndexBuilds.ensure(corpus, indexDir, params, !noProgress, err);

    SparkSession spark = LocalSpark.session(master);
    long start = System.nanoTime();
    Dataset<Row> left = spark.read().parquet(queries.toString());
    KnnJoinOptions options = KnnJoinOptions.defaults().nprobes(nprobes).refineFactor(refine)
        .buildParams(params).indexLocation(indexDir.toAbsolutePath().toString());
    if (columns != null) options.columns(columns);
    List<String> corpusPaths = new ArrayList<>();
    for (Path p : corpus) corpusPaths.add(p.toAbsolutePath().toString());
    Dataset<Row> joined = QuiverSpark.kNearestJoin(left, queryColumn != null ? queryColumn : column,
        corpusPaths, column, k, options);
    joined.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(output.toString());
    double joinSeconds = (System.nanoTime() - start) / 1e9;

    Dataset<Row> written = spark.read().parquet(output.toString());
    long rows = written.count();
    long queryRows = left.count();
    PrintWriter out = spec.commandLine().getOut();
    if (common.json) {
      Json.print(out, Json.object(
          "output", output.toAbsolutePath().toString(), "index", indexDir.toAbsolutePath().toString(),
          "queries", queryRows, "rows", rows, "k", k, "nprobes", nprobes, "refine", refine,
          "index_built", build.built(), "build_seconds", build.seconds(),
          "join_seconds", joinSeconds, "columns", List.of(written.columns())));
    } else {
      if (build.built()) {
        out.printf("Built the index of %s rows at %s in %s%n", Units.count(build.info().rowsIndexed()),
            indexDir, Units.seconds(build.seconds()));
      }
      out.printf("Joined %s queries with their %d nearest rows in %s (nprobes %d, refine %d)%n",
          Units.count(queryRows), k, Units.seconds(joinSeconds), nprobes, refine);
      out.printf("Wrote %s rows to %s%n", Units.count(rows), output);
      out.printf("Columns: %s%n", String.join(", ", written.columns()));
      out.flush();
    }
    return ExitCodes.OK;
  }
}
