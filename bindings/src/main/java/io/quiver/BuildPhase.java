package io.quiver;

import io.quiver.ffi.quiver_h;

/** The phases of an index build, in order, as reported to a {@link ProgressListener}. */
public enum BuildPhase {
  /** Reading footers, counting rows; progress counts rows. */
  SCAN(quiver_h.QV_PHASE_SCAN),
  /** Reading the training sample; progress counts rows. */
  SAMPLE(quiver_h.QV_PHASE_SAMPLE),
  /**
   * k-means for the coarse quantizer, then the PQ codebooks; progress counts k-means steps
   * (iterations; from 8,192 lists on, also one per group of lists).
   */
  TRAIN(quiver_h.QV_PHASE_TRAIN),
  /** Streaming every file and encoding every vector; progress counts rows. */
  ENCODE(quiver_h.QV_PHASE_ENCODE),
  /** Writing and syncing the index files; progress counts bytes. */
  WRITE(quiver_h.QV_PHASE_WRITE);

  private final int code;

  BuildPhase(int code) {
    this.code = code;
  }

  /** The value of this phase in the C ABI ({@code QV_PHASE_*}). */
  public int code() {
    return code;
  }

  /** The phase with the given C ABI code. */
  public static BuildPhase of(int code) {
    for (BuildPhase p : values()) {
      if (p.code == code) return p;
    }
    throw new IllegalArgumentException("unknown build phase " + code);
  }
}
