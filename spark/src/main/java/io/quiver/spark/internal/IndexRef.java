package io.quiver.spark.internal;

import io.quiver.RowKey;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * Where an index lives, which build it is and which rows it must not return: what a task needs
 * to open and search it. Serializable, shipped in the join's closure (a table's deleted rows
 * with it, 8 bytes each).
 *
 * @param location the index directory, a Hadoop filesystem URI
 * @param key the index cache key (see {@link IndexKey}); tells rebuilds at one location apart
 * @param dim the vector dimension
 * @param files the source files by ordinal, as recorded in the index
 * @param source the table snapshot answered from ("" for plain files): the one the index was
 *     built from, or a later one with the same files
 * @param deletedKeys packed row keys the snapshot deletes, which searches never return
 */
public record IndexRef(String location, String key, int dim, List<String> files, String source,
    long[] deletedKeys) implements Serializable {
  public IndexRef {
    files = List.copyOf(files);
  }

  public IndexRef(String location, String key, int dim, List<String> files, String source) {
    this(location, key, dim, files, source, new long[0]);
  }

  /** This index answering for {@code corpus}: its table snapshot and the rows that deletes. */
  IndexRef answering(CorpusFiles corpus) {
    if (corpus.table() == null) return this;
    return new IndexRef(location, key, dim, files, corpus.sourceText(), keysOf(corpus.deletedRows()));
  }

  /** Packed row keys ({@link RowKey#pack}) of row numbers given by source file. */
  public long[] keysOf(Map<String, long[]> rowsByFile) {
    java.util.stream.LongStream.Builder keys = java.util.stream.LongStream.builder();
    for (Map.Entry<String, long[]> e : rowsByFile.entrySet()) {
      int ordinal = ordinalOf(e.getKey());
      for (long row : e.getValue()) keys.add(RowKey.pack(ordinal, row));
    }
    return keys.build().toArray();
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
