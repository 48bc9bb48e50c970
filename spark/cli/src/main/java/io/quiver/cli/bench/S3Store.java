package io.quiver.cli.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;

/**
 * The benchmark's S3: s3proxy (its self-contained jar, which the build copies to {@code
 * spark/cli/target/s3proxy}) with its filesystem backend, in a process of its own, reached through
 * Hadoop's S3A connector, one bucket per {@link DelayProxy} in front of it.
 */
final class S3Store implements AutoCloseable {
  private static final String ACCESS_KEY = "quiver-bench";
  private static final String SECRET_KEY = "quiver-bench-secret";

  private final Process process;
  private final int port;
  private final Path buckets;

  private S3Store(Process process, int port, Path buckets) {
    this.process = process;
    this.port = port;
    this.buckets = buckets;
  }

  static S3Store start(Path jar, Path dir) throws Exception {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException("s3proxy's jar is missing: " + jar
          + " (spark/join-benchmark.sh builds it; or pass --s3proxy-jar)");
    }
    Path buckets = Files.createDirectories(dir.resolve("buckets"));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path conf = dir.resolve("s3proxy.conf");
    Files.writeString(conf, String.join("\n",
        "s3proxy.endpoint=http://127.0.0.1:" + port,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + ACCESS_KEY,
        "s3proxy.credential=" + SECRET_KEY,
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + buckets.toAbsolutePath()) + "\n");
    Path log = dir.resolve("s3proxy.log");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-jar", jar.toString(), "--properties", conf.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      if (!p.isAlive()) throw new IllegalStateException("s3proxy exited: see " + log);
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return new S3Store(p, port, buckets);
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          p.destroyForcibly();
          throw new IllegalStateException("s3proxy did not listen within 60 s: see " + log);
        }
        Thread.sleep(100);
      }
    }
  }

  int port() {
    return port;
  }

  /** Creates {@code bucket}, reached at localhost:{@code endpointPort} (this store or a proxy). */
  void addBucket(Configuration conf, String bucket, int endpointPort) throws IOException {
    Files.createDirectories(buckets.resolve(bucket));
    String b = "fs.s3a.bucket." + bucket + ".";
    conf.set(b + "endpoint", "http://127.0.0.1:" + endpointPort);
    conf.set(b + "endpoint.region", "us-east-1");
    conf.setBoolean(b + "path.style.access", true);
    conf.setBoolean(b + "connection.ssl.enabled", false);
    conf.set(b + "aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    conf.set(b + "access.key", ACCESS_KEY);
    conf.set(b + "secret.key", SECRET_KEY);
    // s3proxy answers the AWS SDK's bulk delete with 501 Not Implemented.
    conf.setBoolean(b + "multiobjectdelete.enable", false);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
  }
}
