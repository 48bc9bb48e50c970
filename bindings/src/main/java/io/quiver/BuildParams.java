package io.quiver;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Parameters of an index build. Immutable; start from {@link #defaults()} or {@link #builder()}.
 * The defaults are those of quiver.h: vector column {@code "embedding"}, metric L2, nlist 0
 * (chosen from the row count, about 4 * sqrt(rows)), pqM 0 (chosen from the dimension: dim / 4
 * rounded down to a divisor of dim, at most 64), pqBits 8, trainSample 0 (max(32 * nlist,
 * 100000), capped at the row count), seed 42, threads 0 (all cores).
 */
public final class BuildParams {

  private static final BuildParams DEFAULTS = builder().build();

  private final String vectorColumn;
  private final Metric metric;
  private final int nlist;
  private final int pqM;
  private final int pqBits;
  private final long trainSample;
  private final long seed;
  private final int threads;
  private final String source;
  private final Path quantizersFrom;

  private BuildParams(Builder b) {
    this.vectorColumn = b.vectorColumn;
    this.metric = b.metric;
    this.nlist = b.nlist;
    this.pqM = b.pqM;
    this.pqBits = b.pqBits;
    this.trainSample = b.trainSample;
    this.seed = b.seed;
    this.threads = b.threads;
    this.source = b.source;
    this.quantizersFrom = b.quantizersFrom;
  }

  /** The defaults of quiver.h. */
  public static BuildParams defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these parameters. */
  public Builder toBuilder() {
    return new Builder()
        .vectorColumn(vectorColumn).metric(metric).nlist(nlist).pqM(pqM).pqBits(pqBits)
        .trainSample(trainSample).seed(seed).threads(threads).source(source)
        .quantizersFrom(quantizersFrom);
  }

  public String vectorColumn() { return vectorColumn; }

  public Metric metric() { return metric; }

  public int nlist() { return nlist; }

  public int pqM() { return pqM; }

  public int pqBits() { return pqBits; }

  public long trainSample() { return trainSample; }

  public long seed() { return seed; }

  public int threads() { return threads; }

  /** What the files were taken from (see {@link Builder#source}); empty for plain files. */
  public String source() { return source; }

  /** The index whose quantizers a build encodes with (see {@link Builder#quantizersFrom}). */
  public Optional<Path> quantizersFrom() { return Optional.ofNullable(quantizersFrom); }

  @Override
  public boolean equals(Object o) {
    return o instanceof BuildParams p && vectorColumn.equals(p.vectorColumn) && metric == p.metric
        && nlist == p.nlist && pqM == p.pqM && pqBits == p.pqBits && trainSample == p.trainSample
        && seed == p.seed && threads == p.threads && source.equals(p.source)
        && Objects.equals(quantizersFrom, p.quantizersFrom);
  }

  @Override
  public int hashCode() {
    return Objects.hash(vectorColumn, metric, nlist, pqM, pqBits, trainSample, seed, threads, source,
        quantizersFrom);
  }

  @Override
  public String toString() {
    return "BuildParams{vectorColumn=" + vectorColumn + ", metric=" + metric + ", nlist=" + nlist
        + ", pqM=" + pqM + ", pqBits=" + pqBits + ", trainSample=" + trainSample + ", seed=" + seed
        + ", threads=" + threads + (source.isEmpty() ? "" : ", source=" + source)
        + (quantizersFrom == null ? "" : ", quantizersFrom=" + quantizersFrom) + "}";
  }

  /** Builds {@link BuildParams}. The native library validates the values when the build starts. */
  public static final class Builder {
    private String vectorColumn = "embedding";
    private Metric metric = Metric.L2;
    private int nlist;
    private int pqM;
    private int pqBits = 8;
    private long trainSample;
    private long seed = 42;
    private int threads;
    private String source = "";
    private Path quantizersFrom;

    private Builder() {}

    /** The Parquet column holding the vectors (a list of floats). */
    public Builder vectorColumn(String column) {
      this.vectorColumn = Objects.requireNonNull(column, "column");
      return this;
    }

    public Builder metric(Metric metric) {
      this.metric = Objects.requireNonNull(metric, "metric");
      return this;
    }

    /** Number of IVF partitions; 0 chooses about 4 * sqrt(rows). */
    public Builder nlist(int nlist) {
      this.nlist = nlist;
      return this;
    }

    /** Number of PQ sub-quantizers, a divisor of the dimension; 0 chooses one. */
    public Builder pqM(int m) {
      this.pqM = m;
      return this;
    }

    /** Bits per PQ code; only 8 is supported. */
    public Builder pqBits(int bits) {
      this.pqBits = bits;
      return this;
    }

    /** Rows sampled for training; 0 chooses max(32 * nlist, 100000), capped at the row count. */
    public Builder trainSample(long rows) {
      this.trainSample = rows;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Build threads; 0 uses all cores. */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /**
     * What the files were taken from, in the caller's words: for instance a table and the
     * version whose files are indexed. Recorded in the index's manifest and returned by {@link
     * IndexInfo#source()}, so that whoever opens the index later can tell which snapshot it
     * answers from. Not interpreted by the library.
     */
    public Builder source(String source) {
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * Train nothing: encode with the quantizers of the index in {@code indexDir}, taking its
     * metric, nlist and pqM (this builder's are then ignored). The index built is then exactly
     * the one {@code indexDir} becomes by {@link QuiverIndex#append appending} the same files;
     * null trains (the default).
     */
    public Builder quantizersFrom(Path indexDir) {
      this.quantizersFrom = indexDir;
      return this;
    }

    public BuildParams build() {
      return new BuildParams(this);
    }
  }
}
