// A read-only view of an open index: what search, refinement and fetch see.
// The on-disk layout behind it lives in index/format.h; this header is the
// contract between the build side and the query side.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/metric.h"
#include "common/status.h"
#include "parquet/source_file.h"

namespace quiver {

struct PostingList {
  int64_t size = 0;
  const uint8_t* codes = nullptr;  // size * pq_m bytes, row-major
  const uint64_t* keys = nullptr;  // size row keys (QV_ROW_KEY)
};

struct IndexParams {
  int32_t dim = 0;
  Metric metric = Metric::kL2;
  int32_t nlist = 0;
  int32_t pq_m = 0;
  int32_t pq_bits = 8;
  int64_t train_sample = 0;
  uint64_t seed = 0;
  int32_t threads = 0;
  std::string vector_column;
  std::string source;  // BuildParams::source; empty for plain files
};

struct SkipCounts {
  int64_t null_vector = 0;
  int64_t wrong_length = 0;
  int64_t non_finite = 0;
};

class IndexReader {
 public:
  // MmapIndexReader::OpenMapped maps and validates one (see qv_index_open).
  virtual ~IndexReader() = default;

  virtual const IndexParams& params() const = 0;
  virtual const SkipCounts& skipped() const = 0;
  virtual int64_t rows_indexed() const = 0;
  virtual int64_t index_bytes() const = 0;
  virtual int32_t format_version() const = 0;
  virtual const std::vector<SourceFile>& files() const = 0;

  // nlist * dim floats. For COSINE the index holds unit-normalised data and
  // the query side normalises queries the same way. Whatever the metric,
  // every row sits in the list of its L2-nearest centroid (for COSINE, of
  // the unit-normalised row; for INNER_PRODUCT, of the raw row).
  virtual const float* centroids() const = 0;
  // pq_m * 256 * (dim / pq_m) floats: sub-quantizer j's centroid c is at
  // (j * 256 + c) * dsub. Codes encode the residual (x - centroid of its list).
  virtual const float* pq_codebooks() const = 0;

  // An index is one or more segments sharing the quantizers: the build's,
  // then one per append. A search merges list `l` of every segment, which
  // answers exactly as one list holding all their rows.
  virtual int32_t segments() const = 0;
  // Posting list `list` (0 <= list < nlist) of `segment`. Its checksum is
  // verified on first access; a mismatch is a CorruptIndex status, on that
  // and every later call.
  virtual Result<PostingList> list(int32_t segment, int32_t list) const = 0;
  // A removed file keeps its ordinal and its rows in their segment, and no
  // search returns them (see qv_index_remove_files).
  virtual bool file_removed(int32_t file) const = 0;

  // Re-checks one source file's fingerprint against the manifest now.
  virtual Status CheckFileFresh(int32_t file) const = 0;
};

}  // namespace quiver
