package io.quiver;

/**
 * One hit of a search.
 *
 * @param key the row's key
 * @param path the source file, as recorded in the index (absolute)
 * @param row the row within that file (same as {@code key.row()})
 * @param distance the distance to the query under the index's metric; smaller is better.
 *     Exact when the search refined its candidates, the PQ approximation otherwise.
 */
public record SearchResult(RowKey key, String path, long row, float distance) {}
