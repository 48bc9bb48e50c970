package io.quiver.spark.internal;

import java.net.URI;
import java.nio.file.Path;

/** Hadoop filesystem URIs versus paths on this machine's disk. */
public final class Locations {
  private Locations() {}

  /** The local path of a location on the local filesystem ("file:" or no scheme), else null. */
  public static Path localPath(String location) {
    URI uri = new org.apache.hadoop.fs.Path(location).toUri();
    if (uri.getScheme() == null) {
      return Path.of(uri.getPath()).toAbsolutePath().normalize();
    }
    if (uri.getScheme().equals("file")) {
      return Path.of(uri).toAbsolutePath().normalize();
    }
    return null;
  }

  /**
   * A local file named by a path or a file: URI, as the engine records it: absolute, with
   * symbolic links resolved when the file exists.
   */
  public static String normalizeLocalFile(String pathOrUri) {
    Path p = localPath(pathOrUri);
    if (p == null) {
      return pathOrUri;
    }
    try {
      return p.toRealPath().toString();
    } catch (java.io.IOException e) {
      return p.toString();
    }
  }
}
