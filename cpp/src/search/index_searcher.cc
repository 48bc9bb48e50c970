#include "search/index_searcher.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "refine/exact_refine.h"
#include "common/thread_pool.h"
#include "kernels/top_k.h"

namespace quiver {
namespace {

// Upper bound on the candidate vectors one refinement read holds in memory;
// larger batches are refined in several rounds.
constexpr int64_t kRefineChunkBytes = int64_t{256} << 20;

}  // namespace

IndexSearcher::IndexSearcher(const IndexReader& index, VectorReader* vectors, ThreadPool* pool,
                             const Kernels& kernels)
    : index_(index),
      vectors_(vectors),
      own_pool_(pool ? nullptr : std::make_unique<ThreadPool>()),
      pool_(pool ? pool : own_pool_.get()),
      kernels_(kernels),
      scan_(index, kernels) {}

Status IndexSearcher::Validate(const float* queries, int64_t n, int32_t dim, int32_t k,
                               const SearchOptions& opt) const {
  const int32_t want = index_.params().dim;
  if (n < 0) return Status::Invalid("number of queries must be >= 0, got ", n);
  if (n > 0 && queries == nullptr) return Status::Invalid("queries is NULL");
  if (dim != want) {
    return Status::Invalid("query dimension ", dim, " does not match the index dimension ", want);
  }
  if (k < 1) return Status::Invalid("k must be >= 1, got ", k);
  if (opt.nprobes < 1) return Status::Invalid("nprobes must be >= 1, got ", opt.nprobes);
  if (opt.refine_factor < 0) {
    return Status::Invalid("refine_factor must be >= 0, got ", opt.refine_factor);
  }
  if (opt.refine_factor > 0 && vectors_ == nullptr) {
    return Status::Invalid("refinement needs the source files, which this index cannot read");
  }
  for (int64_t i = 0; i < n; ++i) {
    const float* q = queries + i * dim;
    for (int32_t d = 0; d < dim; ++d) {
      if (!std::isfinite(q[d])) {
        return Status::Invalid("query ", i, " holds a non-finite value (", q[d],
                               ") at dimension ", d);
      }
    }
  }
  return Status::OK();
}

Status IndexSearcher::Search(const float* queries, int64_t n, int32_t dim, int32_t k,
                             const SearchOptions& opt, const RowFilter* filter, uint64_t* out_keys,
                             float* out_dists) const {
  ARROW_RETURN_NOT_OK(Validate(queries, n, dim, k, opt));
  if (n > 0 && (out_keys == nullptr || out_dists == nullptr)) {
    return Status::Invalid("output arrays are NULL");
  }
  const Metric metric = index_.params().metric;

  // The queries as the index sees them: unit length for cosine.
  std::vector<float> prepared(queries, queries + n * dim);
  if (UnitNormalised(metric)) {
    for (int64_t i = 0; i < n; ++i) {
      float* q = prepared.data() + i * dim;
      float norm2;
      kernels_.dot_batch(q, q, 1, dim, &norm2);
      if (!(norm2 > 0.0f)) {
        return Status::Invalid("query ", i, " is the zero vector: its cosine distance is undefined");
      }
      const float inv = 1.0f / std::sqrt(norm2);
      for (int32_t d = 0; d < dim; ++d) q[d] *= inv;
    }
  }

  const bool refine = opt.refine_factor > 0;
  // More candidates than indexed rows can never be found.
  const int64_t rows = std::max<int64_t>(1, index_.rows_indexed());
  const int64_t per_query =
      refine ? std::max<int64_t>(1, std::min<int64_t>(int64_t{k} * opt.refine_factor, rows)) : k;
  const int64_t chunk = std::max<int64_t>(
      1, kRefineChunkBytes / std::max<int64_t>(1, per_query * dim * int64_t{sizeof(float)}));

  std::vector<uint64_t> cand_keys;
  std::vector<float> cand_dists;
  for (int64_t begin = 0; begin < n; begin += chunk) {
    const int64_t count = std::min(chunk, n - begin);
    uint64_t* keys = out_keys + begin * k;
    float* dists = out_dists + begin * k;
    if (refine) {
      cand_keys.resize(static_cast<size_t>(count * per_query));
      cand_dists.resize(static_cast<size_t>(count * per_query));
    }
    uint64_t* stage_keys = refine ? cand_keys.data() : keys;
    float* stage_dists = refine ? cand_dists.data() : dists;
    // A thread-private workspace per query keeps the scan allocation-light
    // without sharing state between threads.
    ARROW_RETURN_NOT_OK(pool_->ParallelFor(count, count > 1 ? opt.threads : 1, [&](int64_t i) -> Status {
      thread_local IvfPqScan::Workspace ws;
      TopK top(per_query);
      ARROW_RETURN_NOT_OK(
          scan_.Scan(prepared.data() + (begin + i) * dim, opt.nprobes, filter, &top, &ws));
      top.Drain(stage_keys + i * per_query, stage_dists + i * per_query);
      return Status::OK();
    }));
    if (refine) {
      RefineBatch batch;
      batch.queries = prepared.data() + begin * dim;
      batch.n = count;
      batch.dim = dim;
      batch.metric = metric;
      batch.candidates = cand_keys.data();
      batch.per_query = per_query;
      batch.k = k;
      ARROW_RETURN_NOT_OK(
          RefineExact(*vectors_, opt.io, batch, *pool_, opt.threads, keys, dists, kernels_));
    }
  }
  return Status::OK();
}

}  // namespace quiver
