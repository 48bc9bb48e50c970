package io.quiver.cli.bench;

import java.io.Serializable;

/**
 * The engine search benchmark's vector generator (cpp/bench/support/datagen), ported with the same
 * parameters and the same random streams: clusters whose within-cluster variation spans a random
 * 16-dimensional subspace, plus small isotropic noise, so that nearest neighbours mean something.
 * Row {@code i} is a pure function of (seed, i), so any task can generate any range of rows and
 * the benchmark can regenerate queries and ground truth without reading the corpus back; queries
 * are rows past any corpus (index 2^40 + j).
 */
public final class ClusteredVectors implements Serializable {
  private static final long serialVersionUID = 2L;

  /** DatagenSpec's defaults. */
  public static final int CLUSTERS = 1024;
  public static final int SUBSPACE_DIM = 16;
  public static final float CENTRE_SCALE = 1.0f;
  public static final float SUBSPACE_SCALE = 1.0f;
  public static final float NOISE = 0.05f;
  public static final long SEED = 2024;

  private static final long QUERY_BASE = 1L << 40;

  private final int dim;
  private final int clusters;
  private final long seed;
  private transient float[] centres; // clusters * dim
  private transient float[] bases; // clusters * SUBSPACE_DIM * dim
  private transient float[] scales; // clusters

  public ClusteredVectors(int dim, int clusters, long seed) {
    if (dim < 1 || clusters < 1) {
      throw new IllegalArgumentException("dim and clusters must be >= 1");
    }
    this.dim = dim;
    this.clusters = clusters;
    this.seed = seed;
  }

  /** For small corpora (demos): about one cluster per 1,000 rows, at least 16, at most 4,096. */
  public static int defaultClusters(long rows) {
    return (int) Math.max(16, Math.min(4096, rows / 1000));
  }

  public int dim() {
    return dim;
  }

  /** Corpus row {@code i}. */
  public float[] row(long i) {
    ensureModel();
    float[] x = new float[dim];
    Normal g = new Normal(seed * 0x2545f4914f6cdd1dL + i);
    int k = (int) Long.remainderUnsigned(g.bits(), clusters);
    for (int j = 0; j < dim; j++) {
      x[j] = centres[k * dim + j] + NOISE * g.next();
    }
    float[] z = new float[SUBSPACE_DIM];
    for (int t = 0; t < SUBSPACE_DIM; t++) {
      z[t] = scales[k] * g.next();
    }
    int basis = k * SUBSPACE_DIM * dim;
    for (int t = 0; t < SUBSPACE_DIM; t++) {
      int b = basis + t * dim;
      for (int j = 0; j < dim; j++) {
        x[j] += z[t] * bases[b + j];
      }
    }
    return x;
  }

  /** Query {@code j}: a fresh draw from the same distribution (not a corpus row). */
  public float[] query(long j) {
    return row(QUERY_BASE + j);
  }

  private synchronized void ensureModel() {
    if (scales != null) {
      return;
    }
    Normal g = new Normal(seed);
    float[] c = new float[clusters * dim];
    for (int i = 0; i < c.length; i++) {
      c[i] = CENTRE_SCALE * g.next();
    }
    // Random directions with entries N(0, 1/dim) are nearly orthonormal.
    float[] b = new float[clusters * SUBSPACE_DIM * dim];
    float unit = (float) (1.0 / Math.sqrt(dim));
    for (int i = 0; i < b.length; i++) {
      b[i] = unit * g.next();
    }
    // Clusters differ in spread, as real ones do.
    float[] s = new float[clusters];
    for (int i = 0; i < clusters; i++) {
      s[i] = SUBSPACE_SCALE * (0.5f + (float) (g.bits() >>> 11) * 0x1.0p-53f);
    }
    centres = c;
    bases = b;
    scales = s;
  }

  /** Standard normal pairs by Box-Muller from a SplitMix64 stream. */
  private static final class Normal {
    private long state;
    private float spare;
    private boolean hasSpare;

    Normal(long seed) {
      this.state = seed;
    }

    float next() {
      if (hasSpare) {
        hasSpare = false;
        return spare;
      }
      double u1 = ((double) (bits() >>> 11) + 0.5) * 0x1.0p-53;
      double u2 = (double) (bits() >>> 11) * 0x1.0p-53;
      double r = Math.sqrt(-2.0 * Math.log(u1));
      spare = (float) (r * Math.sin(2 * Math.PI * u2));
      hasSpare = true;
      return (float) (r * Math.cos(2 * Math.PI * u2));
    }

    long bits() {
      state += 0x9e3779b97f4a7c15L;
      long z = state;
      z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
      z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
      return z ^ (z >>> 31);
    }
  }
}
