package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.BuildParams;
import io.quiver.FileSource;
import io.quiver.Metric;
import io.quiver.QuiverIOException;
import io.quiver.QuiverIndex;
import io.quiver.SearchParams;
import io.quiver.SearchResult;
import io.quiver.StaleIndexException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus on S3: a real S3-compatible server (s3proxy, its own process), written by Spark
 * through Hadoop's S3A connector, indexed and searched in place. Only byte ranges are read; a
 * rewritten object is stale even when its size and modification second are unchanged (the ETag
 * is its version); wrong credentials, a short object and a server that went away are typed
 * errors naming the object.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3CorpusTest {
  static final String BUCKET = "corpora";

  @TempDir static Path dir;
  static S3Server server;
  static Configuration conf;

  @BeforeAll
  static void start() throws Exception {
    server = S3Server.start(dir.resolve("s3"), BUCKET);
    conf = SharedSpark.session().sparkContext().hadoopConfiguration();
    server.configure(conf);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) server.close();
  }

  @Test
  @Order(1)
  void theJoinOverAnS3CorpusEqualsBruteForceAndReadsItInPlace() throws Exception {
    SparkSession spark = SharedSpark.session();
    String corpusDir = "s3a://" + BUCKET + "/join-corpus";
    Dataset<Row> corpus = TestData.writeCorpus(spark, corpusDir, 400, 2, 41, 0);
    Dataset<Row> left = TestData.queries(spark, 10, 42, 0);
    KnnJoinOptions options = KnnJoinOptions.defaults()
        .buildParams(BuildParams.builder().nlist(4).build()).nprobes(4).refineFactor(100).columns("id");
    List<Row> got = QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", 3, options).collectAsList();
    List<Row> want = BruteForce.join(left, corpus, 3, Metric.L2).collectAsList();
    assertEquals(BruteForce.ids(want), BruteForce.ids(got));

    CorpusIndex index = QuiverSession.of(spark).buildIfMissing(corpus, BuildParams.builder().nlist(4).build());
    assertEquals(2, index.files().size());
    for (String f : index.files()) assertTrue(f.startsWith(corpusDir + "/"), f);

    // The next join finds the index it built: the s3a:// URIs it records match the corpus.
    String written = TestData.writtenAt(index.location());
    assertEquals(BruteForce.ids(want), BruteForce.ids(QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", 3, options).collectAsList()));
    assertEquals(written, TestData.writtenAt(index.location()));
  }

  @Test
  @Order(2)
  void searchesReadRangesOfTheObjectsAndARewriteIsStale() throws Exception {
    SparkSession spark = SharedSpark.session();
    String corpusDir = "s3a://" + BUCKET + "/corpus";
    // Row groups of about 20 kB, several per object: a search reads the few it needs.
    conf.setInt("parquet.block.size", 20_000);
    Dataset<Row> corpus;
    try {
      corpus = TestData.writeCorpus(spark, corpusDir, 3000, 3, 43, 0);
    } finally {
      conf.unset("parquet.block.size");
    }
    FileSystem fs = new org.apache.hadoop.fs.Path(corpusDir).getFileSystem(conf);
    List<FileStatus> files = TestData.parquetFiles(fs, corpusDir);
    List<String> paths = files.stream().map(f -> f.getPath().toString()).toList();
    long corpusBytes = files.stream().mapToLong(FileStatus::getLen).sum();
    FileSource source = new HadoopFileSource(conf);
    Path index = dir.resolve("index");
    QuiverIndex.build(paths, index, BuildParams.builder().nlist(16).pqM(4).threads(2).build(), null, source);

    List<Row> rows = corpus.select("id", "embedding").collectAsList();
    try (QuiverIndex idx = QuiverIndex.open(index, source)) {
      idx.setCacheBudget(0);
      long before = idx.ioStats().bytesRead();
      // No coalescing: the remote default (ranges up to 4 MiB apart read as one) would read most
      // of objects this small, which is right for a store but hides what a search needs.
      SearchParams params = SearchParams.builder().nprobes(2).refineFactor(1).threads(2).ioGapBytes(0).build();
      int queries = 5;
      for (int q = 0; q < queries; q++) {
        float[] query = BruteForce.vector(rows.get(q * 501));
        assertEquals(3, idx.search(query, 3, params).size());
      }
      long perQuery = (idx.ioStats().bytesRead() - before) / queries;
      assertTrue(perQuery > 0 && perQuery < corpusBytes / 3,
          perQuery + " bytes per query of a " + corpusBytes + "-byte corpus");

      SearchParams exact = SearchParams.builder().nprobes(16).refineFactor(1000).build();
      float[] query = BruteForce.vector(rows.get(7));
      List<Float> want = new ArrayList<>();
      for (Row r : rows) want.add(BruteForce.l2(query, BruteForce.vector(r)));
      want.sort(Comparator.naturalOrder());
      List<SearchResult> hits = idx.search(query, 5, exact);
      for (int i = 0; i < 5; i++) assertEquals(want.get(i), hits.get(i).distance(), 1e-4f);
    }

    // The same bytes written again: the same ETag, still fresh.
    byte[] original = readAll(fs, paths.get(1));
    writeAll(fs, paths.get(1), original);
    QuiverIndex.open(index, source).close();

    // One byte changed, same size, most likely the same second: the ETag tells.
    byte[] changed = original.clone();
    changed[original.length / 2] ^= 0x5a;
    writeAll(fs, paths.get(1), changed);
    StaleIndexException e = assertThrows(StaleIndexException.class, () -> QuiverIndex.open(index, source));
    assertTrue(e.getMessage().contains(paths.get(1)), e.getMessage());
    writeAll(fs, paths.get(1), original);
  }

  @Test
  @Order(3)
  void wrongCredentialsAndAShortObjectAreIoErrorsNamingTheObject() throws Exception {
    Path index = dir.resolve("index");
    List<String> paths;
    try (QuiverIndex idx = QuiverIndex.open(index, new HadoopFileSource(conf))) {
      paths = List.of(idx.path(0), idx.path(1), idx.path(2));
    }
    Configuration wrong = new Configuration(conf);
    wrong.set("fs.s3a.secret.key", "not-the-secret");
    wrong.setBoolean("fs.s3a.impl.disable.cache", true);
    QuiverIOException denied = assertThrows(QuiverIOException.class,
        () -> QuiverIndex.open(index, new HadoopFileSource(wrong)));
    assertTrue(denied.getMessage().contains(paths.get(0)), denied.getMessage());
    assertTrue(denied.getMessage().contains("403") || denied.getMessage().contains("AccessDenied"),
        denied.getMessage());

    // An object cut short under an open index: the read fails naming it, nothing crashes.
    FileSystem fs = new org.apache.hadoop.fs.Path(paths.get(2)).getFileSystem(conf);
    byte[] original = readAll(fs, paths.get(2));
    try (QuiverIndex idx = QuiverIndex.open(index, new HadoopFileSource(conf))) {
      idx.setCacheBudget(0);
      writeAll(fs, paths.get(2), java.util.Arrays.copyOf(original, original.length / 3));
      SearchParams all = SearchParams.builder().nprobes(16).refineFactor(1000).build();
      RuntimeException e = assertThrows(RuntimeException.class,
          () -> idx.search(new float[TestData.DIM], 5, all));
      assertTrue(e instanceof QuiverIOException || e instanceof StaleIndexException, e.toString());
      assertTrue(e.getMessage().contains(paths.get(2)), e.getMessage());
    } finally {
      writeAll(fs, paths.get(2), original);
    }
  }

  /** Last: it stops the server. */
  @Test
  @Order(4)
  void aServerThatWentAwayIsAnIoErrorInTheApiAndInTheJob() throws Exception {
    SparkSession spark = SharedSpark.session();
    String corpusDir = "s3a://" + BUCKET + "/down-corpus";
    Dataset<Row> corpus = TestData.writeCorpus(spark, corpusDir, 300, 1, 45, 0);
    Dataset<Row> left = TestData.queries(spark, 4, 46, 0);
    KnnJoinOptions options = KnnJoinOptions.defaults()
        .buildParams(BuildParams.builder().nlist(2).build()).nprobes(2).refineFactor(10).columns("id", "name");
    QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", 3, options).collectAsList();
    String file = QuiverSession.of(spark).buildIfMissing(corpus, BuildParams.builder().nlist(2).build())
        .files().get(0);

    Path index = dir.resolve("index");
    try (QuiverIndex idx = QuiverIndex.open(index, new HadoopFileSource(conf))) {
      idx.setCacheBudget(0);
      String first = idx.path(0);
      server.close();
      QuiverIOException e = assertThrows(QuiverIOException.class,
          () -> idx.search(new float[TestData.DIM], 3, SearchParams.builder().nprobes(16).refineFactor(100).build()));
      assertTrue(e.getMessage().contains(first), e.getMessage());
    }
    Exception job = assertThrows(Exception.class,
        () -> QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", 3, options).collectAsList());
    assertTrue(messages(job).contains(file) || messages(job).contains(corpusDir), messages(job));
  }

  private static String messages(Throwable t) {
    StringBuilder out = new StringBuilder();
    for (; t != null; t = t.getCause()) out.append(t).append('\n');
    return out.toString();
  }

  private static byte[] readAll(FileSystem fs, String path) throws java.io.IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    byte[] out = new byte[(int) fs.getFileStatus(p).getLen()];
    try (FSDataInputStream in = fs.open(p)) {
      in.readFully(0, out);
    }
    return out;
  }

  private static void writeAll(FileSystem fs, String path, byte[] data) throws java.io.IOException {
    try (FSDataOutputStream out = fs.create(new org.apache.hadoop.fs.Path(path), true)) {
      out.write(data);
    }
  }
}
