package io.quiver.spark;

import io.quiver.RowFilter;
import io.quiver.SearchParams;
import io.quiver.spark.internal.IndexRef;
import java.util.List;

/**
 * An index known to a {@link QuiverSession}: where it lives and what it covers. Searches go
 * through the session; the native handle behind it is shared with the join's tasks in this JVM.
 */
public final class CorpusIndex {
  private final IndexRef ref;
  private RowFilter deletes; // made on first use; its native memory is freed when unreachable

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
   * version 3}; "" when the corpus is plain Parquet files. Its deleted rows (Delta deletion
   * vectors) are never returned. Searches answer from this snapshot even after the table moves
   * on: {@link QuiverSession#buildIfMissing} again follows it (a later version with the same files
   * is answered by the same index, with that version's deletes).
   */
  public String source() {
    return ref.source();
  }

  /** {@code params} with the snapshot's deleted rows as the filter, when it deletes any. */
  SearchParams withDeletes(SearchParams params) {
    if (ref.deletedKeys().length == 0) {
      return params;
    }
    if (params.filter() != null) {
      throw new IllegalArgumentException("the " + ref.source() + " deletes rows, which are this index's"
          + " row filter; a search over it takes no filter of its own");
    }
    synchronized (this) {
      if (deletes == null) {
        deletes = RowFilter.of(ref.deletedKeys());
      }
    }
    return params.toBuilder().filter(deletes).build();
  }

  @Override
  public String toString() {
    return "CorpusIndex[" + ref.location() + ", dim " + ref.dim() + ", " + ref.files().size() + " files"
        + (ref.source().isEmpty() ? "" : ", " + ref.source()) + "]";
  }
}
