package io.quiver.spark.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Best-effort removal of temporary directories: a failure is logged, never thrown. */
final class Cleanup {
  private static final Logger LOG = LoggerFactory.getLogger(Cleanup.class);

  private Cleanup() {}

  static void deleteLocalTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot remove {}: {}", dir, e.toString());
    }
  }

  static void delete(String location, Configuration conf) {
    Path local = Locations.localPath(location);
    if (local != null) {
      deleteLocalTree(local);
      return;
    }
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(location);
      p.getFileSystem(conf).delete(p, true);
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot remove {}: {}", location, e.toString());
    }
  }
}
