package io.quiver;

import io.quiver.ffi.quiver_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.ADDRESS;

/**
 * Parameters of a search (and of the reads of a fetch). Immutable and safe to share between
 * threads; start from {@link #defaults()} or {@link #builder()}. The defaults are those of
 * quiver.h: nprobes 16 (capped at nlist), refineFactor 8, threads 0 (all cores), ioGapBytes and
 * ioConcurrency chosen by where the files are ({@link #AUTOMATIC}: 64 KiB and 4 for local files,
 * 4 MiB and 32 through a remote {@link FileSource}), and no row filter (the handle's own filter
 * applies, see {@link QuiverIndex#setRowFilter}).
 */
public final class SearchParams {

  /** IVF partitions probed per query unless set: quiver.h's QV_DEFAULT_NPROBES. */
  public static final int DEFAULT_NPROBES = quiver_h.QV_DEFAULT_NPROBES;
  /** Refine factor unless set: quiver.h's QV_DEFAULT_REFINE_FACTOR. */
  public static final int DEFAULT_REFINE_FACTOR = quiver_h.QV_DEFAULT_REFINE_FACTOR;
  /**
   * {@link #ioGapBytes()} and {@link #ioConcurrency()} unless set: the library picks them by
   * where the files are (quiver.h's QV_DEFAULT_IO_* for local files, QV_DEFAULT_REMOTE_IO_* for a
   * remote {@link FileSource}).
   */
  public static final int AUTOMATIC = -1;

  private static final Cleaner CLEANER = Cleaner.create();
  private static final SearchParams DEFAULTS = builder().build();

  private final int nprobes;
  private final int refineFactor;
  private final int threads;
  private final long ioGapBytes;
  private final int ioConcurrency;
  private final boolean recheckSources;
  private final RowFilter filter;

  /** The native qv_search_params, made on first use; NULL for the defaults. */
  private volatile MemorySegment nativeParams;

  private SearchParams(Builder b) {
    this.nprobes = b.nprobes;
    this.refineFactor = b.refineFactor;
    this.threads = b.threads;
    this.ioGapBytes = b.ioGapBytes;
    this.ioConcurrency = b.ioConcurrency;
    this.recheckSources = b.recheckSources;
    this.filter = b.filter;
  }

  /** The defaults of quiver.h. */
  public static SearchParams defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these parameters. */
  public Builder toBuilder() {
    return new Builder().nprobes(nprobes).refineFactor(refineFactor).threads(threads)
        .ioGapBytes(ioGapBytes).ioConcurrency(ioConcurrency).recheckSources(recheckSources).filter(filter);
  }

  public int nprobes() { return nprobes; }

  public int refineFactor() { return refineFactor; }

  public int threads() { return threads; }

  public long ioGapBytes() { return ioGapBytes; }

  public int ioConcurrency() { return ioConcurrency; }

  /** Whether a fetch asks the storage for each file's size and version on every call. */
  public boolean recheckSources() { return recheckSources; }

  /** The deleted-rows filter of these parameters, or null to use the handle's. */
  public RowFilter filter() { return filter; }

  private boolean nativeDefaults() {
    return nprobes == quiver_h.QV_DEFAULT_NPROBES && refineFactor == quiver_h.QV_DEFAULT_REFINE_FACTOR
        && threads == 0 && ioGapBytes == AUTOMATIC && ioConcurrency == AUTOMATIC && recheckSources;
  }

  /** The qv_search_params these parameters stand for (NULL for the defaults). */
  MemorySegment nativeParams() {
    MemorySegment p = nativeParams;
    if (p != null) return p;
    synchronized (this) {
      if (nativeParams == null) nativeParams = createNative();
      return nativeParams;
    }
  }

  private MemorySegment createNative() {
    if (nativeDefaults()) return MemorySegment.NULL;
    MemorySegment params;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ADDRESS);
      NativeErrors.check(quiver_h.qv_search_params_create(out));
      params = out.get(ADDRESS, 0);
    }
    long address = params.address();
    CLEANER.register(this, () -> quiver_h.qv_search_params_destroy(MemorySegment.ofAddress(address)));
    NativeErrors.check(quiver_h.qv_search_params_set_nprobes(params, nprobes));
    NativeErrors.check(quiver_h.qv_search_params_set_refine_factor(params, refineFactor));
    NativeErrors.check(quiver_h.qv_search_params_set_threads(params, threads));
    if (ioGapBytes != AUTOMATIC) {
      NativeErrors.check(quiver_h.qv_search_params_set_io_gap_bytes(params, ioGapBytes));
    }
    if (ioConcurrency != AUTOMATIC) {
      NativeErrors.check(quiver_h.qv_search_params_set_io_concurrency(params, ioConcurrency));
    }
    if (!recheckSources) {
      NativeErrors.check(quiver_h.qv_search_params_set_recheck_sources(params, 0));
    }
    return params;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SearchParams p && nprobes == p.nprobes && refineFactor == p.refineFactor
        && threads == p.threads && ioGapBytes == p.ioGapBytes && ioConcurrency == p.ioConcurrency
        && recheckSources == p.recheckSources && filter == p.filter;
  }

  @Override
  public int hashCode() {
    return Objects.hash(nprobes, refineFactor, threads, ioGapBytes, ioConcurrency, recheckSources,
        System.identityHashCode(filter));
  }

  @Override
  public String toString() {
    return "SearchParams{nprobes=" + nprobes + ", refineFactor=" + refineFactor + ", threads="
        + threads + ", ioGapBytes=" + ioGapBytes + ", ioConcurrency=" + ioConcurrency
        + (recheckSources ? "" : ", recheckSources=false")
        + (filter == null ? "" : ", filter=" + filter) + "}";
  }

  /** Builds {@link SearchParams}, checking each value as quiver.h does. */
  public static final class Builder {
    private int nprobes = quiver_h.QV_DEFAULT_NPROBES;
    private int refineFactor = quiver_h.QV_DEFAULT_REFINE_FACTOR;
    private int threads;
    private long ioGapBytes = AUTOMATIC;
    private int ioConcurrency = AUTOMATIC;
    private boolean recheckSources = true;
    private RowFilter filter;

    private Builder() {}

    /** IVF partitions probed per query, at least 1 (capped at nlist by the library). */
    public Builder nprobes(int nprobes) {
      if (nprobes < 1) throw new IllegalArgumentException("nprobes must be >= 1: " + nprobes);
      this.nprobes = nprobes;
      return this;
    }

    /**
     * k * factor candidates get exact distances read from the Parquet files; 0 disables
     * refinement and reports PQ (approximate) distances.
     */
    public Builder refineFactor(int factor) {
      if (factor < 0) throw new IllegalArgumentException("refineFactor must be >= 0: " + factor);
      this.refineFactor = factor;
      return this;
    }

    /**
     * The most threads a search or fetch runs on, the calling thread included (0: all cores).
     * The handle keeps its worker threads between calls and shares them between concurrent
     * calls; 1 runs everything on the calling thread.
     */
    public Builder threads(int threads) {
      if (threads < 0) throw new IllegalArgumentException("threads must be >= 0: " + threads);
      this.threads = threads;
      return this;
    }

    /**
     * Byte ranges of a file closer than this are read with one request; {@link #AUTOMATIC} (the
     * default) lets the library choose by where the files are.
     */
    public Builder ioGapBytes(long bytes) {
      if (bytes < 0 && bytes != AUTOMATIC) {
        throw new IllegalArgumentException("ioGapBytes must be >= 0 (or AUTOMATIC): " + bytes);
      }
      this.ioGapBytes = bytes;
      return this;
    }

    /**
     * Concurrent reads in flight during refinement and fetch, at least 1; {@link #AUTOMATIC} (the
     * default) lets the library choose by where the files are.
     */
    public Builder ioConcurrency(int n) {
      if (n < 1 && n != AUTOMATIC) {
        throw new IllegalArgumentException("ioConcurrency must be >= 1 (or AUTOMATIC): " + n);
      }
      this.ioConcurrency = n;
      return this;
    }

    /**
     * Whether a fetch asks the storage, on every call, for the size and version of each file it
     * reads (default true: a file changed since the handle opened it is reported stale). False
     * reads a file the handle has opened before (its fingerprint checked then) without asking
     * again, which on an object store saves a round trip per file and call: for callers that
     * checked the files themselves just before, as the Spark join's driver does.
     */
    public Builder recheckSources(boolean recheck) {
      this.recheckSources = recheck;
      return this;
    }

    /**
     * Rows these searches never return, instead of the handle's filter; null to use the handle's.
     * The filter must stay open while searches use it.
     */
    public Builder filter(RowFilter filter) {
      this.filter = filter;
      return this;
    }

    public SearchParams build() {
      return new SearchParams(this);
    }
  }
}
