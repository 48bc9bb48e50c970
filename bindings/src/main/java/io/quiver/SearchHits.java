package io.quiver;

/**
 * The results of a batch search in flat arrays, for callers that should not allocate per hit:
 * query {@code i}'s hits are at {@code [i * k, i * k + k)}, best first. Slots past the rows found
 * hold {@link RowKey#NO_ROW} and {@code +inf}. Keys are packed ({@link RowKey#file(long)},
 * {@link RowKey#row(long)}).
 *
 * @param n number of queries
 * @param k hits per query
 * @param keys packed row keys, {@code n * k}
 * @param distances distances, {@code n * k}
 */
public record SearchHits(int n, int k, long[] keys, float[] distances) {

  public SearchHits {
    if ((long) n * k != keys.length || keys.length != distances.length) {
      throw new IllegalArgumentException("arrays must hold n * k = " + (long) n * k + " hits");
    }
  }

  /** The packed key of hit {@code j} of query {@code i}, or {@link RowKey#NO_ROW}. */
  public long key(int i, int j) {
    return keys[i * k + j];
  }

  /** The distance of hit {@code j} of query {@code i}. */
  public float distance(int i, int j) {
    return distances[i * k + j];
  }

  /** The number of hits found for query {@code i} (k unless fewer live rows exist). */
  public int count(int i) {
    int c = 0;
    while (c < k && keys[i * k + c] != RowKey.NO_ROW) c++;
    return c;
  }
}
