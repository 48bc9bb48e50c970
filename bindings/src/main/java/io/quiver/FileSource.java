package io.quiver;

import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Where an index's source files are read from when they are not local files: object stores, HDFS,
 * anything the application reaches. Give one to {@link QuiverIndex#build(java.util.List,
 * java.nio.file.Path, BuildParams, ProgressListener, FileSource)} and to {@link
 * QuiverIndex#open(java.nio.file.Path, FileSource)}: every read of a source file (the build's
 * scans, the fingerprints, refinement, fetch) then goes through it, and only the byte ranges a
 * search or fetch needs are read. Paths are passed as given (URIs, typically).
 *
 * <p>quiver-spark has one over Hadoop's {@code FileSystem} ({@code
 * io.quiver.spark.HadoopFileSource}). Implementations are called from the library's own threads,
 * concurrently; they must be thread-safe. A {@link FileNotFoundException} means the file is
 * missing (a stale index); any other exception is an I/O error that names the path and carries
 * the exception's message.
 */
public interface FileSource {

  /**
   * A file's size and version tag.
   *
   * @param sizeBytes the size in bytes
   * @param version a number that changes whenever the file changes: its modification time in
   *     nanoseconds since the epoch, or an equivalent
   */
  record Status(long sizeBytes, long version) {}

  /** The size and version of {@code path}; {@link FileNotFoundException} when it is missing. */
  Status stat(String path) throws IOException;

  /** Opens {@code path} for positioned reads. */
  OpenFile open(String path) throws IOException;

  /**
   * Whether a read costs a network round trip: the library then merges ranges further apart and
   * keeps more reads in flight. Default: true.
   */
  default boolean remote() {
    return true;
  }

  /** An open file. Reads may come from several threads at once. */
  interface OpenFile extends Closeable {
    /** The size in bytes. */
    long size();

    /**
     * Reads {@code lengths[i]} bytes from {@code offsets[i]} into {@code into[i]} for every i, all
     * of them (a file that ends early is an error). The ranges may be read in parallel.
     */
    void readRanges(long[] offsets, long[] lengths, MemorySegment[] into) throws IOException;
  }
}
