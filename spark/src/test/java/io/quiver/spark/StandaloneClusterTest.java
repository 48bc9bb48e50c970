package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.BuildParams;
import io.quiver.Metric;
import io.quiver.spark.internal.StandaloneCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The join on a real Spark standalone cluster: one Master and two Workers started as separate
 * processes from this test's class path, whose executors are JVMs of their own; corpus and index
 * on HDFS (a MiniDFSCluster in this JVM, reached over the network like any HDFS). The executors
 * read the corpus through Hadoop; nothing assumes a disk shared with the driver.
 */
class StandaloneClusterTest {

  @TempDir static Path dir;
  static MiniDFSCluster hdfs;
  static StandaloneCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    SparkSession active = SparkSession.getActiveSession().getOrElse(() -> null);
    if (active != null) active.stop();  // one SparkContext per JVM: the shared one comes back later

    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
    hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    hdfs.waitActive();
    cluster = StandaloneCluster.start(dir.resolve("cluster"), 2, "1g");
  }

  @AfterAll
  static void stop() throws Exception {
    SparkSession active = SparkSession.getActiveSession().getOrElse(() -> null);
    if (active != null) active.stop();
    if (cluster != null) cluster.close();
    if (hdfs != null) hdfs.shutdown();
  }

  private static SparkSession clusterSession() {
    return cluster.session("quiver-standalone-cluster-test", 2, "512m")
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate();
  }

  @Test
  void theJoinRunsOnExecutorsInOtherProcessesOverAnHdfsCorpus() throws Exception {
    SparkSession spark = clusterSession();
    try {
      String root = "hdfs://localhost:" + hdfs.getNameNodePort();
      Dataset<Row> corpus = TestData.writeCorpus(spark, root + "/corpus", 600, 3, 21, 0);
      Dataset<Row> left = TestData.queries(spark, 16, 22, 0);
      KnnJoinOptions options = KnnJoinOptions.defaults()
          .buildParams(BuildParams.builder().nlist(4).build()).nprobes(4).refineFactor(100)
          .columns("id").indexLocation(root + "/index");
      Dataset<Row> joined = QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", 3, options);
      List<Row> got = joined.collectAsList();
      List<Row> want = BruteForce.join(left, corpus, 3, Metric.L2).collectAsList();
      assertEquals(BruteForce.ids(want), BruteForce.ids(got));

      // The tasks ran in the executors' JVMs, two of them, not in the driver's.
      long driver = ProcessHandle.current().pid();
      Set<Long> pids = new TreeSet<>(spark.range(0, 8, 1, 8).javaRDD()
          .map(x -> ProcessHandle.current().pid()).collect());
      assertFalse(pids.contains(driver), pids + " includes the driver " + driver);
      assertEquals(2, spark.sparkContext().getExecutorMemoryStatus().size() - 1, "executors");
      // One stage on the corpus side: the index, never a shuffle of the corpus.
      String plan = joined.queryExecution().executedPlan().toString();
      assertFalse(plan.contains("FileScan parquet [id"), plan);
    } finally {
      spark.stop();
    }
  }

  @Test
  void aDistributedBuildOnTheClusterIsOneBuildEvenWhenItsExecutorsAreKilled() throws Exception {
    SparkSession spark = clusterSession();
    try {
      String root = "hdfs://localhost:" + hdfs.getNameNodePort();
      Dataset<Row> corpus = TestData.writeCorpus(spark, root + "/dcorpus", 2000, 4, 31, 0);
      BuildParams params = BuildParams.builder().nlist(8).pqM(4).build();
      // The first attempt of every encoding task writes half of its segment, then its executor's
      // JVM halts; the Master starts new executors and Spark runs the tasks again.
      spark.sparkContext().setLocalProperty(io.quiver.spark.internal.DistributedBuild.FAIL_FIRST_ATTEMPTS, "kill");
      QuiverSpark.build(corpus, params, root + "/dindex");
      spark.sparkContext().setLocalProperty(io.quiver.spark.internal.DistributedBuild.FAIL_FIRST_ATTEMPTS, null);

      org.apache.hadoop.fs.FileSystem fs = hdfs.getFileSystem();
      for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(new org.apache.hadoop.fs.Path("/"))) {
        assertFalse(st.getPath().getName().contains(".parts-"), "parts left: " + st.getPath());
      }
      Path local = dir.resolve("dindex-copy");
      fs.copyToLocalFile(new org.apache.hadoop.fs.Path("/dindex"), new org.apache.hadoop.fs.Path(local.toUri()));
      List<String> files = TestData.parquetFiles(fs, "/dcorpus").stream().map(st -> st.getPath().toString()).toList();
      assertEquals(4, files.size());
      DistributedBuildTest.assertEqualsALocalBuildWithItsQuantizers(local, files, params,
          new HadoopFileSource(spark.sparkContext().hadoopConfiguration()), dir);
    } finally {
      spark.stop();
    }
  }
}
