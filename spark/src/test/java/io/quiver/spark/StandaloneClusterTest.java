package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.BuildParams;
import io.quiver.Metric;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
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
  static final List<Process> processes = new ArrayList<>();
  static String master;

  @BeforeAll
  static void start() throws Exception {
    SparkSession active = SparkSession.getActiveSession().getOrElse(() -> null);
    if (active != null) active.stop();  // one SparkContext per JVM: the shared one comes back later

    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
    hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    hdfs.waitActive();

    // A Spark home for the Workers: they start executors with its jars/ (this class path's
    // jars); the directories of the class path go to the executors as extraClassPath.
    Path home = Files.createDirectories(dir.resolve("spark-home"));
    Files.writeString(home.resolve("RELEASE"), "Spark built for the tests of Quiver\n");
    Path jars = Files.createDirectories(home.resolve("jars"));
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
        Path link = jars.resolve(p.getFileName());
        if (!Files.exists(link)) Files.createSymbolicLink(link, p.toAbsolutePath());
      }
    }
    int port = Processes.freePort();
    master = "spark://127.0.0.1:" + port;
    processes.add(launch(home, "org.apache.spark.deploy.master.Master",
        "--host", "127.0.0.1", "--port", String.valueOf(port), "--webui-port", String.valueOf(Processes.freePort())));
    Processes.awaitPort(port, processes.get(0), log("Master", 0));
    for (int w = 0; w < 2; w++) {
      Path work = Files.createDirectories(dir.resolve("worker-" + w));
      processes.add(launch(home, "org.apache.spark.deploy.worker.Worker",
          "--host", "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port", String.valueOf(Processes.freePort()),
          "--work-dir", work.toString(), master));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    SparkSession active = SparkSession.getActiveSession().getOrElse(() -> null);
    if (active != null) active.stop();
    for (Process p : processes) Processes.stop(p);
    if (hdfs != null) hdfs.shutdown();
  }

  private static Path log(String mainClass, int n) {
    return dir.resolve(mainClass.substring(mainClass.lastIndexOf('.') + 1) + "-" + n + ".log");
  }

  private static Process launch(Path sparkHome, String mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(Processes.java());
    cmd.add("-Xmx512m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("SPARK_HOME", sparkHome.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.12");
    pb.redirectErrorStream(true);
    pb.redirectOutput(log(mainClass, processes.size()).toFile());
    return pb.start();
  }

  private static SparkSession clusterSession() {
    String classDirs = List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
        .filter(e -> !e.endsWith(".jar"))
        .collect(Collectors.joining(File.pathSeparator));
    return SparkSession.builder()
        .master(master)
        .appName("quiver-standalone-cluster-test")
        .config("spark.executor.memory", "512m")
        .config("spark.executor.cores", "1")
        .config("spark.cores.max", "2")
        .config("spark.executor.extraClassPath", classDirs)
        .config("spark.executor.extraJavaOptions", String.join(" ", Processes.jvmFlags()))
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.serializer.extraDebugInfo", "false")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.default.parallelism", "2")
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
  void aDistributedBuildOnTheClusterIsOneBuildEvenWhenItsTasksFailOnce() throws Exception {
    SparkSession spark = clusterSession();
    try {
      String root = "hdfs://localhost:" + hdfs.getNameNodePort();
      Dataset<Row> corpus = TestData.writeCorpus(spark, root + "/dcorpus", 2000, 4, 31, 0);
      BuildParams params = BuildParams.builder().nlist(8).pqM(4).build();
      // Every encoding task dies once after writing part of its index; Spark runs it again.
      spark.sparkContext().setLocalProperty(io.quiver.spark.internal.DistributedBuild.FAIL_FIRST_ATTEMPTS, "true");
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
