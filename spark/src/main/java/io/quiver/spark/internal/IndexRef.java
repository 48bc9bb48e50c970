package io.quiver.spark.internal;

import java.io.Serializable;
import java.util.List;

/**
 * Where an index lives and which build it is: what a task needs to open it. Small and
 * serializable, shipped in the join's closure.
 *
 * @param location the index directory, a Hadoop filesystem URI
 * @param key the index cache key (see {@link IndexKey}); tells rebuilds at one location apart
 * @param dim the vector dimension
 * @param files the source files by ordinal, as recorded in the index
 * @param source the table snapshot the files were taken from, as the index records it; "" for
 *     plain files
 */
public record IndexRef(String location, String key, int dim, List<String> files, String source)
    implements Serializable {
  public IndexRef {
    files = List.copyOf(files);
  }

  /** The ordinal of a source file, or an error naming it. */
  public int ordinalOf(String path) {
    String normalized = Locations.normalizeLocalFile(path);
    int i = files.indexOf(normalized);
    if (i < 0) {
      throw new IllegalArgumentException("the file " + path + " is not a source file of the index at " + location);
    }
    return i;
  }
}
