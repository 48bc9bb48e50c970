package io.quiver.spark.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.apache.hadoop.fs.EtagSource;
import org.apache.hadoop.fs.FileStatus;

/**
 * A source file's version tag, the one number that must change whenever its bytes do: the
 * store's ETag where it has one (S3, ABFS, GCS), since object stores keep modification times to
 * the second and a same-size rewrite within that second would otherwise pass; the modification
 * time in nanoseconds elsewhere (HDFS, local files).
 */
public final class FileVersions {
  private FileVersions() {}

  public static long of(FileStatus st) {
    if (st instanceof EtagSource tagged) {
      String etag = tagged.getEtag();
      if (etag != null && !etag.isEmpty()) return hash(etag);
    }
    return st.getModificationTime() * 1_000_000L;
  }

  private static long hash(String etag) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(etag.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest).getLong() & Long.MAX_VALUE;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
