// The source files of one index handle, as refinement and fetch read them:
// each file is checked against its fingerprint and its footer parsed the first
// time it is used, both kept for the life of the reader; byte ranges are read
// with nearby ones merged into one request and a bound on the requests in
// flight; every byte read is counted. Thread-safe.
#pragma once

#include <arrow/buffer.h>
#include <arrow/io/interfaces.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "parquet/page_cache.h"
#include "parquet/source_file.h"
#include "parquet/storage.h"
#include "quiver/quiver.h"

namespace quiver {

struct IoOptions {
  int64_t gap_bytes = -1;   // ranges closer than this are read as one; -1: the storage's default
  int32_t concurrency = 0;  // reads in flight per call; 0: the storage's default
};

// Bounds the reads in flight across the threads of one call.
class ReadLimiter {
 public:
  explicit ReadLimiter(int32_t slots) : free_(slots > 0 ? slots : 1) {}
  void Acquire();
  void Release();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int32_t free_;
};

class SourceReader;

// The bytes of some ranges of one file, as read: merged requests, each a
// buffer. Read buffers from the reader's pool go back to it when this is
// destroyed, so slices must not outlive it.
class RangeReads {
 public:
  RangeReads() = default;
  RangeReads(RangeReads&&) = default;
  RangeReads& operator=(RangeReads&&) = default;
  ~RangeReads();

  // [offset, offset + length) when one request covers it (zero-copy), else null.
  std::shared_ptr<arrow::Buffer> Slice(int64_t offset, int64_t length) const;
  // The ranges' bytes end to end: a slice when they are adjacent in the file
  // and were read together, else a copy.
  Result<std::shared_ptr<arrow::Buffer>> Concatenate(const std::vector<ByteRange>& ranges) const;

 private:
  friend class SourceReader;
  struct Read {
    int64_t offset;
    std::shared_ptr<arrow::Buffer> bytes;
  };
  std::vector<Read> reads_;  // by offset
  SourceReader* pool_owner_ = nullptr;
  std::vector<std::shared_ptr<arrow::ResizableBuffer>> pooled_;
};

// One source file, open.
struct OpenSource {
  const SourceFile* file = nullptr;
  std::shared_ptr<arrow::io::RandomAccessFile> raw;    // as the storage opened it
  std::shared_ptr<arrow::io::RandomAccessFile> input;  // `raw`, its reads counted
  std::shared_ptr<parquet::FileMetaData> metadata;     // the footer, parsed once
  std::shared_ptr<parquet::ParquetFileReader> parquet;  // over `input`, with `metadata`
};

struct IoCounters {
  int64_t bytes_read = 0;
  int64_t read_requests = 0;
};

class SourceReader {
 public:
  // `storage` (null: the local file system) must outlive the reader.
  explicit SourceReader(std::vector<SourceFile> files, Storage* storage = nullptr);
  ~SourceReader();

  const std::vector<SourceFile>& files() const { return files_; }

  // File `f`, opened on first use: fingerprint checked (StaleIndex naming the
  // file on mismatch) and footer parsed. A failure is kept: a stale or broken
  // file stays refused for the life of the reader.
  Result<const OpenSource*> Open(uint32_t f);

  // Open, for callers that must also see a change made after the first open
  // (fetch checks the files of every call): a file opened earlier is stat'ed
  // again against its recorded size and modification time.
  Result<const OpenSource*> OpenUnchanged(uint32_t f);

  // Reads `ranges` (sorted by offset, not overlapping) of file `f`: ranges
  // less than io.gap_bytes apart become one request. With `limiter`, each
  // request holds a slot while it runs. `reuse_buffers` reads into buffers
  // recycled from earlier calls (fresh memory costs the kernel a page clear
  // per 4 KiB, more than the copy), for callers that copy what they keep.
  Result<RangeReads> ReadRanges(uint32_t f, const std::vector<ByteRange>& ranges,
                                const IoOptions& io, ReadLimiter* limiter, bool reuse_buffers);

  Storage& storage() const { return *storage_; }

  // What the handle keeps of these files between calls (vector pages,
  // fetched column chunks), within one budget.
  PageCache& cache() { return cache_; }

  IoCounters counters() const;

  // `io` with what it leaves unset taken from the storage: the local or the
  // remote defaults of quiver.h.
  IoOptions Effective(const IoOptions& io) const;

  // Threads for `tasks` tasks that each wait on reads of this source:
  // `threads` (the caller's CPU budget) for local files; for remote storage,
  // where a task mostly waits on a round trip, up to the read concurrency, so
  // that round trips overlap instead of queueing behind the CPU budget.
  int32_t Workers(int32_t threads, int64_t tasks, const IoOptions& io) const;

 private:
  friend class RangeReads;
  struct Slot;
  Status CheckOrdinal(uint32_t f) const;
  std::shared_ptr<arrow::ResizableBuffer> TakeBuffer();
  void GiveBuffer(std::shared_ptr<arrow::ResizableBuffer> b);

  const std::vector<SourceFile> files_;
  Storage* const storage_;
  std::vector<std::unique_ptr<Slot>> slots_;
  struct Counters {
    std::atomic<int64_t> bytes{0}, requests{0};
  };
  std::shared_ptr<Counters> counters_ = std::make_shared<Counters>();
  std::mutex pool_mu_;
  std::vector<std::shared_ptr<arrow::ResizableBuffer>> pool_;
  PageCache cache_{QV_DEFAULT_CACHE_BUDGET_BYTES};
};

}  // namespace quiver
