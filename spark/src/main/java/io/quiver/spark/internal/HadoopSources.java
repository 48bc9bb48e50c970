package io.quiver.spark.internal;

import io.quiver.FileSource;
import io.quiver.spark.HadoopFileSource;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;

/**
 * The one Hadoop file source of this JVM. A native file source lives as long as the JVM (an
 * index may call it until its last moment), so the driver and each executor keep one, reading
 * with the Hadoop configuration it was last given: the session's on the driver, the join's
 * broadcast copy on an executor.
 */
public final class HadoopSources {
  private static volatile HadoopFileSource current;
  private static final FileSource SHARED = new FileSource() {
    @Override
    public Status stat(String path) throws IOException {
      return current.stat(path);
    }

    @Override
    public OpenFile open(String path) throws IOException {
      return current.open(path);
    }
  };

  private HadoopSources() {}

  /** The JVM's source, reading with {@code conf} from now on. */
  public static synchronized FileSource shared(Configuration conf) {
    if (current == null || current.configuration() != conf) {
      current = new HadoopFileSource(conf);
    }
    return SHARED;
  }
}
