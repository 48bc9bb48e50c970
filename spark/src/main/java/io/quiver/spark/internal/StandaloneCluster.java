package io.quiver.spark.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark standalone cluster on this machine: a Master and workers of one core each, every one a
 * process of its own started from this JVM's class path, whose executors are JVMs of their own
 * too. What the multi-process tests and the build benchmark run the distributed build on.
 */
public final class StandaloneCluster implements AutoCloseable {
  private final Path dir;
  private final String master;
  private final List<Process> processes = new ArrayList<>();

  private StandaloneCluster(Path dir, String master) {
    this.dir = dir;
    this.master = master;
  }

  /**
   * Starts a Master and {@code workers} workers of one core and {@code workerMemory} (a Spark
   * size, "1g") each; their logs and work directories go under {@code dir}.
   */
  public static StandaloneCluster start(Path dir, int workers, String workerMemory) throws Exception {
    // A Spark home for the workers: they start executors with its jars/ (this class path's jars);
    // the directories of the class path go to the executors as extraClassPath (see session).
    Path home = Files.createDirectories(dir.resolve("spark-home"));
    Files.writeString(home.resolve("RELEASE"), "Spark of the Quiver class path\n");
    Path jars = Files.createDirectories(home.resolve("jars"));
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
        Path link = jars.resolve(p.getFileName());
        if (!Files.exists(link)) Files.createSymbolicLink(link, p.toAbsolutePath());
      }
    }
    int port = Processes.freePort();
    StandaloneCluster c = new StandaloneCluster(dir, "spark://127.0.0.1:" + port);
    try {
      Process m = c.launch(home, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
          String.valueOf(port), "--webui-port", String.valueOf(Processes.freePort()));
      Processes.awaitPort(port, m, c.log("Master", 0));
      for (int w = 0; w < workers; w++) {
        Path work = Files.createDirectories(dir.resolve("worker-" + w));
        c.launch(home, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1",
            "--memory", workerMemory, "--webui-port", String.valueOf(Processes.freePort()),
            "--work-dir", work.toString(), c.master);
      }
      return c;
    } catch (Exception e) {
      c.close();
      throw e;
    }
  }

  public String masterUrl() {
    return master;
  }

  /**
   * A session builder for this cluster: executors of one core and {@code executorMemory}, as
   * many as the workers, with this class path (and the JVM flags the native library needs).
   */
  public SparkSession.Builder session(String appName, int executors, String executorMemory) {
    String classDirs = List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
        .filter(e -> !e.endsWith(".jar"))
        .collect(Collectors.joining(File.pathSeparator));
    return SparkSession.builder()
        .master(master)
        .appName(appName)
        .config("spark.executor.memory", executorMemory)
        .config("spark.executor.cores", "1")
        .config("spark.cores.max", String.valueOf(executors))
        .config("spark.executor.extraClassPath", classDirs)
        .config("spark.executor.extraJavaOptions", String.join(" ", Processes.jvmFlags()))
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.serializer.extraDebugInfo", "false")
        .config("spark.default.parallelism", String.valueOf(executors));
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : processes) Processes.stop(p);
    processes.clear();
  }

  private Path log(String mainClass, int n) {
    return dir.resolve(mainClass.substring(mainClass.lastIndexOf('.') + 1) + "-" + n + ".log");
  }

  private Process launch(Path sparkHome, String mainClass, String... args) throws IOException {
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
    Process p = pb.start();
    processes.add(p);
    return p;
  }
}
