package io.quiver.cli.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.spark.sql.SparkSession;

/**
 * The benchmark's remote corpora: one S3-compatible server, and per store name ({@code s3},
 * {@code s3+30ms}) a bucket reached through a {@link DelayProxy} adding that many milliseconds to
 * every request. The corpus's Parquet files are uploaded as they are, once.
 */
final class RemoteStores implements AutoCloseable {
  private static final Pattern NAME = Pattern.compile("s3(?:\\+(\\d+)ms)?");

  private final Path jar;
  private final Path dir;
  private S3Store server;
  private final Map<String, Store> stores = new LinkedHashMap<>();

  RemoteStores(Path jar, Path dir) {
    this.jar = jar;
    this.dir = dir;
  }

  /** A corpus location behind S3, with what crossed the wire counted. */
  final class Store {
    private final long delayMillis;
    private final String bucket;
    private final DelayProxy proxy;
    private FileSystem s3;

    private Store(long delayMillis, String bucket, DelayProxy proxy) {
      this.delayMillis = delayMillis;
      this.bucket = bucket;
      this.proxy = proxy;
    }

    String describe() {
      return delayMillis == 0 ? "S3" : "S3, +" + delayMillis + " ms per request";
    }

    /** {requests, bytes from the server} so far. */
    long[] counters() {
      return new long[] {proxy.requests.get(), proxy.bytesToClient.get()};
    }

    /** Uploads the files of {@code corpusDir} unless they are there; returns the corpus's URI. */
    String upload(SparkSession spark, Path corpusDir) throws IOException {
      Configuration conf = spark.sparkContext().hadoopConfiguration();
      String uri = "s3a://" + bucket + "/" + corpusDir.getFileName();
      org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(uri);
      s3 = target.getFileSystem(conf);
      if (!s3.exists(new org.apache.hadoop.fs.Path(target, "_SUCCESS"))) {
        long t0 = System.nanoTime();
        FileSystem local = FileSystem.getLocal(conf);
        for (org.apache.hadoop.fs.FileStatus f : local.listStatus(new org.apache.hadoop.fs.Path(corpusDir.toUri()))) {
          String name = f.getPath().getName();
          if (name.endsWith(".parquet") || name.equals("_SUCCESS")) {
            FileUtil.copy(local, f.getPath(), s3, new org.apache.hadoop.fs.Path(target, name), false, conf);
          }
        }
        System.err.printf(Locale.ROOT, "[join-benchmark] uploaded %s to %s in %.1f s%n", corpusDir, uri,
            (System.nanoTime() - t0) / 1e9);
      }
      return uri;
    }
  }

  Store store(SparkSession spark, String name) throws Exception {
    Store existing = stores.get(name);
    if (existing != null) return existing;
    Matcher m = NAME.matcher(name);
    if (!m.matches()) {
      throw new IllegalArgumentException("unknown store '" + name + "': local, s3 or s3+<N>ms");
    }
    long delay = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
    if (server == null) server = S3Store.start(jar, dir);
    DelayProxy proxy = new DelayProxy(server.port(), delay);
    String bucket = "corpus-" + delay + "ms";
    server.addBucket(spark.sparkContext().hadoopConfiguration(), bucket, proxy.port());
    Store store = new Store(delay, bucket, proxy);
    stores.put(name, store);
    return store;
  }

  /**
   * Closes the S3A filesystems while their server still answers (closed at JVM exit instead,
   * with the server gone, they retry for minutes and hold the exit), then the proxies and the
   * server.
   */
  @Override
  public void close() throws Exception {
    for (Store s : stores.values()) {
      if (s.s3 != null) s.s3.close();
    }
    for (Store s : stores.values()) s.proxy.close();
    if (server != null) server.close();
  }
}
