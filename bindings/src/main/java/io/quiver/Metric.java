package io.quiver;

import io.quiver.ffi.quiver_h;

/** The distance an index is built for. Smaller distances are always better. */
public enum Metric {
  /** Squared Euclidean distance. */
  L2(quiver_h.QV_METRIC_L2),
  /** {@code 1 - cos(q, x)}, in [0, 2]. */
  COSINE(quiver_h.QV_METRIC_COSINE),
  /** The negated inner product, {@code -dot(q, x)}. */
  INNER_PRODUCT(quiver_h.QV_METRIC_INNER_PRODUCT);

  private final int code;

  Metric(int code) {
    this.code = code;
  }

  /** The value of this metric in the C ABI ({@code QV_METRIC_*}). */
  public int code() {
    return code;
  }

  /** The metric with the given C ABI code. */
  public static Metric of(int code) {
    for (Metric m : values()) {
      if (m.code == code) return m;
    }
    throw new IllegalArgumentException("unknown metric code " + code);
  }
}
