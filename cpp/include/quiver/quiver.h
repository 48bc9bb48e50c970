/*
** quiver.h -- the C ABI of Quiver, an IVF-PQ vector index that lives beside
** Parquet files.
**
** This header is the only public native surface. Everything in it is plain C:
** opaque handles with explicit create/destroy pairs, integer status codes, a
** thread-local error message, caller-owned output buffers, and the Arrow C
** Data Interface for tabular results. No C++ type, exception or STL object
** crosses it, and no entry point aborts the host process on bad input.
**
** Conventions
**   - Every function that can fail returns a qv_status. QV_OK is zero. On
**     failure, qv_last_error() returns a message for the calling thread that
**     stays valid until the next failing call on that thread.
**   - Pointers marked "out" must be non-NULL; they are written only on QV_OK.
**   - Strings are UTF-8 and NUL-terminated. Strings returned by the library
**     are owned by the object they came from and live as long as it does.
**   - Row keys identify one row of one source file: the file's ordinal in the
**     index manifest in the high 32 bits and the row number within that file
**     in the low 32 bits (see QV_ROW_KEY). QV_NO_ROW marks an empty slot.
**   - Distances: smaller is always better.
**       L2            squared Euclidean distance,
**       COSINE        1 - cos(q, x), in [0, 2],
**       INNER_PRODUCT -dot(q, x) (the negated inner product).
**   - A qv_index is safe to use from many threads at once (search, fetch,
**     info). Closing it while other threads still use it is the caller's
**     error; the Java binding guards against it.
*/
#ifndef QUIVER_H
#define QUIVER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define QV_API __declspec(dllexport)
#else
#define QV_API __attribute__((visibility("default")))
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                   */
/* ------------------------------------------------------------------------ */

#define QV_VERSION_MAJOR 0
#define QV_VERSION_MINOR 1
#define QV_VERSION_PATCH 0

/* The library's version as "MAJOR.MINOR.PATCH". Static storage. */
QV_API const char* qv_version(void);

/* How this ABI grows, so that a caller built against an older header keeps
** working with a newer library: functions and macros are added, never
** changed or removed; the structs below (qv_index_info, qv_file_info,
** qv_io_stats) never change their size or fields: what a newer library knows
** more arrives through new accessor functions (as qv_index_get_source did).
** QV_ABI_VERSION counts the additions: a caller may check at run time that
** qv_abi_version() is at least the one it was compiled with before it calls
** a function added since. 3 added the file source (qv_file_source_create,
** qv_build_params_set_file_source, qv_index_open_with_source); 4 added
** qv_search_params_set_recheck_sources; 5 added segments (qv_append,
** qv_remove_files, qv_compact, qv_build_params_set_quantizers_from,
** qv_index_get_segment_count, qv_index_get_segment, qv_index_file_removed)
** and builds spread over machines (qv_train, qv_merge); 6 added segments
** encoded apart and committed by one manifest (qv_encode_segment,
** qv_commit_segments). */
#define QV_ABI_VERSION 6
QV_API uint32_t qv_abi_version(void);

/* ------------------------------------------------------------------------ */
/* Status codes and errors                                                  */
/* ------------------------------------------------------------------------ */

typedef int32_t qv_status;

#define QV_OK 0
#define QV_ERR_INVALID_ARGUMENT 1 /* a bad argument from the caller */
#define QV_ERR_IO 2               /* reading or writing a file failed */
#define QV_ERR_NOT_FOUND 3        /* a file, directory or column is missing */
#define QV_ERR_UNSUPPORTED 4      /* input the library cannot use (type, layout) */
#define QV_ERR_CORRUPT_INDEX 5    /* the index files fail validation */
#define QV_ERR_STALE_INDEX 6      /* a source file changed since the build */
#define QV_ERR_OUT_OF_MEMORY 7
#define QV_ERR_CANCELLED 8        /* a progress callback asked to stop */
#define QV_ERR_INTERNAL 9         /* a bug: please report it */

/* The message of the last failing call on this thread ("" if none). */
QV_API const char* qv_last_error(void);

/* A stable name for a status code, e.g. "STALE_INDEX". Static storage. */
QV_API const char* qv_status_name(qv_status status);

/* ------------------------------------------------------------------------ */
/* Metrics, row keys                                                         */
/* ------------------------------------------------------------------------ */

#define QV_METRIC_L2 0
#define QV_METRIC_COSINE 1
#define QV_METRIC_INNER_PRODUCT 2

#define QV_ROW_KEY(file_ordinal, row) \
  ((((uint64_t)(uint32_t)(file_ordinal)) << 32) | (uint64_t)(uint32_t)(row))
#define QV_ROW_KEY_FILE(key) ((uint32_t)((uint64_t)(key) >> 32))
#define QV_ROW_KEY_ROW(key) ((uint32_t)((uint64_t)(key)&0xFFFFFFFFu))
#define QV_NO_ROW UINT64_MAX

/* ------------------------------------------------------------------------ */
/* Source files from elsewhere: a file source                                */
/* ------------------------------------------------------------------------ */

/* By default source files are read from the local file system. A file source
** reads them through the caller instead (object stores, HDFS, anything the
** host reaches): give it to qv_build_params_set_file_source and to
** qv_index_open_with_source, and every read of a source file (the build's
** scans, fingerprints, refinement, fetch) goes through its callbacks. Paths
** are then passed to it as given, never resolved or listed by the library.
**
** Each callback returns QV_OK, or an error status (QV_ERR_NOT_FOUND for a
** missing file, QV_ERR_IO otherwise) after writing a NUL-terminated message
** of at most `error_cap` bytes into `error`; the library's own error then
** names the path and carries that message. Callbacks are called from any
** thread of the library, concurrently, and must not call back into it. */

/* The size of `path` in bytes and its version tag (its modification time in
** ns since the epoch, or any number that changes when the file changes). */
typedef int32_t (*qv_source_stat_fn)(void* user, const char* path, int64_t* size_bytes,
                                     int64_t* version, char* error, int32_t error_cap);
/* Opens `path` for reading: `*file` is the caller's handle, `*size_bytes` its size. */
typedef int32_t (*qv_source_open_fn)(void* user, const char* path, void** file,
                                     int64_t* size_bytes, char* error, int32_t error_cap);
/* Reads n byte ranges of an open file: range i, `lengths[i]` bytes from
** `offsets[i]`, into `buffers[i]`, all of them (a short read is an error).
** The ranges of one call may be read in parallel. */
typedef int32_t (*qv_source_read_fn)(void* user, void* file, int32_t n, const int64_t* offsets,
                                     const int64_t* lengths, void* const* buffers, char* error,
                                     int32_t error_cap);
/* Closes a file opened by qv_source_open_fn. */
typedef void (*qv_source_close_fn)(void* user, void* file);

typedef struct qv_file_source qv_file_source;

/* A file source over the four callbacks and `user`, which must stay valid as
** long as any build, index or other user of the source still runs: builds
** and open indexes hold on to the source, and qv_file_source_destroy only
** drops the caller's own reference. `remote` (0 or 1) says whether a read
** costs a round trip: it picks the defaults of range merging (see
** QV_DEFAULT_REMOTE_IO_GAP_BYTES). */
QV_API qv_status qv_file_source_create(qv_source_stat_fn stat, qv_source_open_fn open,
                                       qv_source_read_fn read, qv_source_close_fn close,
                                       int32_t remote, void* user, qv_file_source** out);
QV_API void qv_file_source_destroy(qv_file_source* source);

/* ------------------------------------------------------------------------ */
/* Build parameters                                                          */
/* ------------------------------------------------------------------------ */

typedef struct qv_build_params qv_build_params;

/* Defaults: vector column "embedding", metric L2, nlist 0 (chosen from the
** row count: about 4 * sqrt(rows), at least 1), pq_m 0 (chosen from the
** dimension: dim / 4 rounded down to a divisor of dim, ≤ 64), pq_bits 8,
** train_sample 0 (max(32 * nlist, 100000), capped at the row count: the
** coarse k-means needs a few dozen rows per list, more only costs time and
** memory), seed 42, threads 0 (all cores). */
QV_API qv_status qv_build_params_create(qv_build_params** out);
QV_API void qv_build_params_destroy(qv_build_params* params);

QV_API qv_status qv_build_params_set_vector_column(qv_build_params* p, const char* column);
QV_API qv_status qv_build_params_set_metric(qv_build_params* p, int32_t metric);
QV_API qv_status qv_build_params_set_nlist(qv_build_params* p, int32_t nlist);
/* Number of PQ sub-quantizers; must divide the dimension. */
QV_API qv_status qv_build_params_set_pq_m(qv_build_params* p, int32_t m);
/* Bits per PQ code. Only 8 is supported. */
QV_API qv_status qv_build_params_set_pq_bits(qv_build_params* p, int32_t bits);
QV_API qv_status qv_build_params_set_train_sample(qv_build_params* p, int64_t rows);
QV_API qv_status qv_build_params_set_seed(qv_build_params* p, uint64_t seed);
QV_API qv_status qv_build_params_set_threads(qv_build_params* p, int32_t threads);
/* What the files were taken from, in the caller's words: for instance a
** table and the version whose files are being indexed. The engine does not
** interpret it; it is recorded in the manifest ("source") and returned by
** qv_index_get_source, so that whoever opens the index later can tell which
** snapshot it answers from. Default: empty (plain files). UTF-8, at most
** 64 KiB. */
QV_API qv_status qv_build_params_set_source(qv_build_params* p, const char* source);
/* Reads the source files through `source` (see qv_file_source_create) instead
** of the local file system; NULL goes back to the local file system. The
** params hold a reference to it. */
QV_API qv_status qv_build_params_set_file_source(qv_build_params* p, qv_file_source* source);
/* Trains nothing: the build encodes with the quantizers of the index in
** `index_dir` and takes its metric, nlist and pq_m (the params' own are then
** ignored; the files' dimension must be the index's). Its posting lists are
** then exactly those that index gets by appending the same files, which is
** what a build spread over several machines relies on. NULL or "" trains
** (the default). */
QV_API qv_status qv_build_params_set_quantizers_from(qv_build_params* p, const char* index_dir);

/* ------------------------------------------------------------------------ */
/* Building an index                                                         */
/* ------------------------------------------------------------------------ */

#define QV_PHASE_SCAN 0   /* reading footers, counting rows */
#define QV_PHASE_SAMPLE 1 /* reading the training sample */
#define QV_PHASE_TRAIN 2  /* k-means: coarse quantizer, then PQ codebooks */
#define QV_PHASE_ENCODE 3 /* streaming every file, encoding every vector */
#define QV_PHASE_WRITE 4  /* writing and syncing the index files */

/* Progress of a long operation. Called from any thread of the library, never
** concurrently with itself. `done` and `total` count rows (or, for
** QV_PHASE_SCAN, files; for QV_PHASE_TRAIN, coarse k-means iterations plus
** one step per PQ sub-quantizer, where from 8,192 lists on the coarse
** k-means runs in two levels and counts its first level's iterations plus
** one step per group of lists; for QV_PHASE_WRITE, bytes). Return 0 to
** go on; any other value cancels the operation with QV_ERR_CANCELLED. */
typedef int32_t (*qv_progress_fn)(void* user, int32_t phase, int64_t done, int64_t total);

/* Builds an index over `paths` into the directory `index_dir`.
**
** Each path is a Parquet file or a directory; a directory is expanded to the
** regular files under it whose names end in ".parquet", recursively, sorted
** by path. Files are ordered as given (directories expanded in place) and
** that order fixes their ordinals. The index directory is created if needed.
** The build is atomic: on any failure (or cancellation) an index already in
** `index_dir` is left untouched, and no partial index is left behind.
** Memory does not grow with the corpus: the encoded rows wait in unnamed
** temporary files on the index directory's file system (about the index's
** own size, released when the build ends, however it ends).
** `progress` may be NULL. */
QV_API qv_status qv_build(const char* const* paths, int64_t n_paths,
                          const qv_build_params* params, const char* index_dir,
                          qv_progress_fn progress, void* user);

/* ------------------------------------------------------------------------ */
/* Keeping an index current: segments                                        */
/* ------------------------------------------------------------------------ */

/* An index is one or more segments sharing the quantizers its build trained:
** the build's own, then one per append. A search reads every segment's
** lists and answers exactly as one index over all their files with the same
** quantizers would (same rows, same distances, same order). Each of the
** three calls below commits a new manifest atomically, as qv_build does:
** on any failure, cancellation or crash the index stays as it was, and an
** index opened before keeps answering from what it opened. Writers of one
** index directory take turns (a lock file in it); readers never wait. An
** index with segments or removed files has format version 2, which
** libraries older than ABI version 5 refuse to open. */

/* Encodes `paths` (as qv_build takes them; none already in the index) with
** the index's quantizers into a new segment. Their ordinals follow the
** index's files. `params` gives the file source, the threads and the source
** text (replacing the index's when not empty); the vector column, metric
** and quantizers are the index's. May be NULL. The new rows are encoded as
** well as the training sample represented them: after the corpus drifted,
** build again. */
QV_API qv_status qv_append(const char* const* paths, int64_t n_paths,
                           const qv_build_params* params, const char* index_dir,
                           qv_progress_fn progress, void* user);

/* Removes files from the index: searches no longer return their rows nor
** check their fingerprints (the files may be gone). Each path is a file as
** the index records it (qv_index_get_file) or, for a local file, any path to
** it; QV_ERR_NOT_FOUND names the first path the index does not hold, and
** nothing is removed then. The files keep their ordinals (so row keys stay
** valid) until qv_compact. Rewrites the manifest only. */
QV_API qv_status qv_remove_files(const char* const* paths, int64_t n_paths, const char* index_dir);

/* Merges every segment into one, without the removed files' rows, and
** renumbers the remaining files in order: the index a build over those
** files with the same quantizers writes (format version 1 again). Row keys
** of removed files' successors change. QV_OK at once when there is nothing
** to merge. Progress reports QV_PHASE_WRITE in bytes. */
QV_API qv_status qv_compact(const char* index_dir, qv_progress_fn progress, void* user);

/* ------------------------------------------------------------------------ */
/* A build spread over machines: train once, encode anywhere, commit         */
/* ------------------------------------------------------------------------ */

/* Trains the quantizers on `sample` (n rows of dim floats, row-major, drawn
** by the caller from the corpus) and writes them to `index_dir` as an index
** of no files. Builds given qv_build_params_set_quantizers_from(index_dir)
** then encode any groups of files with them, anywhere, and qv_merge joins
** their indexes; or qv_encode_segment encodes each group into a segment
** file and qv_commit_segments commits them all, without rewriting them. `corpus_rows` (the rows the whole index will hold) picks
** nlist when params say 0, as qv_build would for that corpus; the sample
** size is the caller's (qv_build would use max(32 * nlist, 100000) rows).
** For COSINE the rows are normalised here. A non-finite value is
** QV_ERR_INVALID_ARGUMENT naming the row. */
QV_API qv_status qv_train(const float* sample, int64_t n, int32_t dim, int64_t corpus_rows,
                          const qv_build_params* params, const char* index_dir,
                          qv_progress_fn progress, void* user);

/* Joins the indexes in `part_dirs`, built with the same quantizers (else
** QV_ERR_INVALID_ARGUMENT naming the first that differs), into one index
** in `index_dir`: their files in the order given, each part's numbered
** after the previous part's, removed files left out. The result is the
** index qv_build writes over all those files with the same quantizers, list
** for list. The parts are left as they were. Atomic, as qv_build is.
** Progress reports QV_PHASE_WRITE in bytes. */
QV_API qv_status qv_merge(const char* const* part_dirs, int64_t n_parts, const char* index_dir,
                          qv_progress_fn progress, void* user);

/* Encodes `paths` (as qv_build takes them) with the quantizers of the index
** named by qv_build_params_set_quantizers_from (required) into one segment
** file at `segment_path`, their ordinals numbered from `first_file`: the
** files before them are the index's and the earlier segments' of the same
** commit. The file describes its source files (with their fingerprints), so
** that qv_commit_segments needs nothing else; it is written under a
** temporary name and renamed, so `segment_path` is whole or absent. The
** index whose quantizers are used is not changed. `params` give the file
** source and the threads; the vector column and metric are the index's. */
QV_API qv_status qv_encode_segment(const char* const* paths, int64_t n_paths,
                                   const qv_build_params* params, int32_t first_file,
                                   const char* segment_path, qv_progress_fn progress,
                                   void* user);

/* Commits the segment files at `segment_paths` (from qv_encode_segment), in
** order, with one new manifest. With `base_dir` NULL they are appended to
** the index in `index_dir`; otherwise the index in `base_dir` (qv_train's,
** typically) with them becomes the index in `index_dir`, replacing whatever
** it held. Each segment must be encoded with that index's quantizers
** (QV_ERR_INVALID_ARGUMENT otherwise) and its first file must follow the
** files before it (the index's, then the previous segment's). The files
** are linked (or copied, across file systems) into `index_dir` and every
** byte of the result is checked before the commit: a damaged segment file
** is QV_ERR_CORRUPT_INDEX and changes nothing. Atomic, as qv_build is; the
** segment files and `base_dir` are left as they were. The index searches
** as one built over all the files with the same quantizers (qv_compact
** joins its segments into one file). */
QV_API qv_status qv_commit_segments(const char* index_dir, const char* base_dir,
                                    const char* const* segment_paths, int64_t n_segments);

/* ------------------------------------------------------------------------ */
/* Opening an index                                                          */
/* ------------------------------------------------------------------------ */

typedef struct qv_index qv_index;

/* Do not check source files' fingerprints at open. Searches with refinement
** and fetches still refuse a file whose fingerprint changed. Meant for tools
** that report on a stale index (qv_index_file_status). */
#define QV_OPEN_SKIP_FRESHNESS_CHECK 1u

/* Opens the index in `index_dir` by memory-mapping it; the cost does not grow
** with the number of rows. Validates the format version, the checksums of the
** header and of the small sections, and the bounds of every section; posting
** lists are checksummed individually and verified on first use. Unless
** QV_OPEN_SKIP_FRESHNESS_CHECK is given, every source file's fingerprint
** (size, modification time, footer hash) is checked: a missing or changed
** file fails with QV_ERR_STALE_INDEX and a message naming it. */
QV_API qv_status qv_index_open(const char* index_dir, uint32_t flags, qv_index** out);
/* qv_index_open for an index whose source files are read through `source`
** (the index directory itself is local). The index holds a reference to the
** source until it is closed. */
QV_API qv_status qv_index_open_with_source(const char* index_dir, uint32_t flags,
                                           qv_file_source* source, qv_index** out);
QV_API void qv_index_close(qv_index* index);

/* Reads every byte of the index in `index_dir` and checks every checksum and
** every source file's fingerprint. QV_OK when all is fresh and intact;
** QV_ERR_CORRUPT_INDEX or QV_ERR_STALE_INDEX (naming the file) otherwise. */
QV_API qv_status qv_index_verify(const char* index_dir);

typedef struct qv_index_info {
  int32_t format_version;
  int32_t dim;
  int32_t metric;
  int32_t nlist;
  int32_t pq_m;
  int32_t pq_bits;
  int32_t n_files;
  int32_t threads;               /* build parameter */
  int64_t rows_total;            /* rows in all source files */
  int64_t rows_indexed;
  int64_t rows_skipped_null;     /* the vector was null */
  int64_t rows_skipped_length;   /* the vector had the wrong length */
  int64_t rows_skipped_nonfinite;/* the vector held NaN or infinity */
  int64_t train_sample;          /* rows used for training */
  int64_t index_bytes;           /* size of the index files on disk */
  uint64_t seed;
  const char* vector_column;     /* owned by the index */
} qv_index_info;

QV_API qv_status qv_index_get_info(const qv_index* index, qv_index_info* out);

typedef struct qv_file_info {
  const char* path;      /* as recorded at build time, absolute; owned by the index */
  int64_t rows;          /* rows in the file */
  int64_t rows_indexed;  /* rows with a usable vector */
  int64_t size_bytes;    /* fingerprint: size */
  int64_t mtime_ns;      /* fingerprint: modification time, ns since the epoch */
  uint64_t footer_hash;  /* fingerprint: 64-bit hash of the Parquet footer */
} qv_file_info;

/* The build's qv_build_params_set_source text ("" when none was given), owned
** by the index. */
QV_API qv_status qv_index_get_source(const qv_index* index, const char** out);

/* Information on the source file with ordinal `file` (0 <= file < n_files). */
QV_API qv_status qv_index_get_file(const qv_index* index, int32_t file, qv_file_info* out);

/* Checks the fingerprint of one source file now: QV_OK if it is unchanged
** (or removed from the index, see qv_remove_files), QV_ERR_STALE_INDEX
** (message says what changed) or QV_ERR_NOT_FOUND. */
QV_API qv_status qv_index_file_status(const qv_index* index, int32_t file);

/* `*out` = 1 if file `file` was removed from the index (qv_remove_files), else 0. */
QV_API qv_status qv_index_file_removed(const qv_index* index, int32_t file, int32_t* out);

/* A segment, and how well the build's quantizers fit its rows: appended
** rows that they fit markedly worse than the build's own rows (a larger
** mean PQ error, lists filled more unevenly) are rows a new build would
** serve better. */
typedef struct qv_segment_info {
  int32_t first_file;   /* the segment holds rows of files [first_file, */
  int32_t n_files;      /*   first_file + n_files), removed ones included */
  int64_t rows_indexed; /* rows in its posting lists */
  int64_t bytes;        /* size of its binary file */
  double mean_coarse_error; /* mean squared distance of its rows to their list's centroid */
  double mean_pq_error;     /* mean squared error of their PQ reconstruction (0: not recorded) */
  double imbalance;     /* nlist * sum(list size^2) / rows^2: 1 is even, FAISS's imbalance factor */
} qv_segment_info;

/* The number of segments: 1 after a build or qv_compact, one more per qv_append. */
QV_API qv_status qv_index_get_segment_count(const qv_index* index, int32_t* out);
/* Segment `segment` (0 <= segment < count; 0 is the build's). */
QV_API qv_status qv_index_get_segment(const qv_index* index, int32_t segment, qv_segment_info* out);

/* ------------------------------------------------------------------------ */
/* Searching                                                                 */
/* ------------------------------------------------------------------------ */

typedef struct qv_search_params qv_search_params;

/* The defaults, defined here once: the engine, the Java bindings (which read
** these macros) and the Spark options take them from this header. */
#define QV_DEFAULT_NPROBES 16
#define QV_DEFAULT_REFINE_FACTOR 8
#define QV_DEFAULT_IO_GAP_BYTES 65536
#define QV_DEFAULT_IO_CONCURRENCY 4
/* The same for files read through a remote file source (qv_file_source_create
** with remote = 1), where every request costs a round trip: ranges further
** apart are merged, and more are in flight. */
#define QV_DEFAULT_REMOTE_IO_GAP_BYTES 4194304 /* 4 MiB */
#define QV_DEFAULT_REMOTE_IO_CONCURRENCY 32
#define QV_DEFAULT_CACHE_BUDGET_BYTES 268435456 /* 256 MiB */

/* Defaults: nprobes QV_DEFAULT_NPROBES (capped at nlist), refine_factor
** QV_DEFAULT_REFINE_FACTOR, threads 0 (all cores); io_gap_bytes and
** io_concurrency, unless set, QV_DEFAULT_IO_GAP_BYTES and
** QV_DEFAULT_IO_CONCURRENCY for local files, QV_DEFAULT_REMOTE_IO_GAP_BYTES and
** QV_DEFAULT_REMOTE_IO_CONCURRENCY for files of a remote file source. */
QV_API qv_status qv_search_params_create(qv_search_params** out);
QV_API void qv_search_params_destroy(qv_search_params* p);

/* Number of IVF partitions probed per query (≥ 1). */
QV_API qv_status qv_search_params_set_nprobes(qv_search_params* p, int32_t nprobes);
/* k * refine_factor candidates get exact distances read from Parquet;
** 0 disables refinement and reports PQ (approximate) distances. */
QV_API qv_status qv_search_params_set_refine_factor(qv_search_params* p, int32_t factor);
/* The most threads a search or fetch with these parameters runs on, the
** caller's own included (0 = all cores): the scan, the page reads and the
** refinement all keep to it. The handle keeps its worker threads between
** calls, and calls made at the same time share them; 1 starts none. */
QV_API qv_status qv_search_params_set_threads(qv_search_params* p, int32_t threads);
/* Byte ranges of a file closer than this are read with one request. */
QV_API qv_status qv_search_params_set_io_gap_bytes(qv_search_params* p, int64_t bytes);
/* Concurrent reads in flight during refinement and fetch (≥ 1). */
QV_API qv_status qv_search_params_set_io_concurrency(qv_search_params* p, int32_t n);
/* Whether qv_fetch checks, on every call, that each file it reads still has
** the size and version the index recorded: 1 (the default) or 0. With 0, a
** file the handle has opened before (its fingerprint was checked then) is
** read without asking the storage again, which on an object store saves a
** round trip per file and call; for callers that checked the files
** themselves just before, as a distributed join's planner does. */
QV_API qv_status qv_search_params_set_recheck_sources(qv_search_params* p, int32_t recheck);

/* Bounds the index handle's cache of its source files: decoded vector pages,
** which refinement reads from, and the raw column chunks qv_fetch read, one
** budget for both (default QV_DEFAULT_CACHE_BUDGET_BYTES; 0 disables it).
** Footers and page locations are always cached, for refinement and qv_fetch
** alike. */
QV_API qv_status qv_index_set_cache_budget(qv_index* index, int64_t bytes);

/* Deleted rows: a set of row keys that searches never return. */
typedef struct qv_row_filter qv_row_filter;

/* `keys` may be in any order and hold duplicates; they are copied. */
QV_API qv_status qv_row_filter_create(const uint64_t* keys, int64_t n, qv_row_filter** out);
QV_API void qv_row_filter_destroy(qv_row_filter* filter);

/* The k nearest rows to `query` (dim floats), best first, into out_keys[k]
** and out_distances[k]. Rows in `filter` (may be NULL) are excluded before
** the top-k selection. Slots past the rows found hold QV_NO_ROW and +inf.
** `params` may be NULL for the defaults. */
QV_API qv_status qv_search(qv_index* index, const float* query, int32_t dim, int32_t k,
                           const qv_search_params* params, const qv_row_filter* filter,
                           uint64_t* out_keys, float* out_distances);

/* `n` queries stored row-major in `queries` (n * dim floats); results into
** out_keys[n * k] and out_distances[n * k], query i at offset i * k. Returns
** exactly what n calls of qv_search would; the refinement reads of all the
** queries are shared. */
QV_API qv_status qv_search_batch(qv_index* index, const float* queries, int64_t n,
                                 int32_t dim, int32_t k, const qv_search_params* params,
                                 const qv_row_filter* filter, uint64_t* out_keys,
                                 float* out_distances);

/* Cumulative I/O counters of an index handle: searches and qv_fetch. */
typedef struct qv_io_stats {
  int64_t bytes_read;     /* bytes read from Parquet files, footers included */
  int64_t read_requests;  /* read requests issued (nearby ranges merged) */
  int64_t pages_decoded;  /* Parquet data pages decompressed and decoded */
  int64_t page_cache_hits;
  int64_t cache_bytes;    /* bytes held by the page cache now */
} qv_io_stats;

QV_API qv_status qv_index_get_io_stats(const qv_index* index, qv_io_stats* out);

/* ------------------------------------------------------------------------ */
/* Fetching rows (Arrow C Data Interface)                                    */
/* ------------------------------------------------------------------------ */

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};

struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);
  void (*release)(struct ArrowArrayStream*);
  void* private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

/* Reads `columns` (n_columns names of top-level Parquet columns, any type
** Arrow reads, nested ones included) for the rows `keys` (n keys, any order,
** duplicates allowed) and exports them into `out` as an ArrowArrayStream
** whose batches together hold exactly n rows in the order of `keys`. The
** caller owns the stream and must call its release callback. One coalesced
** read is made per distinct file. An unknown column is QV_ERR_NOT_FOUND; a
** key outside the index (or QV_NO_ROW) is QV_ERR_INVALID_ARGUMENT. The
** stream does not reference the index: it may outlive it. */
QV_API qv_status qv_fetch(qv_index* index, const uint64_t* keys, int64_t n,
                          const char* const* columns, int32_t n_columns,
                          const qv_search_params* params, struct ArrowArrayStream* out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* QUIVER_H */
