package io.quiver.cli;

import io.quiver.BuildParams;
import io.quiver.CorruptIndexException;
import io.quiver.IndexInfo;
import io.quiver.NotFoundException;
import io.quiver.ProgressListener;
import io.quiver.QuiverIndex;
import io.quiver.StaleIndexException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds an index with a progress bar unless a fresh one over the same files is already there.
 * The join and the demo build through here first, so that the build (the long part) shows its
 * progress; the Spark join then finds the index at that location and uses it as is.
 */
final class IndexBuilds {
  private IndexBuilds() {}

  /** What {@link #ensure} did: whether it built, and how long that took. */
  record Outcome(boolean built, double seconds, IndexInfo info) {}

  static Outcome ensure(List<Path> corpus, Path indexDir, BuildParams params, boolean progress,
      PrintWriter log) {
    if (Files.isDirectory(indexDir)) {
      try (QuiverIndex existing = QuiverIndex.open(indexDir)) {
        IndexInfo info = existing.info();
        if (info.vectorColumn().equals(params.vectorColumn()) && info.metric() == params.metric()) {
          log.printf("Using the index at %s (fresh, %s rows)%n", indexDir, Units.count(info.rowsIndexed()));
          log.flush();
          return new Outcome(false, 0, info);
        }
      } catch (StaleIndexException | CorruptIndexException | NotFoundException e) {
        log.printf("Rebuilding the index at %s: %s%n", indexDir, e.getMessage());
        log.flush();
      }
    }
    long start = System.nanoTime();
    QuiverIndex.build(corpus, indexDir, params, progress ? ProgressListener.console() : ProgressListener.none());
    double seconds = (System.nanoTime() - start) / 1e9;
    try (QuiverIndex built = QuiverIndex.open(indexDir)) {
      return new Outcome(true, seconds, built.info());
    }
  }
}
