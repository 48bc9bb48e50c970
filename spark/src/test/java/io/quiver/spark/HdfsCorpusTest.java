package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.BuildParams;
import io.quiver.FileSource;
import io.quiver.Metric;
import io.quiver.QuiverIndex;
import io.quiver.SearchParams;
import io.quiver.SearchResult;
import io.quiver.StaleIndexException;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import io.quiver.QuiverIOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus on HDFS (a real MiniDFSCluster: NameNode and DataNode in this JVM), written by Spark,
 * indexed and searched in place through {@link HadoopFileSource}: nothing is copied to local
 * disk, and the answers are exact at full probe.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HdfsCorpusTest {

  @TempDir static Path dir;
  static MiniDFSCluster cluster;
  static String root;

  @BeforeAll
  static void startHdfs() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    root = "hdfs://localhost:" + cluster.getNameNodePort();
  }

  @AfterAll
  static void stopHdfs() {
    if (cluster != null) cluster.shutdown();
  }

  @Test
  @Order(1)
  void aCorpusOnHdfsIsIndexedAndSearchedInPlace() throws Exception {
    SparkSession spark = SharedSpark.session();
    String corpusDir = root + "/corpus";
    var corpus = TestData.writeCorpus(spark, corpusDir, 600, 3, 5, 0);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    FileSystem fs = new org.apache.hadoop.fs.Path(corpusDir).getFileSystem(conf);
    List<String> files = paths(TestData.parquetFiles(fs, corpusDir));
    assertEquals(3, files.size(), files.toString());
    assertTrue(files.get(0).startsWith("hdfs://"), files.get(0));

    FileSource source = new HadoopFileSource(conf);
    Path index = dir.resolve("index");
    QuiverIndex.build(files, index, BuildParams.builder().nlist(4).pqM(4).threads(2).build(), null, source);

    List<Row> rows = corpus.select("id", "embedding").collectAsList();
    try (QuiverIndex idx = QuiverIndex.open(index, source)) {
      assertEquals(files.get(0), idx.path(0));
      SearchParams exact = SearchParams.builder().nprobes(4).refineFactor(1000).threads(2).build();
      for (int q = 0; q < 5; q++) {
        float[] query = BruteForce.vector(rows.get(q * 97));
        List<SearchResult> hits = idx.search(query, 5, exact);
        List<Float> want = new ArrayList<>();
        for (Row r : rows) want.add(BruteForce.l2(query, BruteForce.vector(r)));
        want.sort(Comparator.naturalOrder());
        for (int i = 0; i < 5; i++) assertEquals(want.get(i), hits.get(i).distance(), 1e-4f);
        assertEquals(0f, hits.get(0).distance(), 0f);
      }
      assertTrue(idx.ioStats().bytesRead() > 0);
    }

    // A file rewritten after the build: the index is stale, naming it.
    fs.delete(new org.apache.hadoop.fs.Path(files.get(1)), false);
    StaleIndexException e = assertThrows(StaleIndexException.class, () -> QuiverIndex.open(index, source));
    assertTrue(e.getMessage().contains(files.get(1)), e.getMessage());
    assertTrue(new File(dir.toFile(), "index").isDirectory());
  }

  @Test
  @Order(2)
  void theJoinAndTheDriverApiReadAnHdfsCorpusInPlace() throws Exception {
    SparkSession spark = SharedSpark.session();
    String corpusDir = root + "/join-corpus";
    var corpus = TestData.writeCorpus(spark, corpusDir, 400, 2, 11, 0);
    var left = TestData.queries(spark, 10, 12, 0);
    KnnJoinOptions options = KnnJoinOptions.defaults()
        .buildParams(BuildParams.builder().nlist(4).build()).nprobes(4).refineFactor(100).columns("id");
    List<Row> got = QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", 3, options).collectAsList();
    List<Row> want = BruteForce.join(left, corpus, 3, Metric.L2).collectAsList();
    assertEquals(BruteForce.ids(want), BruteForce.ids(got));

    // The index records the HDFS files themselves: nothing was copied to local disk.
    CorpusIndex index = QuiverSession.of(spark).buildIfMissing(corpus, BuildParams.builder().nlist(4).build());
    assertEquals(2, index.files().size());
    for (String f : index.files()) assertTrue(f.startsWith(root + "/join-corpus/"), f);

    // The next join finds the index it built: the hdfs:// URIs it records match the corpus.
    String written = TestData.writtenAt(index.location());
    assertEquals(BruteForce.ids(want),
        BruteForce.ids(QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", 3, options).collectAsList()));
    assertEquals(written, TestData.writtenAt(index.location()));
  }

  /** Last: it stops the cluster. */
  @Test
  @Order(3)
  void hdfsGoingDownIsAnIoErrorNamingTheFileNotACrash() throws Exception {
    SparkSession spark = SharedSpark.session();
    String corpusDir = root + "/down-corpus";
    TestData.writeCorpus(spark, corpusDir, 300, 1, 31, 0);
    Configuration conf = new Configuration(spark.sparkContext().hadoopConfiguration());
    // Fail fast instead of Hadoop's minutes of retries.
    conf.setInt("ipc.client.connect.max.retries", 0);
    conf.setInt("ipc.client.connect.max.retries.on.timeouts", 0);
    conf.setInt("dfs.client.max.block.acquire.failures", 0);
    conf.setInt("dfs.client.retry.window.base", 1);
    conf.setBoolean("fs.hdfs.impl.disable.cache", true);
    List<String> files = paths(TestData.parquetFiles(new org.apache.hadoop.fs.Path(corpusDir).getFileSystem(conf), corpusDir));
    FileSource source = new HadoopFileSource(conf);
    Path index = dir.resolve("down-index");
    QuiverIndex.build(files, index, BuildParams.builder().nlist(2).pqM(4).threads(2).build(), null, source);
    try (QuiverIndex idx = QuiverIndex.open(index, source)) {
      idx.setCacheBudget(0);
      cluster.shutdown();
      cluster = null;
      QuiverIOException e = assertThrows(QuiverIOException.class,
          () -> idx.search(new float[TestData.DIM], 3, SearchParams.builder().refineFactor(4).build()));
      assertTrue(e.getMessage().contains(files.get(0)), e.getMessage());
    }
  }


  private static List<String> paths(List<FileStatus> files) {
    return files.stream().map(f -> f.getPath().toString()).toList();
  }
}
