// Random access to the vectors of given rows, for exact refinement. The rows
// of a whole batch are grouped per file and per data page (the page index when
// the file has one, otherwise page locations discovered once per handle), the
// needed byte ranges are read with coalescing, and each page is decoded once.
// Decoded pages are kept in a cache bounded by a byte budget.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "quiver/quiver.h"
#include "index/index_reader.h"
#include "parquet/vector_column.h"

namespace quiver {

struct IoOptions {
  int64_t gap_bytes = QV_DEFAULT_IO_GAP_BYTES;      // ranges closer than this are read as one
  int32_t concurrency = QV_DEFAULT_IO_CONCURRENCY;  // reads in flight
};

struct IoStats {
  int64_t bytes_read = 0;
  int64_t read_requests = 0;
  int64_t pages_decoded = 0;
  int64_t page_cache_hits = 0;
  int64_t cache_bytes = 0;
};

// Per index handle; thread-safe. Each file's fingerprint is checked the first
// time the file is opened (StaleIndex naming it on mismatch); footers and page
// locations are cached for the life of the reader.
class VectorReader {
 public:
  static std::unique_ptr<VectorReader> Make(std::vector<SourceFile> files, std::string column,
                                            int32_t dim, int64_t cache_budget_bytes);
  virtual ~VectorReader() = default;

  // For keys[0..n) (QV_ROW_KEY; any order, duplicates allowed) writes the
  // vectors into out[i * dim ..] and the row status into status[i], in the
  // order of `keys`. A key outside the files is InvalidArgument.
  virtual Status Read(const uint64_t* keys, int64_t n, const IoOptions& io, float* out,
                      RowStatus* status) = 0;

  virtual void SetCacheBudget(int64_t bytes) = 0;
  virtual IoStats stats() const = 0;
};

}  // namespace quiver
