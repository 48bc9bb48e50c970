package io.quiver;

import java.nio.file.Path;

/**
 * One source file of an index, as recorded at build time.
 *
 * @param ordinal the file's ordinal: {@link RowKey#file()} of its rows
 * @param path the absolute path recorded at build time
 * @param rows rows in the file
 * @param rowsIndexed rows with a usable vector
 * @param sizeBytes fingerprint: file size
 * @param mtimeNanos fingerprint: modification time, nanoseconds since the epoch (for a file read
 *     through a {@link FileSource}, the version tag it reported)
 * @param footerHash fingerprint: 64-bit hash of the Parquet footer
 * @param location the path exactly as recorded: for a file read through a {@link FileSource},
 *     its URI ({@code path} is then only its local-path reading)
 */
public record FileInfo(
    int ordinal, Path path, long rows, long rowsIndexed, long sizeBytes, long mtimeNanos,
    long footerHash, String location) {}
