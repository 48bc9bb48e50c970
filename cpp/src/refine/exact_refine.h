// Exact refinement: the candidates of a batch of queries get their true
// distances from the vectors in the Parquet files, and the k best survive.
#pragma once

#include <cstdint>

#include "common/metric.h"
#include "common/status.h"
#include "common/thread_pool.h"
#include "parquet/vector_reader.h"
#include "kernels/kernels.h"

namespace quiver {

struct RefineBatch {
  const float* queries = nullptr;     // n * dim, prepared (unit length for COSINE)
  int64_t n = 0;
  int32_t dim = 0;
  Metric metric = Metric::kL2;
  const uint64_t* candidates = nullptr;  // n * per_query keys; QV_NO_ROW = none
  int64_t per_query = 0;
  int32_t k = 0;
};

// Reads the union of all candidates with one VectorReader::Read call, so
// rows shared by queries and rows on the same page cost one read and one
// decode, then writes each query's k best rows (best first, ties by key) to
// out_keys / out_dists at i * k. A row whose vector is no longer usable is
// dropped; slots left over are QV_NO_ROW / +inf.
Status RefineExact(VectorReader& reader, const IoOptions& io, const RefineBatch& batch,
                   ThreadPool& pool, int32_t threads, uint64_t* out_keys, float* out_dists,
                   const Kernels& kernels = ActiveKernels());

// The exact distance of `x` to the prepared query `q` under `metric` (smaller
// is better): L2 squared; COSINE 1 - cos (1 for a zero vector); INNER_PRODUCT
// -dot.
float ExactDistance(const Kernels& kernels, Metric metric, const float* q, const float* x,
                    int32_t dim);

}  // namespace quiver
