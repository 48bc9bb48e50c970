package io.quiver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A small corpus of Parquet files written by parquet-java, the vectors kept in memory for brute
 * force, and an index over them.
 */
final class Corpus {

  static final int DIM = 16;
  static final int[] ROWS = {800, 700, 600};
  /** Rows of file 1 whose vector is written as null. */
  static final Set<Integer> NULL_ROWS = Set.of(3, 50, 699);

  final Path dataDir;
  final Path indexDir;
  final List<Path> files = new ArrayList<>();
  final float[][][] vectors = new float[ROWS.length][][];
  final Metric metric;

  Corpus(Path root, Metric metric) throws IOException {
    this.metric = metric;
    this.dataDir = Files.createDirectories(root.resolve("data"));
    this.indexDir = root.resolve("index");
    long id = 0;
    for (int f = 0; f < ROWS.length; f++) {
      float[][] v = ParquetFixtures.clustered(ROWS[f], DIM, 1000 + f);
      if (f == 1) for (int r : NULL_ROWS) v[r] = null;
      vectors[f] = v;
      Path file = dataDir.resolve("part-" + f + ".parquet");
      ParquetFixtures.write(file, v, id);
      files.add(file);
      id += ROWS[f];
    }
  }

  /** Build parameters small enough for a quick build, probed fully by {@link #exact}. */
  BuildParams buildParams() {
    return BuildParams.builder().metric(metric).nlist(16).pqM(4).seed(7).threads(2).build();
  }

  /** Full probe and a refinement covering every row: the search must be exact. */
  static SearchParams exact() {
    return SearchParams.builder().nprobes(16).refineFactor(400).threads(2).build();
  }

  void build() {
    QuiverIndex.build(List.of(dataDir), indexDir, buildParams(), null);
  }

  int totalRows() {
    return IntStream.of(ROWS).sum();
  }

  /** The id column's value of a row: ids run on across the files. */
  static long id(RowKey key) {
    long id = 0;
    for (int f = 0; f < key.file(); f++) id += ROWS[f];
    return id + key.row();
  }

  float[] vector(RowKey key) {
    return vectors[key.file()][(int) key.row()];
  }

  static float distance(Metric metric, float[] q, float[] x) {
    double dot = 0, qq = 0, xx = 0, l2 = 0;
    for (int d = 0; d < q.length; d++) {
      dot += (double) q[d] * x[d];
      qq += (double) q[d] * q[d];
      xx += (double) x[d] * x[d];
      double diff = (double) q[d] - x[d];
      l2 += diff * diff;
    }
    return switch (metric) {
      case L2 -> (float) l2;
      case COSINE -> (float) (1 - dot / Math.sqrt(qq * xx));
      case INNER_PRODUCT -> (float) -dot;
    };
  }

  /** The exact k nearest live rows, best first. */
  List<SearchResult> bruteForce(float[] q, int k, Set<RowKey> deleted) {
    List<SearchResult> all = new ArrayList<>();
    for (int f = 0; f < vectors.length; f++) {
      for (int r = 0; r < vectors[f].length; r++) {
        if (vectors[f][r] == null) continue;
        RowKey key = new RowKey(f, r);
        if (deleted.contains(key)) continue;
        all.add(new SearchResult(key, files.get(f).toAbsolutePath().toString(), r,
            distance(metric, q, vectors[f][r])));
      }
    }
    all.sort(Comparator.comparingDouble(SearchResult::distance));
    return all.subList(0, Math.min(k, all.size()));
  }

  static float[][] queries(int n, long seed) {
    return ParquetFixtures.clustered(n, DIM, seed);
  }

  @Override
  public String toString() {
    return metric + " corpus of " + Arrays.toString(ROWS) + " rows";
  }
}
