package io.quiver;

import io.quiver.ffi.qv_file_info;
import io.quiver.ffi.qv_index_info;
import io.quiver.ffi.qv_io_stats;
import io.quiver.ffi.qv_progress_fn;
import io.quiver.ffi.qv_segment_info;
import io.quiver.ffi.quiver_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An open Quiver index: an IVF-PQ index over Parquet files, searched in place.
 *
 * <pre>{@code
 * QuiverIndex.build(List.of(Path.of("data/")), Path.of("data.qv"), BuildParams.defaults(),
 *     ProgressListener.console());
 * try (QuiverIndex index = QuiverIndex.open(Path.of("data.qv"))) {
 *   for (SearchResult r : index.search(query, 10, SearchParams.defaults())) { ... }
 * }
 * }</pre>
 *
 * <p>A handle is safe to use from many threads at once: searches, fetches and {@link #info()}
 * may run concurrently. {@link #close()} refuses new calls, waits for those running, then frees
 * the native index; any later call throws {@link IllegalStateException}.
 *
 * <p>Failures of the native library arrive as subclasses of {@link QuiverException} carrying the
 * library's message: {@link InvalidArgumentException}, {@link QuiverIOException},
 * {@link NotFoundException}, {@link UnsupportedInputException}, {@link CorruptIndexException},
 * {@link StaleIndexException}, {@link CancelledException}.
 */
public final class QuiverIndex implements AutoCloseable {

  private static final Cleaner CLEANER = Cleaner.create();

  private final MemorySegment index;
  private final UseGuard guard = new UseGuard("index");
  private final Cleaner.Cleanable cleanable;
  private final IndexInfo info;
  private final String[] paths;
  private final List<SegmentInfo> segments;
  private final boolean[] removed;
  private volatile RowFilter defaultFilter;

  private QuiverIndex(MemorySegment index) {
    this.index = index;
    long address = index.address();
    this.cleanable = CLEANER.register(this,
        () -> quiver_h.qv_index_close(MemorySegment.ofAddress(address)));
    try {
      this.info = readInfo(index);
      this.segments = readSegments(index);
      this.removed = readRemoved(index, info.files().size());
    } catch (RuntimeException e) {
      cleanable.clean();
      throw e;
    }
    this.paths = info.files().stream().map(FileInfo::location).toArray(String[]::new);
  }

  // ------------------------------------------------------------------ building, opening

  /**
   * Builds an index over Parquet files into {@code indexDir}.
   *
   * <p>Each path is a Parquet file or a directory; a directory stands for the files under it whose
   * names end in ".parquet", recursively, sorted by path. Files are numbered in the order given
   * (directories expanded in place): that order fixes {@link RowKey#file()}. The directory is
   * created if needed. The build is atomic: on failure or cancellation no partial index is left
   * and an index already in {@code indexDir} is untouched.
   *
   * @param filesOrDirs Parquet files and directories, in order
   * @param indexDir where the index goes
   * @param params build parameters ({@link BuildParams#defaults()})
   * @param listener receives progress, may be null; see {@link ProgressListener} on cancelling
   * @throws CancelledException when the building thread was interrupted
   */
  public static void build(List<Path> filesOrDirs, Path indexDir, BuildParams params,
      ProgressListener listener) {
    Objects.requireNonNull(filesOrDirs, "filesOrDirs");
    build(filesOrDirs.stream().map(Path::toString).toList(), indexDir, params, listener, null);
  }

  /**
   * Builds an index over Parquet files read through {@code source} (see {@link FileSource}), or
   * over local files and directories as {@link #build(List, Path, BuildParams, ProgressListener)}
   * does when it is null. Through a source each path is one file, taken as given (a URI, say),
   * and recorded so in the index; open the index with {@link #open(Path, FileSource)}.
   *
   * @param files the files (with a source) or files and directories (without), in order
   * @param indexDir where the index goes (a local directory)
   * @param params build parameters ({@link BuildParams#defaults()})
   * @param listener receives progress, may be null
   * @param source where the files are read from; null for the local file system
   */
  public static void build(List<String> files, Path indexDir, BuildParams params,
      ProgressListener listener, FileSource source) {
    write(quiver_h::qv_build, files, indexDir, params, listener, source);
  }

  /**
   * Appends files to the index in {@code indexDir}: they are encoded with the index's quantizers
   * into a new segment, and numbered after the index's files. Searches then answer exactly as an
   * index over all the files with the same quantizers would. Atomic as a build is: on failure,
   * cancellation or a crash the index stays as it was; a handle opened before keeps answering
   * from what it opened. The vector column, metric and quantizers are the index's; {@code
   * params} gives the threads and the source text (replacing the index's when not empty).
   *
   * @param files files (with a source) or files and directories (without), none already in the
   *     index
   * @param source where the files are read from; null for the local file system
   * @throws NotFoundException when there is no index in {@code indexDir}
   * @throws InvalidArgumentException when a file is already in the index or has another dimension
   */
  public static void append(List<String> files, Path indexDir, BuildParams params,
      ProgressListener listener, FileSource source) {
    write(quiver_h::qv_append, files, indexDir, params, listener, source);
  }

  /**
   * Builds the index in {@code indexDir} again over its files (those not removed), training new
   * quantizers on a new sample: what {@link #retrainAdvice} advises once appended rows have
   * drifted from the build's. Keeps the vector column, metric, nlist, pqM, seed and source text;
   * the sample is the default for the rows the files hold now. Atomic, as a build is: a handle
   * opened before keeps answering from the old index.
   *
   * @param threads build threads, 0 for every core
   * @param source where the files are read from; null for the local file system
   */
  public static void retrain(Path indexDir, int threads, ProgressListener listener, FileSource source) {
    Objects.requireNonNull(indexDir, "indexDir");
    List<String> files = new ArrayList<>();
    BuildParams params;
    try (QuiverIndex index = open(indexDir, false, source)) {
      IndexInfo info = index.info();
      for (FileInfo f : info.files()) {
        if (!index.isRemoved(f.ordinal())) files.add(f.location());
      }
      params = BuildParams.builder().vectorColumn(info.vectorColumn()).metric(info.metric()).nlist(info.nlist())
          .pqM(info.pqM()).seed(info.seed()).source(info.source()).threads(threads).build();
    }
    if (files.isEmpty()) {
      throw new InvalidArgumentException(quiver_h.QV_ERR_INVALID_ARGUMENT, "QV_ERR_INVALID_ARGUMENT",
          "the index at " + indexDir + " has no file left to train on: every file was removed");
    }
    build(files, indexDir, params, listener, source);
  }

  /**
   * Removes files from the index in {@code indexDir}: no search returns their rows any more, and
   * their fingerprints are no longer checked (the files may be gone). Each is a file as the
   * index records it ({@link FileInfo#location()}) or, for a local file, any path to it. The
   * files keep their ordinals until {@link #compact}. Rewrites the manifest only.
   *
   * @throws NotFoundException naming the first file the index does not hold (nothing is removed)
   */
  public static void removeFiles(Path indexDir, List<String> files) {
    Objects.requireNonNull(indexDir, "indexDir");
    Objects.requireNonNull(files, "files");
    try (Arena arena = Arena.ofConfined()) {
      NativeErrors.check(quiver_h.qv_remove_files(pathArray(files, arena), files.size(),
          arena.allocateFrom(indexDir.toString())));
    }
  }

  /**
   * Merges the segments of the index in {@code indexDir} into one, without the rows of removed
   * files, and renumbers the remaining files in order: the index a build over those files with
   * the same quantizers writes. Does nothing when there is one segment and no removed file.
   *
   * @param listener receives {@link BuildPhase#WRITE} progress in bytes, may be null
   */
  public static void compact(Path indexDir, ProgressListener listener) {
    write((paths, n, params, dir, progress, user) -> quiver_h.qv_compact(dir, progress, user),
        List.of(), indexDir, BuildParams.defaults(), listener, null);
  }

  /**
   * Trains quantizers on {@code sample} and writes them to {@code indexDir} as an index of no
   * files: the first step of a build spread over machines. Builds with {@link
   * BuildParams.Builder#quantizersFrom quantizersFrom(indexDir)} then encode groups of files
   * anywhere, and {@link #merge} joins their indexes into what one build would have written; or
   * {@link #encodeSegment} encodes each group into a segment file and {@link #commitSegments}
   * commits them, without rewriting them.
   *
   * @param sample rows of {@code dim} floats drawn from the corpus (for COSINE, normalised here)
   * @param corpusRows the rows the whole index will hold: picks nlist when {@code params} say 0
   * @param params metric, nlist, pqM, seed and threads of the training
   */
  public static void train(float[][] sample, int dim, long corpusRows, BuildParams params, Path indexDir,
      ProgressListener listener) {
    Objects.requireNonNull(sample, "sample");
    try (Arena arena = Arena.ofShared()) {
      MemorySegment rows = arena.allocate(JAVA_FLOAT, Math.max(1L, (long) sample.length * dim));
      for (int i = 0; i < sample.length; i++) {
        if (sample[i].length != dim) {
          throw new IllegalArgumentException("sample row " + i + " has " + sample[i].length + " values, not " + dim);
        }
        MemorySegment.copy(sample[i], 0, rows, JAVA_FLOAT, (long) i * dim * Float.BYTES, dim);
      }
      write((paths, n, nativeParams, dir, progress, user) -> quiver_h.qv_train(rows, sample.length, dim,
          corpusRows, nativeParams, dir, progress, user), List.of(), indexDir, params, listener, null);
    }
  }

  /**
   * Joins the indexes in {@code parts}, built with the same quantizers, into one index in {@code
   * indexDir}: their files in the order given, each part's numbered after the previous part's,
   * removed files left out. The result is the index a build over all those files with the same
   * quantizers writes. The parts are left as they were.
   *
   * @throws InvalidArgumentException naming the first part trained apart from the first
   */
  public static void merge(List<Path> parts, Path indexDir, ProgressListener listener) {
    Objects.requireNonNull(parts, "parts");
    write((paths, n, params, dir, progress, user) -> quiver_h.qv_merge(paths, n, dir, progress, user),
        parts.stream().map(Path::toString).toList(), indexDir, BuildParams.defaults(), listener, null);
  }

  /**
   * Encodes files with the quantizers of the index named by {@link
   * BuildParams.Builder#quantizersFrom quantizersFrom} (required) into one segment file, for
   * {@link #commitSegments}: the step of a build spread over machines that each machine runs on
   * its own group of files. The file describes its source files, so the commit needs nothing
   * else; it is whole or absent (written under a temporary name). The quantizers' index is not
   * changed.
   *
   * @param files files (with a source) or files and directories (without), in order
   * @param firstFile the ordinal of the first file: how many files come before it in the index
   *     it is committed to (the index's own, then the previous segments')
   * @param segmentFile the file to write (a local path)
   * @param params the quantizers' index, the threads; the column and metric are the index's
   * @param source where the files are read from; null for the local file system
   */
  public static void encodeSegment(List<String> files, int firstFile, Path segmentFile, BuildParams params,
      ProgressListener listener, FileSource source) {
    if (params.quantizersFrom().isEmpty()) {
      throw new IllegalArgumentException("a segment is encoded with the quantizers of an index: "
          + "set BuildParams quantizersFrom");
    }
    write((paths, n, nativeParams, out, progress, user) -> quiver_h.qv_encode_segment(paths, n, nativeParams,
        firstFile, out, progress, user), files, segmentFile, params, listener, source);
  }

  /**
   * Commits segment files written by {@link #encodeSegment}, in order, with one new manifest.
   * With {@code baseDir} null they are appended to the index in {@code indexDir}; otherwise the
   * index in {@code baseDir} (a {@link #train} output, typically) with them becomes the index in
   * {@code indexDir}, replacing what it held. Every byte is checked before the commit; the
   * segment files and {@code baseDir} are left as they were. Atomic, as a build is.
   *
   * @throws InvalidArgumentException when a segment was encoded with other quantizers or its
   *     files do not follow the files before it
   * @throws CorruptIndexException when a segment file is damaged (nothing is committed)
   */
  public static void commitSegments(Path indexDir, Path baseDir, List<Path> segmentFiles) {
    Objects.requireNonNull(indexDir, "indexDir");
    Objects.requireNonNull(segmentFiles, "segmentFiles");
    try (Arena arena = Arena.ofConfined()) {
      NativeErrors.check(quiver_h.qv_commit_segments(arena.allocateFrom(indexDir.toString()),
          baseDir == null ? MemorySegment.NULL : arena.allocateFrom(baseDir.toString()),
          pathArray(segmentFiles.stream().map(Path::toString).toList(), arena), segmentFiles.size()));
    }
  }

  private static MemorySegment pathArray(List<String> paths, Arena arena) {
    MemorySegment array = arena.allocate(ADDRESS, Math.max(1, paths.size()));
    for (int i = 0; i < paths.size(); i++) {
      array.setAtIndex(ADDRESS, i, arena.allocateFrom(paths.get(i)));
    }
    return array;
  }

  /** qv_build, qv_append, qv_compact, qv_train, qv_merge and qv_encode_segment: the calls that write with progress. */
  @FunctionalInterface
  private interface NativeWrite {
    int call(MemorySegment paths, long nPaths, MemorySegment params, MemorySegment indexDir,
        MemorySegment progress, MemorySegment user);
  }

  private static void write(NativeWrite call, List<String> files, Path indexDir, BuildParams params,
      ProgressListener listener, FileSource source) {
    Objects.requireNonNull(files, "files");
    Objects.requireNonNull(indexDir, "indexDir");
    Objects.requireNonNull(params, "params");
    List<String> filesOrDirs = files;
    Thread caller = Thread.currentThread();
    AtomicReference<Throwable> listenerFailure = new AtomicReference<>();
    boolean success = false;
    try (Arena arena = Arena.ofShared()) {
      MemorySegment pathArray = pathArray(filesOrDirs, arena);
      // The stub runs on native threads: nothing may unwind into the library, so a throwing
      // listener or an interrupt becomes a non-zero return (cancel) and is rethrown here.
      qv_progress_fn.Function upcall = (user, phase, done, total) -> {
        if (caller.isInterrupted() || listenerFailure.get() != null) return 1;
        if (listener == null) return 0;
        try {
          listener.onProgress(BuildPhase.of(phase), done, total);
          return 0;
        } catch (Throwable t) {
          listenerFailure.compareAndSet(null, t);
          return 1;
        }
      };
      MemorySegment progress = qv_progress_fn.allocate(upcall, arena);
      MemorySegment nativeParams = createBuildParams(params, arena);
      try {
        if (source != null) {
          NativeErrors.check(quiver_h.qv_build_params_set_file_source(nativeParams,
              io.quiver.internal.NativeFileSources.of(source)));
        }
        int status = call.call(pathArray, filesOrDirs.size(), nativeParams,
            arena.allocateFrom(indexDir.toString()), progress, MemorySegment.NULL);
        if (status != quiver_h.QV_OK) {
          QuiverException e = NativeErrors.exception(status, null);
          Throwable thrown = listenerFailure.get();
          if (thrown != null) {
            thrown.addSuppressed(e);
            if (thrown instanceof RuntimeException re) throw re;
            if (thrown instanceof Error err) throw err;
            throw new CancelledException(e.status(), e.statusName(), "progress listener failed: " + thrown);
          }
          throw e;
        }
        success = true;
      } finally {
        quiver_h.qv_build_params_destroy(nativeParams);
      }
    } finally {
      if (listener != null) listener.onFinish(success);
    }
  }

  private static MemorySegment createBuildParams(BuildParams p, Arena arena) {
    MemorySegment out = arena.allocate(ADDRESS);
    NativeErrors.check(quiver_h.qv_build_params_create(out));
    MemorySegment params = out.get(ADDRESS, 0);
    try {
      NativeErrors.check(quiver_h.qv_build_params_set_vector_column(params, arena.allocateFrom(p.vectorColumn())));
      NativeErrors.check(quiver_h.qv_build_params_set_metric(params, p.metric().code()));
      NativeErrors.check(quiver_h.qv_build_params_set_nlist(params, p.nlist()));
      NativeErrors.check(quiver_h.qv_build_params_set_pq_m(params, p.pqM()));
      NativeErrors.check(quiver_h.qv_build_params_set_pq_bits(params, p.pqBits()));
      NativeErrors.check(quiver_h.qv_build_params_set_train_sample(params, p.trainSample()));
      NativeErrors.check(quiver_h.qv_build_params_set_seed(params, p.seed()));
      NativeErrors.check(quiver_h.qv_build_params_set_threads(params, p.threads()));
      NativeErrors.check(quiver_h.qv_build_params_set_source(params, arena.allocateFrom(p.source())));
      if (p.quantizersFrom().isPresent()) {
        NativeErrors.check(quiver_h.qv_build_params_set_quantizers_from(params,
            arena.allocateFrom(p.quantizersFrom().get().toString())));
      }
      return params;
    } catch (RuntimeException e) {
      quiver_h.qv_build_params_destroy(params);
      throw e;
    }
  }

  /**
   * Opens the index in {@code indexDir} (memory-mapped; the cost does not grow with the rows).
   *
   * @throws StaleIndexException when a source file changed or vanished since the build
   * @throws CorruptIndexException when the index fails validation
   * @throws NotFoundException when there is no index in {@code indexDir}
   */
  public static QuiverIndex open(Path indexDir) {
    return open(indexDir, true, null);
  }

  /**
   * Opens the index in {@code indexDir} (a local directory) whose source files are read through
   * {@code source}: an index built with {@link #build(List, Path, BuildParams, ProgressListener,
   * FileSource)}. Fingerprints are checked through the source.
   *
   * @throws StaleIndexException when a source file changed or vanished since the build
   * @throws QuiverIOException when the source fails (the message names the file)
   */
  public static QuiverIndex open(Path indexDir, FileSource source) {
    Objects.requireNonNull(source, "source");
    return open(indexDir, true, source);
  }

  /**
   * Opens the index in {@code indexDir} without comparing the source files with their
   * fingerprints, to inspect an index that may be stale (see {@link #fileStaleness}).
   *
   * @throws CorruptIndexException when the index fails validation
   * @throws NotFoundException when there is no index in {@code indexDir}
   */
  public static QuiverIndex openWithoutFreshnessCheck(Path indexDir) {
    return open(indexDir, false, null);
  }

  private static QuiverIndex open(Path indexDir, boolean checkFreshness, FileSource source) {
    Objects.requireNonNull(indexDir, "indexDir");
    MemorySegment handle;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ADDRESS);
      int flags = checkFreshness ? 0 : quiver_h.QV_OPEN_SKIP_FRESHNESS_CHECK;
      MemorySegment nativeSource = source == null
          ? MemorySegment.NULL : io.quiver.internal.NativeFileSources.of(source);
      int status = quiver_h.qv_index_open_with_source(arena.allocateFrom(indexDir.toString()), flags,
          nativeSource, out);
      if (status != quiver_h.QV_OK) {
        QuiverException e = NativeErrors.exception(status, null);
        if (status == quiver_h.QV_ERR_STALE_INDEX && source == null) {
          throw naming(e, staleFileOf(indexDir));
        }
        throw e;
      }
      handle = out.get(ADDRESS, 0);
    }
    return new QuiverIndex(handle);
  }

  /**
   * Reads every byte of the index in {@code indexDir} and checks every checksum and every source
   * file's fingerprint; returns normally when all is fresh and intact.
   *
   * @throws CorruptIndexException when the index fails a check
   * @throws StaleIndexException when a source file changed or vanished
   */
  public static void verify(Path indexDir) {
    Objects.requireNonNull(indexDir, "indexDir");
    try (Arena arena = Arena.ofConfined()) {
      int status = quiver_h.qv_index_verify(arena.allocateFrom(indexDir.toString()));
      if (status == quiver_h.QV_OK) return;
      QuiverException e = NativeErrors.exception(status, null);
      if (status == quiver_h.QV_ERR_STALE_INDEX) throw naming(e, staleFileOf(indexDir));
      throw e;
    }
  }

  /** The version of the native library, "MAJOR.MINOR.PATCH". */
  public static String nativeVersion() {
    return NativeErrors.string(quiver_h.qv_version());
  }

  /** The first source file of the index in {@code indexDir} that is stale, or null. */
  private static Path staleFileOf(Path indexDir) {
    try (QuiverIndex index = open(indexDir, false, null)) {
      return index.firstStaleFile();
    } catch (QuiverException | IllegalStateException e) {
      return null;
    }
  }

  private Path firstStaleFile() {
    for (int f = 0; f < paths.length; f++) {
      if (quiver_h.qv_index_file_status(index, f) != quiver_h.QV_OK) return Path.of(paths[f]);
    }
    return null;
  }

  private static StaleIndexException naming(QuiverException e, Path file) {
    StaleIndexException s = new StaleIndexException(e.status(), e.statusName(), e.getMessage(), file);
    s.setStackTrace(e.getStackTrace());
    return s;
  }

  /** Throws the exception for a failed call on this handle. */
  private QuiverException failure(int status) {
    QuiverException e = NativeErrors.exception(status, null);
    return status == quiver_h.QV_ERR_STALE_INDEX ? naming(e, firstStaleFile()) : e;
  }

  // ------------------------------------------------------------------ describing

  private static IndexInfo readInfo(MemorySegment index) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment i = qv_index_info.allocate(arena);
      NativeErrors.check(quiver_h.qv_index_get_info(index, i));
      int nFiles = qv_index_info.n_files(i);
      List<FileInfo> files = new ArrayList<>(nFiles);
      MemorySegment f = qv_file_info.allocate(arena);
      for (int ordinal = 0; ordinal < nFiles; ordinal++) {
        NativeErrors.check(quiver_h.qv_index_get_file(index, ordinal, f));
        String location = NativeErrors.string(qv_file_info.path(f));
        files.add(new FileInfo(ordinal, Path.of(location), qv_file_info.rows(f),
            qv_file_info.rows_indexed(f), qv_file_info.size_bytes(f), qv_file_info.mtime_ns(f),
            qv_file_info.footer_hash(f), location));
      }
      MemorySegment source = arena.allocate(quiver_h.C_POINTER);
      NativeErrors.check(quiver_h.qv_index_get_source(index, source));
      return new IndexInfo(qv_index_info.format_version(i), qv_index_info.dim(i),
          Metric.of(qv_index_info.metric(i)), qv_index_info.nlist(i), qv_index_info.pq_m(i),
          qv_index_info.pq_bits(i), qv_index_info.threads(i), qv_index_info.rows_total(i),
          qv_index_info.rows_indexed(i), qv_index_info.rows_skipped_null(i),
          qv_index_info.rows_skipped_length(i), qv_index_info.rows_skipped_nonfinite(i),
          qv_index_info.train_sample(i), qv_index_info.index_bytes(i), qv_index_info.seed(i),
          NativeErrors.string(qv_index_info.vector_column(i)),
          NativeErrors.string(source.get(quiver_h.C_POINTER, 0)), files);
    }
  }

  private static List<SegmentInfo> readSegments(MemorySegment index) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment count = arena.allocate(JAVA_INT);
      NativeErrors.check(quiver_h.qv_index_get_segment_count(index, count));
      MemorySegment g = qv_segment_info.allocate(arena);
      List<SegmentInfo> out = new ArrayList<>();
      for (int i = 0; i < count.get(JAVA_INT, 0); i++) {
        NativeErrors.check(quiver_h.qv_index_get_segment(index, i, g));
        out.add(new SegmentInfo(qv_segment_info.first_file(g), qv_segment_info.n_files(g),
            qv_segment_info.rows_indexed(g), qv_segment_info.bytes(g), qv_segment_info.mean_coarse_error(g),
            qv_segment_info.mean_pq_error(g), qv_segment_info.imbalance(g)));
      }
      return List.copyOf(out);
    }
  }

  private static boolean[] readRemoved(MemorySegment index, int files) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment flag = arena.allocate(JAVA_INT);
      boolean[] out = new boolean[files];
      for (int f = 0; f < files; f++) {
        NativeErrors.check(quiver_h.qv_index_file_removed(index, f, flag));
        out[f] = flag.get(JAVA_INT, 0) != 0;
      }
      return out;
    }
  }

  /** The index's segments: the build's first, then one per append (one after a compaction). */
  public List<SegmentInfo> segments() {
    ensureOpen();
    return segments;
  }

  /**
   * When a new build would serve this index better than its appends: the appended rows' mean PQ
   * error is at least {@value #RETRAIN_ERROR_RATIO} times the build's rows' (the build's
   * quantizers fit the new data worse: recall drops for it), or their lists are filled at least
   * {@value #RETRAIN_IMBALANCE_RATIO} times as unevenly (probes cost more). Empty when there is
   * no append, or nothing says so, or the build trained on more than half of its own rows: the
   * quantizers fit their training rows better than any others, so the build's error is then no
   * yardstick.
   */
  public Optional<String> retrainAdvice() {
    ensureOpen();
    SegmentInfo base = segments.get(0);
    if (segments.size() < 2 || base.meanPqError() <= 0 || info.trainSample() * 2 > base.rowsIndexed()) {
      return Optional.empty();
    }
    double rows = 0, error = 0, imbalance = 0;
    for (SegmentInfo g : segments.subList(1, segments.size())) {
      rows += g.rowsIndexed();
      error += g.meanPqError() * g.rowsIndexed();
      imbalance += g.imbalance() * g.rowsIndexed();
    }
    if (rows == 0) {
      return Optional.empty();
    }
    double errorRatio = error / rows / base.meanPqError();
    double imbalanceRatio = base.imbalance() > 0 ? imbalance / rows / base.imbalance() : 0;
    if (errorRatio >= RETRAIN_ERROR_RATIO) {
      return Optional.of(String.format(java.util.Locale.ROOT,
          "the appended rows' PQ error is %.1fx the build's: retrain the index (quiver retrain, QuiverIndex.retrain)"
              + " for the recall of its first build",
          errorRatio));
    }
    if (imbalanceRatio >= RETRAIN_IMBALANCE_RATIO) {
      return Optional.of(String.format(java.util.Locale.ROOT,
          "the appended rows fill the lists %.1fx as unevenly as the build's: retrain the index (quiver retrain,"
              + " QuiverIndex.retrain)", imbalanceRatio));
    }
    return Optional.empty();
  }

  /** See {@link #retrainAdvice()}. */
  public static final double RETRAIN_ERROR_RATIO = 1.5;

  /** See {@link #retrainAdvice()}. */
  public static final double RETRAIN_IMBALANCE_RATIO = 2.0;

  /** Whether file {@code file} was {@link #removeFiles removed}: searches never return its rows. */
  public boolean isRemoved(int file) {
    ensureOpen();
    return removed[file];
  }

  /** What the index holds and how it was built, including its source files. */
  public IndexInfo info() {
    ensureOpen();
    return info;
  }

  /** The vector dimension. */
  public int dim() {
    return info().dim();
  }

  /** The path of the source file with ordinal {@code file}. */
  public String path(int file) {
    ensureOpen();
    return paths[file];
  }

  /**
   * Whether source file {@code file} still matches its fingerprint: empty when it does, otherwise
   * the library's message saying what changed (or that the file is missing).
   */
  public Optional<String> fileStaleness(int file) {
    guard.acquire();
    try {
      int status = quiver_h.qv_index_file_status(index, file);
      if (status == quiver_h.QV_OK) return Optional.empty();
      if (status != quiver_h.QV_ERR_STALE_INDEX && status != quiver_h.QV_ERR_NOT_FOUND) {
        throw NativeErrors.exception(status, null);
      }
      return Optional.of(NativeErrors.string(quiver_h.qv_last_error()));
    } finally {
      guard.release();
    }
  }

  /** The handle's cumulative I/O counters. */
  public IoStats ioStats() {
    guard.acquire();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment s = qv_io_stats.allocate(arena);
      NativeErrors.check(quiver_h.qv_index_get_io_stats(index, s));
      return new IoStats(qv_io_stats.bytes_read(s), qv_io_stats.read_requests(s),
          qv_io_stats.pages_decoded(s), qv_io_stats.page_cache_hits(s), qv_io_stats.cache_bytes(s));
    } finally {
      guard.release();
    }
  }

  /** The page cache budget of a new handle: quiver.h's QV_DEFAULT_CACHE_BUDGET_BYTES (256 MiB). */
  public static final long DEFAULT_CACHE_BUDGET_BYTES = quiver_h.QV_DEFAULT_CACHE_BUDGET_BYTES;

  /**
   * Bounds the handle's cache of its source files, decoded vector pages (refinement) and raw
   * column chunks (fetch) alike (default 256 MiB; 0 disables it).
   */
  public void setCacheBudget(long bytes) {
    guard.acquire();
    try {
      NativeErrors.check(quiver_h.qv_index_set_cache_budget(index, bytes));
    } finally {
      guard.release();
    }
  }

  /**
   * Sets the deleted-rows filter applied to every search whose {@link SearchParams} carry none;
   * null removes it. The handle does not own the filter: keep it open while it is set.
   */
  public void setRowFilter(RowFilter filter) {
    ensureOpen();
    this.defaultFilter = filter;
  }

  /** The handle's deleted-rows filter, or null. */
  public RowFilter rowFilter() {
    return defaultFilter;
  }

  // ------------------------------------------------------------------ searching

  /** The k nearest rows to {@code query} with the default parameters, best first. */
  public List<SearchResult> search(float[] query, int k) {
    return search(query, k, SearchParams.defaults());
  }

  /**
   * The k nearest rows to {@code query}, best first (fewer when fewer live rows exist).
   *
   * @throws InvalidArgumentException when {@code query.length} is not the index's dimension or
   *     k is not positive
   * @throws StaleIndexException when refinement meets a source file changed since the build
   */
  public List<SearchResult> search(float[] query, int k, SearchParams params) {
    checkK(k);
    long[] keys = new long[k];
    float[] distances = new float[k];
    int found = search(query, k, params, keys, distances);
    List<SearchResult> results = new ArrayList<>(found);
    for (int j = 0; j < found; j++) results.add(result(keys[j], distances[j]));
    return results;
  }

  /**
   * The flat single-query form: writes the k nearest rows' packed keys and distances into the
   * caller's arrays (slots past the rows found hold {@link RowKey#NO_ROW} and +inf) and returns
   * the number found. Allocates nothing per call on the Java heap.
   */
  public int search(float[] query, int k, SearchParams params, long[] outKeys, float[] outDistances) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(params, "params");
    checkK(k);
    if (outKeys.length < k || outDistances.length < k) {
      throw new IllegalArgumentException("output arrays must hold k = " + k + " hits");
    }
    RowFilter filter = params.filter() != null ? params.filter() : defaultFilter;
    guard.acquire();
    try {
      MemorySegment filterSegment = filter == null ? MemorySegment.NULL : filter.acquire();
      try {
        Scratch s = Scratch.get();
        MemorySegment q = s.queries(query.length);
        MemorySegment.copy(query, 0, q, JAVA_FLOAT, 0, query.length);
        MemorySegment keys = s.keys(k);
        MemorySegment distances = s.distances(k);
        int status = quiver_h.qv_search(index, q, query.length, k, params.nativeParams(),
            filterSegment, keys, distances);
        if (status != quiver_h.QV_OK) throw failure(status);
        MemorySegment.copy(keys, JAVA_LONG, 0, outKeys, 0, k);
        MemorySegment.copy(distances, JAVA_FLOAT, 0, outDistances, 0, k);
      } finally {
        if (filter != null) filter.release();
      }
    } finally {
      guard.release();
      Reference.reachabilityFence(params);
    }
    int found = 0;
    while (found < k && outKeys[found] != RowKey.NO_ROW) found++;
    return found;
  }

  /**
   * The k nearest rows to each of {@code queries}, best first; exactly what one {@link #search}
   * per query returns, with the refinement reads of all queries shared.
   */
  public List<List<SearchResult>> searchBatch(float[][] queries, int k, SearchParams params) {
    Objects.requireNonNull(queries, "queries");
    int n = queries.length;
    int dim = n == 0 ? info.dim() : queries[0].length;
    for (float[] q : queries) {
      if (q.length != dim) {
        throw new IllegalArgumentException("all queries must have the same length: " + dim + " and " + q.length);
      }
    }
    SearchHits hits;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment flat = arena.allocate(JAVA_FLOAT, Math.max(1, (long) n * dim));
      for (int i = 0; i < n; i++) {
        MemorySegment.copy(queries[i], 0, flat, JAVA_FLOAT, (long) i * dim * Float.BYTES, dim);
      }
      hits = searchBatch(flat, n, dim, k, params);
    }
    List<List<SearchResult>> results = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int found = hits.count(i);
      List<SearchResult> row = new ArrayList<>(found);
      for (int j = 0; j < found; j++) row.add(result(hits.key(i, j), hits.distance(i, j)));
      results.add(row);
    }
    return results;
  }

  /**
   * Batch search over {@code n} queries stored row-major in {@code queries} ({@code n * dim}
   * floats from its position), results in flat arrays. A direct buffer (in native byte order) is
   * passed to the library without a copy.
   */
  public SearchHits searchBatch(FloatBuffer queries, int n, int k, SearchParams params) {
    Objects.requireNonNull(queries, "queries");
    if (queries.order() != ByteOrder.nativeOrder()) {
      throw new IllegalArgumentException("queries must be in native byte order (" + ByteOrder.nativeOrder() + ")");
    }
    return searchBatch(MemorySegment.ofBuffer(queries), n, info.dim(), k, params);
  }

  /**
   * Batch search over {@code n} queries stored row-major in {@code queries} ({@code n * dim}
   * floats, native byte order), results in flat arrays. A native segment is passed to the
   * library without a copy.
   */
  public SearchHits searchBatch(MemorySegment queries, int n, int k, SearchParams params) {
    return searchBatch(queries, n, info.dim(), k, params);
  }

  private SearchHits searchBatch(MemorySegment queries, int n, int dim, int k, SearchParams params) {
    Objects.requireNonNull(params, "params");
    checkK(k);
    if (n < 0) throw new IllegalArgumentException("n must be >= 0: " + n);
    long hitCount = (long) n * k;
    if (hitCount > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("n * k too large: " + hitCount);
    if (queries.byteSize() < (long) n * dim * Float.BYTES) {
      throw new IllegalArgumentException("queries hold " + queries.byteSize() / Float.BYTES
          + " floats, need n * dim = " + (long) n * dim);
    }
    long[] keys = new long[(int) hitCount];
    float[] distances = new float[(int) hitCount];
    if (n == 0) return new SearchHits(0, k, keys, distances);
    RowFilter filter = params.filter() != null ? params.filter() : defaultFilter;
    guard.acquire();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment filterSegment = filter == null ? MemorySegment.NULL : filter.acquire();
      try {
        MemorySegment q = queries;
        if (!queries.isNative()) {
          q = arena.allocate(JAVA_FLOAT, (long) n * dim);
          MemorySegment.copy(queries, 0, q, 0, (long) n * dim * Float.BYTES);
        }
        MemorySegment outKeys = arena.allocate(JAVA_LONG, hitCount);
        MemorySegment outDistances = arena.allocate(JAVA_FLOAT, hitCount);
        int status = quiver_h.qv_search_batch(index, q, n, dim, k, params.nativeParams(),
            filterSegment, outKeys, outDistances);
        if (status != quiver_h.QV_OK) throw failure(status);
        MemorySegment.copy(outKeys, JAVA_LONG, 0, keys, 0, (int) hitCount);
        MemorySegment.copy(outDistances, JAVA_FLOAT, 0, distances, 0, (int) hitCount);
      } finally {
        if (filter != null) filter.release();
      }
    } finally {
      guard.release();
      Reference.reachabilityFence(params);
    }
    return new SearchHits(n, k, keys, distances);
  }

  private SearchResult result(long key, float distance) {
    RowKey rk = RowKey.unpack(key);
    return new SearchResult(rk, paths[rk.file()], rk.row(), distance);
  }

  private static void checkK(int k) {
    if (k < 1) throw new IllegalArgumentException("k must be >= 1: " + k);
  }

  // ------------------------------------------------------------------ fetching

  /** {@link #fetchRows(List, List, BufferAllocator, SearchParams)} with the default I/O settings. */
  public ArrowReader fetchRows(List<RowKey> keys, List<String> columns, BufferAllocator allocator) {
    return fetchRows(keys, columns, allocator, SearchParams.defaults());
  }

  /**
   * Reads {@code columns} of the rows {@code keys} (any order, duplicates allowed) from the source
   * files: the returned reader's batches together hold exactly {@code keys.size()} rows in the
   * order of {@code keys}. Any top-level column Arrow reads works, nested ones included.
   *
   * <p>Ownership: the rows are imported through the Arrow C Data Interface into buffers allocated
   * from {@code allocator}; the caller owns the returned reader and must close it (before closing
   * the allocator). The reader does not reference the index and may outlive it.
   *
   * @param params the I/O settings (ioGapBytes, ioConcurrency) to read with
   * @throws NotFoundException when a column does not exist
   * @throws InvalidArgumentException when a key is outside the index
   */
  public ArrowReader fetchRows(List<RowKey> keys, List<String> columns, BufferAllocator allocator,
      SearchParams params) {
    Objects.requireNonNull(keys, "keys");
    long[] packed = new long[keys.size()];
    for (int i = 0; i < packed.length; i++) packed[i] = keys.get(i).pack();
    return fetchRows(packed, columns, allocator, params);
  }

  /** {@link #fetchRows(List, List, BufferAllocator, SearchParams)} for packed row keys. */
  public ArrowReader fetchRows(long[] keys, List<String> columns, BufferAllocator allocator,
      SearchParams params) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(columns, "columns");
    Objects.requireNonNull(allocator, "allocator");
    Objects.requireNonNull(params, "params");
    guard.acquire();
    try (Arena arena = Arena.ofConfined();
        ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
      MemorySegment keySegment = arena.allocate(JAVA_LONG, Math.max(1, keys.length));
      MemorySegment.copy(keys, 0, keySegment, JAVA_LONG, 0, keys.length);
      MemorySegment names = arena.allocate(ADDRESS, Math.max(1, columns.size()));
      for (int i = 0; i < columns.size(); i++) {
        names.setAtIndex(ADDRESS, i, arena.allocateFrom(columns.get(i)));
      }
      MemorySegment out = MemorySegment.ofAddress(stream.memoryAddress())
          .reinterpret(io.quiver.ffi.ArrowArrayStream.sizeof());
      int status = quiver_h.qv_fetch(index, keySegment, keys.length, names, columns.size(),
          params.nativeParams(), out);
      if (status != quiver_h.QV_OK) throw failure(status);
      // The import moves the stream into a reader that owns it; the struct itself is freed when
      // `stream` closes.
      return Data.importArrayStream(allocator, stream);
    } finally {
      guard.release();
      Reference.reachabilityFence(params);
    }
  }

  // ------------------------------------------------------------------ closing

  private void ensureOpen() {
    if (guard.isClosed()) throw new IllegalStateException("index is closed");
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    return guard.isClosed();
  }

  /**
   * Refuses new calls, waits for the searches and fetches running on other threads, then frees
   * the native index. Idempotent. Readers returned by {@link #fetchRows} stay valid.
   */
  @Override
  public void close() {
    if (guard.close()) cleanable.clean();
  }

  @Override
  public String toString() {
    return "QuiverIndex{" + info.dim() + "-d " + info.metric() + ", " + info.rowsIndexed()
        + " rows in " + paths.length + " files" + (isClosed() ? ", closed}" : "}");
  }
}
