package io.quiver.spark.bench;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Vectors whose nearest neighbours mean something: points around cluster centres, varying within
 * a random low-dimensional subspace of each cluster, plus small isotropic noise. Row {@code i} is
 * a pure function of (seed, i), so any task can generate any range of rows, and the benchmark
 * can regenerate queries and ground truth without reading the corpus back.
 *
 * <p>The parameters follow the engine's search benchmark generator: centres uniform in [-1, 1)^dim
 * scaled by {@link #CENTER_SCALE}, an orthonormal basis of {@link #SUBSPACE_DIM} directions per
 * cluster with Gaussian coefficients of standard deviation {@link #SUBSPACE_SIGMA}, and Gaussian
 * noise of standard deviation {@link #NOISE_SIGMA} on every coordinate.
 */
public final class ClusteredVectors implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final int SUBSPACE_DIM = 16;
  public static final double CENTER_SCALE = 1.0;
  public static final double SUBSPACE_SIGMA = 0.25;
  public static final double NOISE_SIGMA = 0.02;

  private final int dim;
  private final int clusters;
  private final long seed;
  private transient float[][] centres;
  private transient float[][][] bases;

  /** @param clusters number of clusters; {@link #defaultClusters} picks one from the row count */
  public ClusteredVectors(int dim, int clusters, long seed) {
    if (dim < 1 || clusters < 1) {
      throw new IllegalArgumentException("dim and clusters must be >= 1");
    }
    this.dim = dim;
    this.clusters = clusters;
    this.seed = seed;
  }

  /** About one cluster per 1,000 rows, at least 16. */
  public static int defaultClusters(long rows) {
    return (int) Math.max(16, Math.min(4096, rows / 1000));
  }

  public int dim() {
    return dim;
  }

  /** Corpus row {@code i}. */
  public float[] row(long i) {
    return point(new SplittableRandom(mix(seed, 2 * i)));
  }

  /** Query {@code j}: a fresh draw from the same distribution (not a corpus row). */
  public float[] query(long j) {
    return point(new SplittableRandom(mix(seed, 2 * j + 1) ^ 0x5DEECE66DL));
  }

  private float[] point(SplittableRandom r) {
    ensureModel();
    int c = r.nextInt(clusters);
    float[] v = centres[c].clone();
    float[][] basis = bases[c];
    for (int s = 0; s < basis.length; s++) {
      double coef = gaussian(r) * SUBSPACE_SIGMA;
      float[] b = basis[s];
      for (int d = 0; d < dim; d++) {
        v[d] += (float) (coef * b[d]);
      }
    }
    for (int d = 0; d < dim; d++) {
      v[d] += (float) (gaussian(r) * NOISE_SIGMA);
    }
    return v;
  }

  private synchronized void ensureModel() {
    if (centres != null) {
      return;
    }
    SplittableRandom r = new SplittableRandom(mix(seed, -1));
    float[][] cs = new float[clusters][dim];
    float[][][] bs = new float[clusters][][];
    int sub = Math.min(SUBSPACE_DIM, dim);
    for (int c = 0; c < clusters; c++) {
      for (int d = 0; d < dim; d++) {
        cs[c][d] = (float) ((r.nextDouble() * 2 - 1) * CENTER_SCALE);
      }
      bs[c] = orthonormalBasis(r, sub);
    }
    bases = bs;
    centres = cs;
  }

  /** {@code n} orthonormal directions (Gram-Schmidt over Gaussian vectors). */
  private float[][] orthonormalBasis(SplittableRandom r, int n) {
    double[][] b = new double[n][dim];
    for (int s = 0; s < n; s++) {
      for (int d = 0; d < dim; d++) {
        b[s][d] = gaussian(r);
      }
      for (int t = 0; t < s; t++) {
        double dot = 0;
        for (int d = 0; d < dim; d++) {
          dot += b[s][d] * b[t][d];
        }
        for (int d = 0; d < dim; d++) {
          b[s][d] -= dot * b[t][d];
        }
      }
      double norm = 0;
      for (int d = 0; d < dim; d++) {
        norm += b[s][d] * b[s][d];
      }
      norm = Math.sqrt(norm);
      for (int d = 0; d < dim; d++) {
        b[s][d] /= norm;
      }
    }
    float[][] out = new float[n][dim];
    for (int s = 0; s < n; s++) {
      for (int d = 0; d < dim; d++) {
        out[s][d] = (float) b[s][d];
      }
    }
    return out;
  }

  /** Box-Muller (one of the pair; the generator is cheap next to writing Parquet). */
  private static double gaussian(SplittableRandom r) {
    double u = 1.0 - r.nextDouble();
    double v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private static long mix(long seed, long i) {
    long z = seed * 0x9E3779B97F4A7C15L + i;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
