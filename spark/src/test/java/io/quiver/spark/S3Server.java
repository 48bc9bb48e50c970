package io.quiver.spark;

import io.quiver.spark.internal.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * A real S3-compatible server for the tests: s3proxy (Maven Central's {@code
 * org.gaul:s3proxy}, the jar the build copies to {@code target/s3proxy}) with its filesystem
 * backend, in a process of its own, reached through Hadoop's S3A connector with path-style
 * requests, as a user would reach MinIO or Ceph.
 */
final class S3Server implements AutoCloseable {
  static final String ACCESS_KEY = "quiver-test";
  static final String SECRET_KEY = "quiver-test-secret";

  private final Path dir;
  private final int port;
  private Process process;

  private S3Server(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** Starts a server storing its buckets under {@code dir}, with {@code buckets} created. */
  static S3Server start(Path dir, String... buckets) throws Exception {
    String jar = System.getProperty("quiver.test.s3proxy.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("s3proxy's jar is missing (" + jar + "): run the tests through Maven");
    }
    Path data = Files.createDirectories(dir.resolve("buckets"));
    for (String b : buckets) Files.createDirectories(data.resolve(b));
    S3Server server = new S3Server(dir, Processes.freePort());
    Files.writeString(dir.resolve("s3proxy.conf"), String.join("\n",
        "s3proxy.endpoint=" + server.endpoint(),
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + ACCESS_KEY,
        "s3proxy.credential=" + SECRET_KEY,
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + data) + "\n");
    server.startProcess(jar);
    return server;
  }

  private void startProcess(String jar) throws Exception {
    List<String> cmd = new ArrayList<>(Processes.java());
    cmd.addAll(List.of("-Xmx256m", "-jar", jar, "--properties", dir.resolve("s3proxy.conf").toString()));
    Path log = dir.resolve("s3proxy.log");
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Processes.awaitPort(port, process, log);
  }

  String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** S3A settings for this server, failing fast (no minutes of retries) when it is down. */
  void configure(Configuration conf) {
    conf.set("fs.s3a.endpoint", endpoint());
    conf.set("fs.s3a.endpoint.region", "us-east-1");
    conf.setBoolean("fs.s3a.path.style.access", true);
    conf.setBoolean("fs.s3a.connection.ssl.enabled", false);
    conf.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    conf.set("fs.s3a.access.key", ACCESS_KEY);
    conf.set("fs.s3a.secret.key", SECRET_KEY);
    // s3proxy, like several third-party stores, answers the AWS SDK's bulk delete (its checksum
    // headers) with 501 Not Implemented: delete one object at a time, as Hadoop documents.
    conf.setBoolean("fs.s3a.multiobjectdelete.enable", false);
    conf.setInt("fs.s3a.attempts.maximum", 1);
    conf.setInt("fs.s3a.retry.limit", 1);
    conf.set("fs.s3a.retry.interval", "10ms");
    conf.setInt("fs.s3a.retry.throttle.limit", 1);
    conf.set("fs.s3a.connection.establish.timeout", "2s");
  }

  /** Stops the server: later requests find nothing listening. */
  @Override
  public void close() throws InterruptedException {
    if (process != null) Processes.stop(process);
    process = null;
  }
}
