package io.quiver.cli;

import io.quiver.BuildParams;
import io.quiver.IndexInfo;
import io.quiver.ProgressListener;
import io.quiver.QuiverIndex;
import io.quiver.SearchHits;
import io.quiver.SearchParams;
import io.quiver.RowKey;
import io.quiver.spark.CorpusIndex;
import io.quiver.spark.KnnJoinOptions;
import io.quiver.spark.QuiverSession;
import io.quiver.spark.QuiverSpark;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
        "Runs Quiver end to end on a generated sample corpus, on a local Spark.",
        "Generates a catalogue of clustered vectors with payload columns (written by Spark), "
            + "builds the index, runs a batch k-nearest join of the queries and a few single queries on"
            + " the driver, computes the exact neighbours, and reports recall@10, build time, join time"
            + " and single-query latency, with a PNG chart of recall against throughput over nprobes. "
            + "The corpus is kept in --dir and reused by the next run; the index is rebuilt."})
final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Option(names = "--rows", defaultValue = "200000", description = "Corpus rows (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(names = "--dim", defaultValue = "128", description = "Vector dimension (default: ${DEFAULT-VALUE}).")
  int dim;

  @Option(names = "--queries", defaultValue = "1000", description = "Queries of the batch join (default: ${DEFAULT-VALUE}).")
  int queries;

  @Option(names = "--single", defaultValue = "20", description = "Single driver-side queries timed (default: ${DEFAULT-VALUE}).")
  int single;

  @Option(names = "-k", defaultValue = "10", description = "Neighbours per query (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--nprobes", defaultValue = "" + SearchParams.DEFAULT_NPROBES, description = "nprobes of the join and the single queries (default: ${DEFAULT-VALUE}).")
  int nprobes;

  @Option(names = "--refine", defaultValue = "" + SearchParams.DEFAULT_REFINE_FACTOR, paramLabel = "FACTOR", description = "Refine factor (default: ${DEFAULT-VALUE}).")
  int refine;

  @Option(names = "--sweep", split = ",", defaultValue = "1,2,4,8,16,32,64", paramLabel = "N",
      description = "nprobes values of the recall/throughput chart (default: ${DEFAULT-VALUE}).")
  List<Integer> sweep;

  @Option(names = "--files", defaultValue = "4", description = "Parquet files of the corpus (default: ${DEFAULT-VALUE}).")
  int files;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the generated data (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--dir", defaultValue = ".demo", paramLabel = "DIR",
      description = "Where the corpus, index, join output and chart go (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--master", defaultValue = "local[*]", description = "Spark master (default: ${DEFAULT-VALUE}).")
  String master;

  private PrintWriter log;

  private void step(int n, String what) {
    log.printf("%n[%d/6] %s%n", n, what);
    log.flush();
  }

  private void say(String format, Object... args) {
    log.printf("      " + format + "%n", args);
    log.flush();
  }

  @Override
  public Integer call() throws Exception {
    if (rows < 1000 || queries < 1 || k < 1 || dim < 1) {
      throw new CliFailure(ExitCodes.USAGE, "--rows must be at least 1000 and --queries, -k, --dim at least 1");
    }
    // With --json the story goes to standard error and only the document to standard output.
    log = common.json ? spec.commandLine().getErr() : spec.commandLine().getOut();
    Files.createDirectories(dir);
    Path corpusDir = dir.resolve("corpus");
    Path queriesDir = dir.resolve("queries");
    Path indexDir = dir.resolve("index");
    Path joinDir = dir.resolve("join-output");
    Path chart = dir.resolve("recall-vs-throughput.png");
    int cores = Runtime.getRuntime().availableProcessors();

    log.printf("Quiver demo: %s x %d-d vectors, %d queries, k=%d, on Spark %s (%d cores), in %s%n",
        Units.count(rows), dim, queries, k, master, cores, dir.toAbsolutePath());
    SparkSession spark = LocalSpark.session(master);
    DemoCorpus corpus = new DemoCorpus(rows, dim, seed);

    step(1, "Sample corpus: a product catalogue (id, title, category, price, embedding) written by Spark");
    long t = System.nanoTime();
    boolean wrote = corpus.writeIfMissing(spark, corpusDir, files);
    corpus.writeQueries(spark, queriesDir, queries);
    say("%s %s in %d Parquet files (%s)", wrote ? "wrote" : "reusing", corpusDir, files,
        Units.bytes(treeSize(corpusDir)));
    double generateSeconds = seconds(t);

    step(2, "Index build (IVF-PQ over the Parquet files in place)");
    deleteTree(indexDir);
    BuildParams params = BuildParams.builder().vectorColumn("embedding").build();
    t = System.nanoTime();
    QuiverIndex.build(List.of(corpusDir), indexDir, params, ProgressListener.console());
    double buildSeconds = seconds(t);
    IndexInfo info;
    try (QuiverIndex index = QuiverIndex.open(indexDir)) {
      info = index.info();
    }
    say("built in %s: %s rows, nlist %d, m %d, %s on disk (the corpus is %s)",
        Units.seconds(buildSeconds), Units.count(info.rowsIndexed()), info.nlist(), info.pqM(),
        Units.bytes(info.indexBytes()), Units.bytes(treeSize(corpusDir)));

    step(3, "Batch k-nearest join of " + queries + " queries in Spark (one fused stage, no shuffle)");
    KnnJoinOptions options = KnnJoinOptions.defaults().nprobes(nprobes).refineFactor(refine)
        .buildParams(params).indexLocation(indexDir.toAbsolutePath().toString())
        .columns("id", "title", "category");
    Dataset<Row> left = spark.read().parquet(queriesDir.toString());
    List<String> corpusPaths = List.of(corpusDir.toAbsolutePath().toString());
    t = System.nanoTime();
    QuiverSpark.kNearestJoin(left, "embedding", corpusPaths, "embedding", k, options)
        .select("qid", "id", "rank").collectAsList();
    double firstJoinSeconds = seconds(t);
    t = System.nanoTime();
    List<Row> joined = QuiverSpark.kNearestJoin(left, "embedding", corpusPaths, "embedding", k, options)
        .select("qid", "id", "rank").collectAsList();
    double joinSeconds = seconds(t);
    QuiverSpark.kNearestJoin(left, "embedding", corpusPaths, "embedding", k, options)
        .write().mode("overwrite").parquet(joinDir.toString());
    say("%s rows; first join %s (opens the index, warms the JIT), second join %s",
        Units.count(joined.size()), Units.seconds(firstJoinSeconds), Units.seconds(joinSeconds));
    say("the joined rows with the corpus columns are in %s:", joinDir);
    Dataset<Row> shown = spark.read().parquet(joinDir.toString()).where("qid = 0").orderBy("rank")
        .select("qid", "rank", "distance", "id", "title", "category");
    log.print(shown.showString(3, 40, false));
    log.flush();

    step(4, "Single queries on the driver (no Spark job)");
    QuiverSession session = QuiverSession.of(spark);
    CorpusIndex opened = session.open(indexDir.toAbsolutePath().toString());
    SearchParams searchParams = SearchParams.builder().nprobes(nprobes).refineFactor(refine).build();
    float[] first = corpus.query(queries);
    t = System.nanoTime();
    Dataset<Row> top = session.searchToDF(opened, first, 5, searchParams, "id", "title", "category", "price");
    double coldMs = seconds(t) * 1e3;
    log.print(top.drop("path").showString(5, 40, false));
    for (int i = 1; i <= 3; i++) session.search(opened, corpus.query(queries + i), k, searchParams);
    double[] latencies = new double[single];
    for (int i = 0; i < single; i++) {
      float[] q = corpus.query(queries + 4 + i);
      long s = System.nanoTime();
      session.search(opened, q, k, searchParams);
      latencies[i] = (System.nanoTime() - s) / 1e6;
    }
    Arrays.sort(latencies);
    double medianMs = latencies[single / 2];
    double p95Ms = latencies[Math.min(single - 1, (int) Math.ceil(single * 0.95) - 1)];
    say("first query with its rows %s (reads the pages it needs); then %d queries: median %s, "
        + "p95 %s (k=%d, nprobes %d, refine %d)", Units.millis(coldMs), single,
        Units.millis(medianMs), Units.millis(p95Ms), k, nprobes, refine);

    step(5, "Exact ground truth by a full scan in Java");
    float[][] qs = corpus.queries(queries);
    t = System.nanoTime();
    long[][] truth;
    try (ProgressBar bar = bar("Exact scan", rows)) {
      truth = ExactNeighbours.of(corpus.vectors, rows, qs, k, cores, done -> bar.stepTo(done));
    }
    double exactSeconds = seconds(t);
    double joinRecall = recall(joined, truth);
    say("%s query x row distances in %s; recall@%d of the join: %s", Units.count(rows * queries),
        Units.seconds(exactSeconds), k, Units.fixed(joinRecall, 4));

    step(6, "Recall against throughput over nprobes (batch search through the Java handle)");
    List<RecallChart.Point> points = new ArrayList<>();
    Table sweepTable = new Table(List.of("nprobes", "recall@" + k, "queries/s", "batch time"));
    try (QuiverIndex index = QuiverIndex.open(indexDir)) {
      float[] flat = flatten(qs);
      index.searchBatch(FloatBuffer.wrap(flat), queries, k, SearchParams.builder().nprobes(1).refineFactor(refine).build());
      for (int n : sweep) {
        SearchParams p = SearchParams.builder().nprobes(n).refineFactor(refine).build();
        long s = System.nanoTime();
        SearchHits hits = index.searchBatch(FloatBuffer.wrap(flat), queries, k, p);
        double secs = seconds(s);
        double r = recall(hits, truth, index);
        points.add(new RecallChart.Point(n, queries / secs, r));
        sweepTable.add(List.of(n, Units.fixed(r, 4), Units.count((long) (queries / secs)), Units.seconds(secs)));
      }
    }
    sweepTable.print(log);
    RecallChart.write(chart, String.format("Quiver: %s x %d-d, %d queries, k=%d, refine %d, %d cores",
        Units.count(rows), dim, queries, k, refine, cores), "IVF-PQ + exact refinement", points);

    PrintWriter out = spec.commandLine().getOut();
    if (common.json) {
      List<Object> sweepJson = new ArrayList<>();
      for (RecallChart.Point p : points) {
        sweepJson.add(Json.object("nprobes", p.nprobes(), "recall", p.recall(), "queries_per_second", p.queriesPerSecond()));
      }
      Json.print(out, Json.object(
          "rows", rows, "dim", dim, "queries", queries, "k", k, "nprobes", nprobes, "refine", refine,
          "cores", cores, "master", master, "corpus", corpusDir.toAbsolutePath().toString(),
          "index", indexDir.toAbsolutePath().toString(), "nlist", info.nlist(), "pq_m", info.pqM(),
          "index_bytes", info.indexBytes(), "generate_seconds", generateSeconds,
          "build_seconds", buildSeconds, "first_join_seconds", firstJoinSeconds,
          "join_seconds", joinSeconds, "join_recall", joinRecall,
          "first_query_ms", coldMs, "single_query_median_ms", medianMs, "single_query_p95_ms", p95Ms,
          "exact_seconds", exactSeconds, "sweep", sweepJson, "chart", chart.toAbsolutePath().toString()));
    } else {
      out.printf("%nSummary (%s x %d-d, %d cores)%n", Units.count(rows), dim, cores);
      String row = "  %-28s%s%n";
      out.printf(row, "recall@" + k + " of the join", Units.fixed(joinRecall, 4)
          + " (nprobes " + nprobes + ", refine " + refine + ")");
      out.printf(row, "index build", Units.seconds(buildSeconds));
      out.printf(row, "join of " + Units.count(queries) + " queries",
          Units.seconds(joinSeconds) + " (first run " + Units.seconds(firstJoinSeconds) + ")");
      out.printf(row, "single query on the driver", "median " + Units.millis(medianMs) + ", p95 "
          + Units.millis(p95Ms) + " (first " + Units.millis(coldMs) + ")");
      out.printf(row, "exact scan (reference)", Units.seconds(exactSeconds));
      out.printf(row, "chart", chart.toAbsolutePath());
      out.flush();
    }
    return ExitCodes.OK;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private ProgressBar bar(String name, long max) {
    return new ProgressBarBuilder().setTaskName(name).setInitialMax(max).setUnit(" rows", 1)
        .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
        .setUpdateIntervalMillis(200).showSpeed().build();
  }

  private static float[] flatten(float[][] q) {
    int dim = q[0].length;
    float[] flat = new float[q.length * dim];
    for (int i = 0; i < q.length; i++) System.arraycopy(q[i], 0, flat, i * dim, dim);
    return flat;
  }

  /** recall@k of the join's rows (qid, id, rank) against the exact ids. */
  private double recall(List<Row> joined, long[][] truth) {
    Map<Long, Set<Long>> found = new HashMap<>();
    for (Row r : joined) found.computeIfAbsent(r.getLong(0), q -> new HashSet<>()).add(r.getLong(1));
    long hit = 0;
    for (int j = 0; j < truth.length; j++) {
      Set<Long> f = found.getOrDefault((long) j, Set.of());
      for (long id : truth[j]) if (f.contains(id)) hit++;
    }
    return hit / (double) (truth.length * (long) k);
  }

  /**
   * recall@k of a batch search. Row keys become ids through the file layout: Spark wrote ids in
   * order, so the files' row counts in ordinal order give each file's first id.
   */
  private double recall(SearchHits hits, long[][] truth, QuiverIndex index) {
    List<io.quiver.FileInfo> fileInfos = index.info().files();
    long[] firstId = new long[fileInfos.size()];
    long next = 0;
    for (int f = 0; f < firstId.length; f++) {
      firstId[f] = next;
      next += fileInfos.get(f).rows();
    }
    long hit = 0;
    for (int j = 0; j < truth.length; j++) {
      Set<Long> want = new HashSet<>();
      for (long id : truth[j]) want.add(id);
      for (int i = 0; i < hits.count(j); i++) {
        long key = hits.key(j, i);
        if (want.contains(firstId[RowKey.file(key)] + RowKey.row(key))) hit++;
      }
    }
    return hit / (double) (truth.length * (long) k);
  }

  private static long treeSize(Path p) throws java.io.IOException {
    try (var s = Files.walk(p)) {
      return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  private static void deleteTree(Path p) throws java.io.IOException {
    if (!Files.exists(p)) return;
    try (var s = Files.walk(p)) {
      for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
    }
  }
}
