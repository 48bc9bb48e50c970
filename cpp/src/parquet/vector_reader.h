// Random access to the vectors of given rows, for exact refinement. The rows
// of a whole batch are grouped per file and per data page (the page index when
// the file has one, otherwise page locations discovered once per handle), the
// needed byte ranges are read through the handle's SourceReader (merged,
// counted), and each page is decoded once. Decoded pages are kept in the
// SourceReader's cache, bounded by a byte budget it shares with fetch.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/thread_pool.h"
#include "parquet/source_reader.h"
#include "parquet/vector_column.h"

namespace quiver {

struct IoStats {
  int64_t bytes_read = 0;
  int64_t read_requests = 0;
  int64_t pages_decoded = 0;
  int64_t page_cache_hits = 0;
  int64_t cache_bytes = 0;
};

// Per index handle; thread-safe. Files are opened (fingerprint checked,
// footer parsed) by the SourceReader; page locations are cached here for the
// life of the reader. Work runs on `pool` (the handle's), or on a pool of its
// own when none is given.
class VectorReader {
 public:
  static std::unique_ptr<VectorReader> Make(std::shared_ptr<SourceReader> source, std::string column,
                                            int32_t dim, int64_t cache_budget_bytes,
                                            ThreadPool* pool = nullptr);
  // With a SourceReader of its own over `files`.
  static std::unique_ptr<VectorReader> Make(std::vector<SourceFile> files, std::string column,
                                            int32_t dim, int64_t cache_budget_bytes);
  virtual ~VectorReader() = default;

  // For keys[0..n) (QV_ROW_KEY; any order, duplicates allowed) writes the
  // vectors into out[i * dim ..] and the row status into status[i], in the
  // order of `keys`. A key outside the files is InvalidArgument. Runs on at
  // most `threads` threads (0: all cores), the caller's included.
  virtual Status Read(const uint64_t* keys, int64_t n, const IoOptions& io, float* out,
                      RowStatus* status, int32_t threads = 0) = 0;

  virtual void SetCacheBudget(int64_t bytes) = 0;
  // The pages decoded and cached here, and the bytes and requests of the
  // SourceReader (shared with fetch).
  virtual IoStats stats() const = 0;
};

}  // namespace quiver
