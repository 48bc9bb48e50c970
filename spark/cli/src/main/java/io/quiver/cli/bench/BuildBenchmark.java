package io.quiver.cli.bench;

import io.quiver.BuildParams;
import io.quiver.ProgressListener;
import io.quiver.QuiverIndex;
import io.quiver.RowKey;
import io.quiver.SearchParams;
import io.quiver.SearchResult;
import io.quiver.spark.internal.CorpusFiles;
import io.quiver.spark.internal.DistributedBuild;
import io.quiver.spark.internal.StandaloneCluster;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Builds measured against each other on one generated corpus: a build on the driver, the same
 * corpus built across the Spark workers (trained on the driver, encoded into segments by tasks,
 * committed), on {@code --master} and on a standalone cluster of one-core workers started here, an
 * append of new rows against a rebuild over all of them; with where the distributed build spent
 * its time, at the full corpus and at a tenth of it, and recall@k next to every build.
 */
@Command(name = "bench-build", mixinStandardHelpOptions = true,
    description = "Local vs distributed build, and append vs rebuild, on generated clustered vectors.")
public final class BuildBenchmark implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Option(names = "--rows", defaultValue = "10000000") long rows;
  @Option(names = "--append-rows", defaultValue = "1000000") long appendRows;
  @Option(names = "--files", defaultValue = "40", description = "Parquet files of the corpus") int files;
  @Option(names = "--dim", defaultValue = "128") int dim;
  @Option(names = "--clusters", defaultValue = "1024", description = "Generator clusters (the engine benchmark's default)")
  int clusters;
  @Option(names = "--seed", defaultValue = "2024") long seed;
  @Option(names = "--queries", defaultValue = "20", description = "Queries for recall (exact top k by brute force)")
  int queries;
  @Option(names = "--k", defaultValue = "10") int k;
  @Option(names = "--nprobes", defaultValue = "" + SearchParams.DEFAULT_NPROBES) int nprobes;
  @Option(names = "--refine-factor", defaultValue = "" + SearchParams.DEFAULT_REFINE_FACTOR) int refineFactor;
  @Option(names = "--threads", defaultValue = "2", description = "Build threads of the local build") int threads;
  @Option(names = "--master", defaultValue = "local[2]") String master;
  @Option(names = "--standalone-workers", defaultValue = "2",
      description = "Workers of one core in a standalone cluster started on this machine (separate JVMs) for a "
          + "second distributed build; 0 for none") int standaloneWorkers;
  @Option(names = "--work-dir", defaultValue = "target/build-benchmark") Path workDir;

  private final List<String> lines = new ArrayList<>();

  public static void main(String[] args) {
    System.exit(new picocli.CommandLine(new BuildBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(workDir);
    SparkSession spark = SparkSession.builder().master(master).appName("quiver-build-benchmark")
        .config("spark.ui.enabled", "false")
        .config("spark.serializer.extraDebugInfo", "false")
        .config("spark.local.dir", workDir.resolve("spark-local").toAbsolutePath().toString())
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      run(spark);
    } finally {
      spark.stop();
    }
    if (standaloneWorkers > 0) {
      try (StandaloneCluster cluster = StandaloneCluster.start(workDir.resolve("cluster").toAbsolutePath(),
          standaloneWorkers, "3g")) {
        SparkSession onCluster = cluster.session("quiver-build-benchmark", standaloneWorkers, "2g")
            .config("spark.local.dir", workDir.resolve("spark-local").toAbsolutePath().toString())
            .getOrCreate();
        onCluster.sparkContext().setLogLevel("WARN");
        try {
          runOnCluster(onCluster, cluster.masterUrl());
        } finally {
          onCluster.stop();
        }
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    lines.forEach(out::println);
    Files.write(workDir.resolve("build-report.md"), lines);
    out.println("wrote " + workDir.resolve("build-report.md"));
    out.flush();
    return 0;
  }

  private void run(SparkSession spark) throws Exception {
    BenchCorpus corpus = new BenchCorpus(rows, dim, clusters, 0, 0, seed);
    BenchCorpus grown = new BenchCorpus(rows + appendRows, dim, clusters, 0, 0, seed);
    Path data = workDir.resolve("corpus-" + rows + "x" + dim).toAbsolutePath();
    Path extra = workDir.resolve("extra-" + rows + "-" + appendRows).toAbsolutePath();
    if (!Files.exists(data.resolve("_SUCCESS"))) {
      corpus.generate(spark, files).write().mode("overwrite").parquet(data.toString());
    }
    if (!Files.exists(extra.resolve("_SUCCESS"))) {
      grown.generate(spark, rows, rows + appendRows, Math.max(1, (int) (files * appendRows / rows)))
          .write().mode("overwrite").parquet(extra.toString());
    }
    List<String> corpusFiles = parquetFiles(data);
    List<String> extraFiles = parquetFiles(extra);
    BuildParams params = BuildParams.builder().threads(threads).build();
    SearchParams search = SearchParams.builder().nprobes(nprobes).refineFactor(refineFactor).build();
    long[][] truth = corpus.groundTruth(queries, k, threads, id -> true,
        workDir.resolve("truth-" + rows + "x" + dim + "-" + clusters + "-" + seed + "-" + queries + "x" + k + ".bin"));
    long[][] grownTruth = grown.groundTruth(queries, k, threads, id -> true, workDir.resolve("truth-"
        + (rows + appendRows) + "x" + dim + "-" + clusters + "-" + seed + "-" + queries + "x" + k + ".bin"));

    line("# Builds: %,d x %d (%d files, %d clusters, seed %d), master %s, %d cores", rows, dim, corpusFiles.size(),
        clusters, seed, master, Runtime.getRuntime().availableProcessors());
    line("Search for recall: k %d, nprobes %d, refine factor %d, %d queries, exact top k by brute force.", k, nprobes,
        refineFactor, queries);
    line("");
    line("| build | wall (s) | driver JVM CPU (s) | recall@%d |", k);
    line("|---|---:|---:|---:|");

    Path local = fresh("index-local");
    Measured m = measure(() -> QuiverIndex.build(corpusFiles, local, params, ProgressListener.none(), null));
    line("| on the driver, %d threads | %.1f | %.1f | %.4f |", threads, m.wall, m.cpu, recall(local, search, corpus, truth));

    Path distributed = fresh("index-distributed");
    DistributedBuild.Timings[] t = new DistributedBuild.Timings[1];
    Measured d = measure(() -> t[0] = DistributedBuild.run(spark, CorpusFiles.ofPaths(spark, corpusFiles), params,
        distributed, "file:" + distributed + ".parts", spark.sparkContext().defaultParallelism()));
    line("| across the workers (%s, %d groups) | %.1f | %.1f | %.4f |", master, t[0].groups(), d.wall, d.cpu,
        recall(distributed, search, corpus, truth));

    // Driver time against rows: the same build over a tenth of the files.
    List<String> tenth = corpusFiles.subList(0, Math.max(1, corpusFiles.size() / 10));
    Path small = fresh("index-distributed-tenth");
    DistributedBuild.Timings s = DistributedBuild.run(spark, CorpusFiles.ofPaths(spark, tenth), params, small,
        "file:" + small + ".parts", spark.sparkContext().defaultParallelism());
    line("");
    line("Where the distributed build spent its time (s): the driver counts, samples (Spark jobs), trains and commits");
    line("(fetches remote segments, reads every byte of them, writes the manifest); the tasks encode.");
    line("");
    line("| rows | sample rows | count + sample | train | encode (tasks) | commit (driver) |");
    line("|---:|---:|---:|---:|---:|---:|");
    for (DistributedBuild.Timings x : List.of(s, t[0])) {
      line("| %,d | %,d | %.1f | %.1f | %.1f | %.1f |", x.rows(), x.sampleRows(), x.countAndSample(), x.train(),
          x.encode(), x.commit());
    }

    // Append against rebuild.
    Path appended = fresh("index-appended");
    copyTree(local, appended);
    Measured a = measure(() -> QuiverIndex.append(extraFiles, appended, params, ProgressListener.none(), null));
    List<String> all = new ArrayList<>(corpusFiles);
    all.addAll(extraFiles);
    Path rebuilt = fresh("index-rebuilt");
    Measured r = measure(() -> QuiverIndex.build(all, rebuilt, params, ProgressListener.none(), null));
    line("");
    line("| %,d new rows | wall (s) | recall@%d over all %,d rows |", appendRows, k, rows + appendRows);
    line("|---|---:|---:|");
    line("| append to the local index (a segment) | %.1f | %.4f |", a.wall, recall(appended, search, grown, grownTruth));
    line("| rebuild over all files | %.1f | %.4f |", r.wall, recall(rebuilt, search, grown, grownTruth));
    try (QuiverIndex opened = QuiverIndex.open(appended)) {
      line("");
      line("Appended segment: %s; retrain advice: %s", opened.segments(), opened.retrainAdvice().orElse("none"));
    }

    int cores = spark.sparkContext().defaultParallelism();
    double perCore = t[0].rows() / (t[0].encode() * cores);
    double commitPerRow = t[0].commit() / t[0].rows();
    line("");
    line("Projection to 1,000,000,000 rows on 64 cores, from the full run: encoding at %,.0f rows/s per core"
            + " (the tasks' rows over their stage's wall time times %d cores) takes %.0f s; the commit at %.3f us"
            + " per row on the driver %.0f s; sampling and training depend on nlist and the sample size, not on"
            + " the rows past the sample (measured here: %.1f s and %.1f s at %,d sample rows).",
        perCore, cores, 1e9 / (perCore * 64), commitPerRow * 1e6, commitPerRow * 1e9, t[0].countAndSample(),
        t[0].train(), t[0].sampleRows());
  }

  /** The distributed build again, on the standalone cluster: executors in JVMs of their own. */
  private void runOnCluster(SparkSession spark, String url) throws Exception {
    BenchCorpus corpus = new BenchCorpus(rows, dim, clusters, 0, 0, seed);
    Path data = workDir.resolve("corpus-" + rows + "x" + dim).toAbsolutePath();
    List<String> corpusFiles = parquetFiles(data);
    BuildParams params = BuildParams.builder().threads(threads).build();
    SearchParams search = SearchParams.builder().nprobes(nprobes).refineFactor(refineFactor).build();
    long[][] truth = corpus.groundTruth(queries, k, threads, id -> true,
        workDir.resolve("truth-" + rows + "x" + dim + "-" + clusters + "-" + seed + "-" + queries + "x" + k + ".bin"));
    Path index = fresh("index-standalone");
    DistributedBuild.Timings[] t = new DistributedBuild.Timings[1];
    Measured d = measure(() -> t[0] = DistributedBuild.run(spark, CorpusFiles.ofPaths(spark, corpusFiles), params,
        index, "file:" + index + ".parts", standaloneWorkers));
    line("");
    line("On a standalone cluster (%s): a Master and %d workers of one core, each a JVM of its own, on this"
        + " machine; driver CPU is the driver JVM's alone.", url, standaloneWorkers);
    line("");
    line("| build | wall (s) | driver JVM CPU (s) | recall@%d | count + sample | train | encode (tasks) | commit |", k);
    line("|---|---:|---:|---:|---:|---:|---:|---:|");
    line("| across %d executors (%d groups) | %.1f | %.1f | %.4f | %.1f | %.1f | %.1f | %.1f |", standaloneWorkers,
        t[0].groups(), d.wall, d.cpu, recall(index, search, corpus, truth), t[0].countAndSample(), t[0].train(),
        t[0].encode(), t[0].commit());
  }

  private record Measured(double wall, double cpu) {}

  private interface Work {
    void run() throws Exception;
  }

  private static Measured measure(Work work) throws Exception {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu = os.getProcessCpuTime();
    long start = System.nanoTime();
    work.run();
    return new Measured((System.nanoTime() - start) / 1e9, (os.getProcessCpuTime() - cpu) / 1e9);
  }

  /** recall@k of the index against the exact top k ({@code truth}: ids), ids read back with a fetch. */
  private double recall(Path index, SearchParams search, BenchCorpus corpus, long[][] truth) throws Exception {
    long hits = 0;
    try (QuiverIndex opened = QuiverIndex.open(index); RootAllocator allocator = new RootAllocator()) {
      for (int j = 0; j < queries; j++) {
        List<SearchResult> found = opened.search(corpus.vectors().query(j), k, search);
        List<RowKey> keys = found.stream().map(SearchResult::key).toList();
        Set<Long> ids = new HashSet<>();
        try (ArrowReader reader = opened.fetchRows(keys, List.of("id"), allocator)) {
          while (reader.loadNextBatch()) {
            BigIntVector v = (BigIntVector) reader.getVectorSchemaRoot().getVector("id");
            for (int i = 0; i < v.getValueCount(); i++) ids.add(v.get(i));
          }
        }
        for (long id : truth[j]) hits += ids.contains(id) ? 1 : 0;
      }
    }
    return (double) hits / ((long) queries * k);
  }

  private Path fresh(String name) throws Exception {
    Path p = workDir.resolve(name).toAbsolutePath();
    deleteTree(p);
    return p;
  }

  private static List<String> parquetFiles(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".parquet")).map(Path::toString).sorted().toList();
    }
  }

  private static void copyTree(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : s.toList()) Files.copy(p, to.resolve(p.getFileName()));
    }
  }

  private static void deleteTree(Path p) throws Exception {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(x);
    }
  }

  private void line(String format, Object... args) {
    lines.add(String.format(Locale.ROOT, format, args));
  }
}
