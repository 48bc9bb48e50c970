/**
 * Quiver's Java handle: an IVF-PQ vector index beside Parquet files, searched in place.
 *
 * <p>{@link io.quiver.QuiverIndex} builds, opens, verifies and searches an index and fetches rows
 * of its source files as Arrow data; {@link io.quiver.BuildParams} and
 * {@link io.quiver.SearchParams} carry the parameters with the C library's defaults; results are
 * {@link io.quiver.SearchResult} objects or, for bulk callers, flat {@link io.quiver.SearchHits};
 * rows are identified by {@link io.quiver.RowKey}; deleted rows by a {@link io.quiver.RowFilter}.
 * Failures of the native library are {@link io.quiver.QuiverException} subclasses.
 *
 * <p>The native library is reached through the Foreign Function and Memory API (JDK 22+); run
 * with {@code --enable-native-access=ALL-UNNAMED}. The generated package {@code io.quiver.ffi}
 * and {@code io.quiver.internal} are not part of the API.
 */
package io.quiver;
