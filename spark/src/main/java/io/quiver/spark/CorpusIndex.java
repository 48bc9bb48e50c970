package io.quiver.spark;

import io.quiver.spark.internal.IndexRef;
import java.util.List;

/**
 * An index known to a {@link QuiverSession}: where it lives and what it covers. Searches go
 * through the session; the native handle behind it is shared with the join's tasks in this JVM.
 */
public final class CorpusIndex {
  private final IndexRef ref;

  CorpusIndex(IndexRef ref) {
    this.ref = ref;
  }

  IndexRef ref() {
    return ref;
  }

  /** The index directory (a Hadoop filesystem URI or a local path). */
  public String location() {
    return ref.location();
  }

  /** The vector dimension. */
  public int dim() {
    return ref.dim();
  }

  /** The source files by ordinal ({@link io.quiver.RowKey#file()}). */
  public List<String> files() {
    return ref.files();
  }

  /**
   * The table snapshot the index answers from, for instance {@code delta table file:/data/items
   * version 3}; "" when the corpus is plain Parquet files. Searches answer from this snapshot even
   * after the table moves on: {@link QuiverSession#buildIfMissing} again notices the change.
   */
  public String source() {
    return ref.source();
  }

  @Override
  public String toString() {
    return "CorpusIndex[" + ref.location() + ", dim " + ref.dim() + ", " + ref.files().size() + " files"
        + (ref.source().isEmpty() ? "" : ", " + ref.source()) + "]";
  }
}
