package io.quiver.cli.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import io.quiver.BuildParams;
import io.quiver.SearchParams;
import io.quiver.spark.KnnJoinOptions;
import io.quiver.spark.QuiverSession;
import io.quiver.spark.QuiverSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.ml.feature.BucketedRandomProjectionLSH;
import org.apache.spark.ml.feature.BucketedRandomProjectionLSHModel;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The k-nearest join in Spark, configuration against configuration, on generated data: exact
 * brute force (cross join and top k), Quiver's fused join (warm, projecting the row id or every
 * payload column), its one-time build, the temporary-copy path for a corpus that is not a Parquet
 * scan, and MLlib's BucketedRandomProjectionLSH. Reports wall time and recall@k against exact
 * ground truth as a markdown table and a PNG chart of recall against time.
 */
@Command(name = "join-benchmark", mixinStandardHelpOptions = true,
    description = "Benchmarks Quiver's k-nearest join in Spark against brute force and MLlib LSH.")
public final class JoinBenchmark implements Callable<Integer> {
  @Option(names = "--scale", split = ",", description = "ROWSxQUERIES, repeatable (default: ${DEFAULT-VALUE})",
      defaultValue = "100000x100")
  List<String> scales;

  @Option(names = "--dim", defaultValue = "128") int dim;
  @Option(names = "--k", defaultValue = "10") int k;
  @Option(names = "--nprobes", defaultValue = "" + SearchParams.DEFAULT_NPROBES) int nprobes;
  @Option(names = "--refine-factor", defaultValue = "" + SearchParams.DEFAULT_REFINE_FACTOR) int refineFactor;
  @Option(names = "--payload-columns", defaultValue = "16") int payloadColumns;
  @Option(names = "--payload-bytes", defaultValue = "64") int payloadBytes;
  @Option(names = "--seed", defaultValue = "2024", description = "Generator seed (the engine benchmark's default)")
  long seed;
  @Option(names = "--clusters", defaultValue = "1024", description = "Generator clusters (the engine benchmark's default)")
  int clusters;
  @Option(names = "--master", defaultValue = "local[2]") String master;
  @Option(names = "--work-dir", defaultValue = "target/join-benchmark",
      description = "Corpora (kept between runs) and indexes") Path workDir;
  @Option(names = "--out", defaultValue = "target/join-benchmark/report",
      description = "Directory for report.md and recall-vs-time.png") Path outDir;
  @Option(names = "--repeat", defaultValue = "3", description = "Timed runs of each warm join (median reported)")
  int repeat;
  @Option(names = "--brute-force-max-pairs", defaultValue = "20000000",
      description = "Above this many query x corpus pairs, brute force runs on a subset of the queries"
          + " and its time is extrapolated (marked as such)") long bruteForceMaxPairs;
  @Option(names = "--lsh-max-rows", defaultValue = "100000",
      description = "MLlib LSH runs only at scales up to this many rows") long lshMaxRows;
  @Option(names = "--lsh-tables", defaultValue = "5") int lshTables;
  @Option(names = "--json", description = "Print the results as one JSON document instead of the markdown report")
  boolean json;
  @Option(names = "--stores", split = ",", defaultValue = "local",
      description = "Where the fused joins read the corpus, of: local, s3 (an S3-compatible server,"
          + " s3proxy, through Hadoop's S3A), s3+<N>ms (the same with N ms added to every request)."
          + " Default: ${DEFAULT-VALUE}") List<String> stores;
  @Option(names = "--s3proxy-jar", defaultValue = "spark/cli/target/s3proxy/s3proxy.jar",
      description = "s3proxy's self-contained jar (the build puts it here)") Path s3proxyJar;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Option(names = "--verbose", description = "Log the join's phases (index lookup, sizing, search, fetch)")
  boolean verbose;
  @Option(names = "--configs", split = ",", defaultValue = "brute,build,join,join-all,copy,lsh",
      description = "Configurations to run, of: ${DEFAULT-VALUE}, and delta (the same Parquet files as a"
          + " Delta table with every tenth row deleted)") Set<String> configs;

  private final List<BenchReport.Result> results = new ArrayList<>();
  private final Map<String, Double> localSeconds = new HashMap<>();
  private RemoteStores remote;

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(new CommandLine(new JoinBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(workDir);
    Files.createDirectories(outDir);
    SparkSession spark = SparkSession.builder()
        .master(master)
        .appName("quiver-join-benchmark")
        .config("spark.ui.enabled", "false")
        // Spark's serialization debugger uses a JDK class that JDK 25 no longer has.
        .config("spark.serializer.extraDebugInfo", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.local.dir", workDir.resolve("spark-local").toAbsolutePath().toString())
        // Delta's SQL for the delta configuration (CONVERT TO DELTA, DELETE).
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    if (verbose) {
      org.apache.logging.log4j.core.config.Configurator.setLevel("io.quiver", org.apache.logging.log4j.Level.DEBUG);
    }
    try {
      for (String s : scales) {
        String[] parts = s.toLowerCase(Locale.ROOT).split("x");
        runScale(spark, Long.parseLong(parts[0]), Integer.parseInt(parts[1]));
      }
    } finally {
      spark.stop();
      if (remote != null) remote.close();
    }
    Path md = outDir.resolve("report.md");
    Path png = outDir.resolve("recall-vs-time.png");
    BenchReport.write(results, describe(), md, png);
    java.io.PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(BenchReport.json(results, describe(), md, png));
    } else {
      out.println(Files.readString(md));
      out.println("wrote " + md + " and " + png);
    }
    out.flush();
    return 0;
  }

  private String describe() {
    return String.format(Locale.ROOT,
        "%d-d vectors from the engine benchmark's generator (%d clusters, 16-d subspace each + noise, seed %d),"
            + " %d payload string columns of %d bytes,"
            + " k=%d, nprobes=%d, refine_factor=%d, Spark %s, master %s, %d cores.",
        dim, clusters, seed, payloadColumns, payloadBytes, k, nprobes, refineFactor, org.apache.spark.package$.MODULE$.SPARK_VERSION(),
        master, Runtime.getRuntime().availableProcessors());
  }

  private void runScale(SparkSession spark, long rows, int queries) throws Exception {
    String scale = rows + " x " + dim + ", " + queries + " queries";
    log("== " + scale);
    BenchCorpus corpus = new BenchCorpus(rows, dim, clusters, payloadColumns, payloadBytes, seed);
    Path corpusDir = workDir.resolve("corpus-" + rows + "x" + dim + "-c" + clusters + "-p" + payloadColumns + "x"
        + payloadBytes + "-s" + seed);
    int files = (int) Math.max(4, rows / 100_000);
    long t0 = System.nanoTime();
    Dataset<Row> parquet = corpus.writeParquet(spark, corpusDir, files);
    log("corpus ready in " + secs(t0) + " s: " + corpusDir);
    Dataset<Row> left = corpus.queries(spark, queries).cache();
    left.count();

    t0 = System.nanoTime();
    long[][] truth = corpus.groundTruth(queries, k, Runtime.getRuntime().availableProcessors(), id -> true,
        workDir.resolve(corpusDir.getFileName() + "-truth-q" + queries + "-k" + k + ".bin"));
    log("ground truth in " + secs(t0) + " s");

    if (configs.contains("brute")) {
      runBruteForce(spark, scale, rows, queries, left, parquet, truth);
    }
    if (configs.contains("build") || configs.contains("join") || configs.contains("join-all") || configs.contains("copy")
        || configs.contains("delta")) {
      runQuiver(spark, scale, queries, corpus, corpusDir, left, parquet, truth);
    }
    if (configs.contains("lsh") && rows <= lshMaxRows) {
      double[] lsh = timed(() -> recall(lshJoin(parquet, left, corpus.vectors(), truth).collectAsList(), truth, queries));
      add(scale, "MLlib BucketedRandomProjectionLSH", lsh[0], lsh[1],
          lshTables + " hash tables, threshold from ground truth");
    }
    left.unpersist();
  }

  private void runBruteForce(SparkSession spark, String scale, long rows, int queries, Dataset<Row> left,
      Dataset<Row> parquet, long[][] truth) throws Exception {
    long pairs = rows * queries;
    int bfQueries = pairs <= bruteForceMaxPairs ? queries : (int) Math.max(1, bruteForceMaxPairs / rows);
    Dataset<Row> bfLeft = bfQueries == queries ? left : left.where(col("qid").lt(bfQueries));
    double[] bf = timed(() -> recall(bruteForce(spark, bfLeft, parquet).collectAsList(), truth, bfQueries));
    double bfSeconds = bf[0] * queries / bfQueries;
    String bfNote = bfQueries == queries ? "cross join + top-k"
        : String.format(Locale.ROOT, "extrapolated from %d queries (%.1f s)", bfQueries, bf[0]);
    add(scale, "brute force (Spark cross join)", bfSeconds, bf[1], bfNote);
  }

  private void runQuiver(SparkSession spark, String scale, int queries, BenchCorpus corpus, Path corpusDir, Dataset<Row> left,
      Dataset<Row> parquet, long[][] truth) throws Exception {
    BuildParams build = BuildParams.builder().vectorColumn("embedding").build();
    QuiverSession qs = QuiverSession.of(spark);
    if (configs.contains("build")) {
      double[] b = timed(() -> {
        qs.build(parquet, build);
        return Double.NaN;
      });
      add(scale, "Quiver one-time index build", b[0], Double.NaN, "nlist and PQ chosen from the data");
    }

    KnnJoinOptions idOnly = options(build).columns("id");
    KnnJoinOptions allColumns = options(build).columns(withId(corpus.payloadNames()));
    for (String store : stores) {
      RemoteStores.Store at = null;
      if (!store.equals("local")) {
        if (remote == null) remote = new RemoteStores(s3proxyJar, workDir.resolve("s3"));
        at = remote.store(spark, store);
      }
      Dataset<Row> source = at == null ? parquet : spark.read().parquet(at.upload(spark, corpusDir));
      String where = at == null ? "" : " [" + at.describe() + "]";
      if (configs.contains("join") || configs.contains("join-all")) {
        double[] first = timed(() -> joinOnce(left, source, idOnly, truth, queries)); // builds or opens
        if (at != null) {
          add(scale, "Quiver first join: index build + join" + where, first[0], first[1], "build reads the corpus through S3");
        }
      }
      if (configs.contains("join")) {
        timedJoin(scale, "Quiver fused join, warm, row id", where, at, left, source, idOnly, truth, queries);
      }
      if (configs.contains("join-all")) {
        timedJoin(scale, "Quiver fused join, warm, " + payloadColumns + " payload columns", where, at, left, source,
            allColumns, truth, queries);
      }
    }
    if (configs.contains("delta")) {
      runDeltaTable(spark, scale, queries, corpus, corpusDir, left, parquet, truth, idOnly);
    }
    if (configs.contains("copy")) {
      // A corpus that is not a plain Parquet scan goes through a temporary copy: copy + build + join.
      Dataset<Row> filtered = parquet.where(col("id").geq(0));
      double[] copy = timed(() -> joinOnce(left, filtered, idOnly, truth, queries));
      add(scale, "Quiver, non-Parquet corpus (temporary copy + build + join)", copy[0], copy[1], "cold");
    }
    qs.dropTemporaryIndexes();
  }

  /**
   * The corpus's own Parquet files (hard links) converted into a Delta table with deletion
   * vectors, every tenth row deleted: the warm join over the table against the same join over
   * the plain files, measured in turn, with recall against the truth over the live rows.
   */
  private void runDeltaTable(SparkSession spark, String scale, int queries, BenchCorpus corpus, Path corpusDir,
      Dataset<Row> left, Dataset<Row> parquet, long[][] truth, KnnJoinOptions options) throws Exception {
    Path table = workDir.resolve(corpusDir.getFileName() + "-delta").toAbsolutePath();
    if (Files.exists(table)) {
      try (var old = Files.walk(table)) {
        for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
      }
    }
    Files.createDirectories(table);
    try (var files = Files.list(corpusDir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".parquet")).toList()) {
        Files.createLink(table.resolve(f.getFileName()), f);
      }
    }
    spark.sql("CONVERT TO DELTA parquet.`" + table + "`");
    spark.sql("ALTER TABLE delta.`" + table + "` SET TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')");
    spark.sql("DELETE FROM delta.`" + table + "` WHERE id % 10 = 0");
    Dataset<Row> delta = spark.read().format("delta").load(table.toString());
    long[][] live = corpus.groundTruth(queries, k, Runtime.getRuntime().availableProcessors(), id -> id % 10 != 0,
        workDir.resolve(corpusDir.getFileName() + "-truth-q" + queries + "-k" + k + "-without-every-tenth.bin"));
    joinOnce(left, parquet, options, truth, queries);
    double[] first = timed(() -> joinOnce(left, delta, options, live, queries));
    add(scale, "Quiver first join over the Delta table (10% deleted): index build + join", first[0], first[1],
        "the table's files, its deletion vectors the row filter");
    double[] plain = median(() -> joinOnce(left, parquet, options, truth, queries));
    double[] onTable = median(() -> joinOnce(left, delta, options, live, queries));
    long served = QuiverSpark.kNearestJoin(left, "q", delta, "embedding", k, options).where("id % 10 = 0").count();
    add(scale, "Quiver fused join, warm, row id, same files as Parquet", plain[0], plain[1], "plain files, every row");
    add(scale, "Quiver fused join, warm, row id, Delta table (10% deleted)", onTable[0], onTable[1],
        String.format(Locale.ROOT, "%.2fx the plain files; recall over the live rows; %d deleted rows served",
            onTable[0] / plain[0], served));
  }

  /** The median warm join; for a remote store, what crossed the wire and the ratio to local. */
  private void timedJoin(String scale, String config, String where, RemoteStores.Store at, Dataset<Row> left,
      Dataset<Row> corpus, KnnJoinOptions options, long[][] truth, int queries) throws Exception {
    joinOnce(left, corpus, options, truth, queries); // warms what this projection reads
    long[] before = at == null ? null : at.counters();
    double[] warm = median(() -> joinOnce(left, corpus, options, truth, queries));
    String note = "index built";
    if (at == null) {
      localSeconds.put(scale + config, warm[0]);
    } else {
      long[] after = at.counters();
      double perQuery = (double) repeat * queries;
      note = String.format(Locale.ROOT, "%.2f kB and %.2f requests per query over the wire",
          (after[1] - before[1]) / perQuery / 1e3, (after[0] - before[0]) / perQuery);
      Double local = localSeconds.get(scale + config);
      if (local != null) note += String.format(Locale.ROOT, "; %.2fx local", warm[0] / local);
    }
    add(scale, config + where, warm[0], warm[1], note);
  }

  private KnnJoinOptions options(BuildParams build) {
    return KnnJoinOptions.defaults().buildParams(build).nprobes(nprobes).refineFactor(refineFactor);
  }

  private static List<String> withId(List<String> payload) {
    List<String> out = new ArrayList<>();
    out.add("id");
    out.addAll(payload);
    return out;
  }

  private double joinOnce(Dataset<Row> left, Dataset<Row> corpus, KnnJoinOptions options, long[][] truth, int queries) {
    List<Row> rows = QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", k, options).collectAsList();
    return recall(rows, truth, queries);
  }

  /** Exact: every (query, corpus row) pair, MLlib's squared distance on dense vectors, top k per query. */
  private Dataset<Row> bruteForce(SparkSession spark, Dataset<Row> left, Dataset<Row> corpus) {
    spark.udf().register("l2_squared", (UDF2<Vector, Vector, Double>) Vectors::sqdist, DataTypes.DoubleType);
    Dataset<Row> pairs = left.select(col("qid"), functions.array_to_vector(col("q")).as("qv"))
        .crossJoin(corpus.select(col("id"), functions.array_to_vector(col("embedding")).as("ev")))
        .selectExpr("qid", "id", "l2_squared(qv, ev) as distance");
    return pairs.withColumn("rank", row_number().over(Window.partitionBy("qid").orderBy(col("distance"), col("id"))))
        .where(col("rank").leq(k))
        .select("qid", "id");
  }

  private Dataset<Row> lshJoin(Dataset<Row> corpus, Dataset<Row> left, ClusteredVectors gen, long[][] truth) {
    // The largest true k-th neighbour distance (Euclidean): every true neighbour is within it,
    // so recall is limited by the hashing alone. This favours LSH; real use has no ground truth.
    double threshold = lshThreshold(gen, truth);
    Dataset<Row> a = left.withColumn("features", functions.array_to_vector(col("q"))).select("qid", "features");
    Dataset<Row> c = corpus.withColumn("features", functions.array_to_vector(col("embedding"))).select("id", "features");
    BucketedRandomProjectionLSHModel model = new BucketedRandomProjectionLSH()
        .setInputCol("features").setOutputCol("hashes").setBucketLength(threshold)
        .setNumHashTables(lshTables).setSeed(seed).fit(c);
    Dataset<Row> joined = model.approxSimilarityJoin(a, c, threshold, "distance").toDF()
        .select(col("datasetA.qid").as("qid"), col("datasetB.id").as("id"), col("distance"));
    return joined.withColumn("rank", row_number().over(Window.partitionBy("qid").orderBy(col("distance"), col("id"))))
        .where(col("rank").leq(k))
        .select("qid", "id");
  }

  /** The largest Euclidean distance from a query to its true k-th neighbour. */
  private double lshThreshold(ClusteredVectors gen, long[][] truth) {
    double max = 0;
    for (int j = 0; j < truth.length; j++) {
      long kth = truth[j][truth[j].length - 1];
      max = Math.max(max, Math.sqrt(BenchCorpus.l2(gen.query(j), gen.row(kth), dim)));
    }
    return max;
  }

  /** Mean recall@k of joined (qid, id) rows against the truth for queries [0, n). */
  static double recall(List<Row> rows, long[][] truth, int n) {
    Map<Long, Set<Long>> found = new HashMap<>();
    for (Row r : rows) {
      found.computeIfAbsent(r.getAs("qid"), x -> new HashSet<>()).add(r.getAs("id"));
    }
    double sum = 0;
    for (int j = 0; j < n; j++) {
      Set<Long> f = found.getOrDefault((long) j, Set.of());
      long hits = Arrays.stream(truth[j]).filter(f::contains).count();
      sum += (double) hits / truth[j].length;
    }
    return sum / n;
  }

  private void add(String scale, String config, double seconds, double recall, String note) {
    results.add(new BenchReport.Result(scale, config, seconds, recall, note));
    log(String.format(Locale.ROOT, "%-60s %9.3f s  recall %s  (%s)", config, seconds,
        Double.isNaN(recall) ? "-" : String.format(Locale.ROOT, "%.4f", recall), note));
  }

  /** {seconds, value} of one run. */
  private static double[] timed(ThrowingSupplier run) throws Exception {
    long t0 = System.nanoTime();
    double v = run.get();
    return new double[] {(System.nanoTime() - t0) / 1e9, v};
  }

  /** {median seconds, value of the last run} over --repeat runs. */
  private double[] median(ThrowingSupplier run) throws Exception {
    double[] times = new double[repeat];
    double v = Double.NaN;
    for (int i = 0; i < repeat; i++) {
      double[] t = timed(run);
      times[i] = t[0];
      v = t[1];
    }
    Arrays.sort(times);
    return new double[] {times[repeat / 2], v};
  }

  @FunctionalInterface
  private interface ThrowingSupplier {
    double get() throws Exception;
  }

  private static String secs(long t0) {
    return String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9);
  }

  private static void log(String s) {
    System.err.println("[join-benchmark] " + s);
  }
}
