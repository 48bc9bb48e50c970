// A k-nearest-neighbour search over one open index: validates the request,
// runs the approximate IVF-PQ stage for every query (in parallel for a batch)
// and refines the candidates with exact distances read from Parquet.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "common/thread_pool.h"
#include "quiver/quiver.h"
#include "index/index_reader.h"
#include "parquet/vector_reader.h"
#include "search/ivf_pq_scan.h"
#include "search/row_filter.h"

namespace quiver {

struct SearchOptions {
  int32_t nprobes = QV_DEFAULT_NPROBES;              // capped at nlist
  int32_t refine_factor = QV_DEFAULT_REFINE_FACTOR;  // k * factor exact candidates; 0 = PQ distances
  int32_t threads = 0;        // threads per call, the caller's included; 0 = all cores
  IoOptions io;
  bool recheck_sources = true;  // fetch: check each file's size and version on every call
};

class IndexSearcher {
 public:
  // All must outlive the searcher. `vectors` may be null only if every
  // search runs with refine_factor 0. Work runs on `pool` (the handle's), or
  // on a pool of the searcher's own when none is given.
  IndexSearcher(const IndexReader& index, VectorReader* vectors, ThreadPool* pool = nullptr,
                const Kernels& kernels = ActiveKernels());

  // n queries (row-major, n * dim) -> out_keys / out_dists [n * k], query i at
  // i * k, best first. Thread-safe.
  Status Search(const float* queries, int64_t n, int32_t dim, int32_t k, const SearchOptions& opt,
                const RowFilter* filter, uint64_t* out_keys, float* out_dists) const;

 private:
  Status Validate(const float* queries, int64_t n, int32_t dim, int32_t k,
                  const SearchOptions& opt) const;

  const IndexReader& index_;
  VectorReader* vectors_;
  std::unique_ptr<ThreadPool> own_pool_;
  ThreadPool* pool_;
  const Kernels& kernels_;
  IvfPqScan scan_;
};

}  // namespace quiver
