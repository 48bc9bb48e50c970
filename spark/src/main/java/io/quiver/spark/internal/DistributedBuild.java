package io.quiver.spark.internal;

import io.quiver.BuildParams;
import io.quiver.FileSource;
import io.quiver.ProgressListener;
import io.quiver.QuiverIndex;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * A build spread over the cluster. The driver draws the training sample with Spark (a sampled
 * scan: no corpus row passes through the driver but the sample's), trains the quantizers and
 * broadcasts them; each task encodes one group of consecutive files with them into a segment
 * file (numbered after the groups before it) and writes it beside the target, under a name of its
 * own attempt; the driver commits the segments of the attempts Spark reports as successful, in
 * file order, with one manifest over the trained base file, and removes every part. Nothing is
 * rewritten on the driver: the index searches exactly as one build with the same quantizers over
 * the same files (compacting it gives that build's file, list for list). A failed, retried or
 * speculative attempt leaves a file that is never committed, and the commit reads every byte of
 * the segments it commits.
 */
public final class DistributedBuild {
  private static final Logger LOG = LoggerFactory.getLogger(DistributedBuild.class);

  /**
   * Fault injection for tests, as SQLite's test builds have: a job whose local property of this
   * name is {@code "kill"} (set with {@code SparkContext.setLocalProperty} on the driver's thread)
   * has the first attempt of every encoding task write half of its segment and then halt its
   * executor's JVM, as a machine that goes away would; Spark runs the task again elsewhere. On a
   * cluster only: in local mode that JVM is the driver's.
   */
  public static final String FAIL_FIRST_ATTEMPTS = "quiver.test.failFirstAttempts";

  private DistributedBuild() {}

  /**
   * Builds the index of {@code corpus} into the local directory {@code target}.
   *
   * @param partsRoot where the tasks write their segments (a Hadoop URI every executor and the
   *     driver reach: beside the index's location), removed at the end
   * @param groups how many groups of files to encode in parallel (at most one per file)
   */
  public static Timings run(SparkSession spark, CorpusFiles corpus, BuildParams params, Path target,
      String partsRoot, int groups) {
    long t0 = System.nanoTime();
    List<String> paths = corpus.paths();
    Dataset<Row> rows = spark.read().parquet(paths.toArray(String[]::new));
    long corpusRows = rows.count();
    Sample sample = drawSample(rows, params, corpusRows);
    long t1 = System.nanoTime();

    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path staging = null;
    try {
      staging = Files.createTempDirectory("quiver-distributed-");
      Path quantizers = staging.resolve("quantizers");
      QuiverIndex.train(sample.rows(), sample.dim(), corpusRows, params, quantizers, ProgressListener.none());
      long t2 = System.nanoTime();

      List<List<String>> fileGroups = groupBySize(corpus.files(), groups);
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      Broadcast<Map<String, byte[]>> trained = jsc.broadcast(readDirectory(quantizers));
      Broadcast<SerializableConfiguration> hadoop = jsc.broadcast(new SerializableConfiguration(conf));
      int taskThreads = spark.sparkContext().conf().getInt("spark.task.cpus", 1);
      EncodeGroup encode = new EncodeGroup(fileGroups, trained, hadoop, corpus.local(), partsRoot,
          params.vectorColumn(), params.source(), taskThreads);
      jsc.setJobDescription("Quiver: encode " + paths.size() + " files in " + fileGroups.size() + " groups");
      List<Tuple2<Integer, String>> parts;
      try {
        parts = new ArrayList<>(jsc.parallelize(IntStream.range(0, fileGroups.size()).boxed().toList(),
            fileGroups.size()).map(encode).collect());
      } finally {
        jsc.setJobDescription(null);
        trained.destroy();
        hadoop.destroy();
      }
      parts.sort((a, b) -> Integer.compare(a._1(), b._1()));
      long t3 = System.nanoTime();

      List<Path> segments = new ArrayList<>();
      for (Tuple2<Integer, String> part : parts) {
        Path p = Locations.localPath(part._2());
        if (p == null) {
          p = staging.resolve("segment-" + part._1() + ".qvs");
          org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(part._2());
          remote.getFileSystem(conf).copyToLocalFile(false, remote, new org.apache.hadoop.fs.Path(p.toUri()), true);
        }
        segments.add(p);
      }
      QuiverIndex.commitSegments(target, quantizers, segments);
      long t4 = System.nanoTime();
      Timings timings = new Timings(corpusRows, sample.rows().length, fileGroups.size(), (t1 - t0) / 1e9,
          (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9);
      LOG.info("distributed build of {} rows in {} files: sample of {} rows in {} ms, training in {} ms, "
              + "{} groups encoded in {} ms, committed in {} ms",
          corpusRows, paths.size(), sample.rows().length, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
          fileGroups.size(), (t3 - t2) / 1_000_000, (t4 - t3) / 1_000_000);
      return timings;
    } catch (IOException e) {
      throw new UncheckedIOException("distributed build of the index at " + target + ": " + e.getMessage(), e);
    } finally {
      Cleanup.delete(partsRoot, conf);
      Cleanup.deleteLocalTree(staging);
    }
  }

  /**
   * Where a distributed build spent its time, in seconds: on the driver, the row count and the
   * sample (Spark jobs), the training, the commit (fetching remote segments, checking every byte,
   * the manifest); the encoding is the executors' job, from its submission to its last task.
   */
  public record Timings(long rows, int sampleRows, int groups, double countAndSample, double train,
      double encode, double commit) {}

  /** The training sample: vectors of one dimension, as many as a local build would sample. */
  record Sample(float[][] rows, int dim) {}

  static Sample drawSample(Dataset<Row> rows, BuildParams params, long corpusRows) {
    // The defaults quiver.h documents: nlist about 4 * sqrt(rows), a sample of
    // max(32 * nlist, 100000) rows, capped at the rows.
    long nlist = params.nlist() > 0 ? params.nlist() : Math.max(1, Math.round(4 * Math.sqrt(corpusRows)));
    long want = params.trainSample() > 0 ? params.trainSample() : Math.max(32 * nlist, 100_000);
    want = Math.min(want, corpusRows);
    // A little over the fraction, then cut: a Bernoulli sample of exactly `want` rows is rare.
    double fraction = Math.min(1.0, 1.1 * want / Math.max(1, corpusRows));
    // Each row becomes a float[] on the executors (null when unusable): the driver holds the
    // sample as primitive arrays, not as boxed rows eight times their size.
    List<float[]> drawn = rows.select(functions.col(params.vectorColumn()).cast("array<float>"))
        .sample(false, fraction, params.seed()).limit((int) Math.min(Integer.MAX_VALUE, want))
        .javaRDD().map(DistributedBuild::usableVector).collect();
    Map<Integer, Integer> lengths = new HashMap<>();
    List<float[]> usable = new ArrayList<>(drawn.size());
    for (float[] x : drawn) {
      if (x != null) {
        usable.add(x);
        lengths.merge(x.length, 1, Integer::sum);
      }
    }
    if (usable.isEmpty()) {
      throw new IllegalArgumentException("no usable vector in a sample of " + drawn.size() + " rows of column '"
          + params.vectorColumn() + "' (all null, empty or not finite)");
    }
    // The dimension most rows have: rows of another length are skipped by the build as well.
    int dim = lengths.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    return new Sample(usable.stream().filter(x -> x.length == dim).toArray(float[][]::new), dim);
  }

  /** The row's vector, or null when it is null, empty or holds a null or non-finite value. */
  private static float[] usableVector(Row r) {
    if (r.isNullAt(0)) {
      return null;
    }
    List<Float> v = r.getList(0);
    if (v.isEmpty()) {
      return null;
    }
    float[] x = new float[v.size()];
    for (int i = 0; i < x.length; i++) {
      Float f = v.get(i);
      if (f == null || !Float.isFinite(f)) {
        return null;
      }
      x[i] = f;
    }
    return x;
  }

  /** At most {@code groups} runs of consecutive files, of about equal bytes. */
  static List<List<String>> groupBySize(List<CorpusFiles.SourceFile> files, int groups) {
    int n = Math.max(1, Math.min(groups, files.size()));
    long total = files.stream().mapToLong(f -> Math.max(1, f.size())).sum();
    List<List<String>> out = new ArrayList<>();
    List<String> current = new ArrayList<>();
    long done = 0;
    for (int i = 0; i < files.size(); i++) {
      current.add(files.get(i).path());
      done += Math.max(1, files.get(i).size());
      int left = files.size() - i - 1;
      int groupsLeft = n - out.size() - 1;
      // Close the group at its share of the bytes, or when each later group needs a file.
      if (groupsLeft > 0 && (done >= total * (out.size() + 1) / n || left == groupsLeft)) {
        out.add(current);
        current = new ArrayList<>();
      }
    }
    out.add(current);
    return out;
  }

  private static Map<String, byte[]> readDirectory(Path dir) throws IOException {
    Map<String, byte[]> out = new HashMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  /** One task: a group of files encoded with the broadcast quantizers into a segment file beside the target. */
  private record EncodeGroup(
      List<List<String>> groups,
      Broadcast<Map<String, byte[]>> quantizers,
      Broadcast<SerializableConfiguration> hadoop,
      boolean localFiles,
      String partsRoot,
      String vectorColumn,
      String source,
      int threads) implements Function<Integer, Tuple2<Integer, String>>, Serializable {

    @Override
    public Tuple2<Integer, String> call(Integer group) throws Exception {
      TaskContext task = TaskContext.get();
      String attempt = "group-" + group + "-attempt-" + task.taskAttemptId() + ".qvs";
      int firstFile = 0;
      for (int g = 0; g < group; g++) {
        firstFile += groups.get(g).size();
      }
      Path work = Files.createTempDirectory("quiver-encode-");
      try {
        Path trained = Files.createDirectories(work.resolve("quantizers"));
        for (Map.Entry<String, byte[]> f : quantizers.value().entrySet()) {
          Files.write(trained.resolve(f.getKey()), f.getValue());
        }
        Configuration conf = hadoop.value().value();
        FileSource files = localFiles ? null : HadoopSources.shared(conf);
        Path segment = work.resolve("segment.qvs");
        BuildParams params = BuildParams.builder().vectorColumn(vectorColumn).source(source).threads(threads)
            .quantizersFrom(trained).build();
        QuiverIndex.encodeSegment(groups.get(group), firstFile, segment, params, ProgressListener.none(), files);

        org.apache.hadoop.fs.Path out = new org.apache.hadoop.fs.Path(partsRoot + "/" + attempt);
        FileSystem fs = out.getFileSystem(conf);
        if (task.attemptNumber() == 0 && "kill".equals(task.getLocalProperty(FAIL_FIRST_ATTEMPTS))) {
          // Dies halfway through writing its segment.
          byte[] bytes = Files.readAllBytes(segment);
          var partial = fs.create(out, true);
          partial.write(bytes, 0, bytes.length / 2);
          partial.hflush();
          Runtime.getRuntime().halt(137);
        }
        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(segment.toUri()), out);
        return new Tuple2<>(group, out.toString());
      } finally {
        Cleanup.deleteLocalTree(work);
      }
    }
  }
}
