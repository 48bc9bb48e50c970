package io.quiver.spark;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under another scheme ({@code elsewhere:}), so that Quiver treats a directory on
 * it as remote storage, as it would HDFS or an object store: the index is uploaded there and
 * executors copy it to their local disk before mapping it.
 */
public class ElsewhereFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "elsewhere";

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }
}
