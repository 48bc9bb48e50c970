package io.quiver;

/**
 * Cumulative I/O counters of an index handle.
 *
 * @param bytesRead bytes read from Parquet files
 * @param readRequests coalesced read requests issued
 * @param pagesDecoded Parquet data pages decompressed and decoded
 * @param pageCacheHits pages served from the handle's page cache
 * @param cacheBytes bytes held by the page cache now
 */
public record IoStats(
    long bytesRead, long readRequests, long pagesDecoded, long pageCacheHits, long cacheBytes) {}
