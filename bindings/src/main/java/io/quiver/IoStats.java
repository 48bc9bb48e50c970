package io.quiver;

/**
 * Cumulative I/O counters of an index handle: its searches and its fetches.
 *
 * @param bytesRead bytes read from Parquet files, footers included
 * @param readRequests read requests issued (nearby ranges merged into one)
 * @param pagesDecoded Parquet data pages decompressed and decoded for refinement
 * @param pageCacheHits vector pages served from the handle's page cache
 * @param cacheBytes bytes held by the page cache now
 */
public record IoStats(
    long bytesRead, long readRequests, long pagesDecoded, long pageCacheHits, long cacheBytes) {}
