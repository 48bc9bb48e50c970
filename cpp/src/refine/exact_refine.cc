#include "refine/exact_refine.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/thread_pool.h"
#include "kernels/top_k.h"

namespace quiver {

float ExactDistance(const Kernels& kernels, Metric metric, const float* q, const float* x,
                    int32_t dim) {
  float v;
  switch (metric) {
    case Metric::kL2:
      kernels.l2_sqr_batch(q, x, 1, dim, &v);
      return v;
    case Metric::kInnerProduct:
      kernels.dot_batch(q, x, 1, dim, &v);
      return -v;
    case Metric::kCosine: {
      float norm2;
      kernels.dot_batch(x, x, 1, dim, &norm2);
      if (!(norm2 > 0.0f)) return 1.0f;
      kernels.dot_batch(q, x, 1, dim, &v);
      return 1.0f - v / std::sqrt(norm2);
    }
  }
  return v;  // not reached: every metric returns above
}

Status RefineExact(VectorReader& reader, const IoOptions& io, const RefineBatch& batch,
                   ThreadPool& pool, int32_t threads, uint64_t* out_keys, float* out_dists,
                   const Kernels& kernels) {
  const int64_t total = batch.n * batch.per_query;
  std::vector<uint64_t> unique;
  unique.reserve(static_cast<size_t>(total));
  for (int64_t i = 0; i < total; ++i) {
    if (batch.candidates[i] != QV_NO_ROW) unique.push_back(batch.candidates[i]);
  }
  // Sorted keys also hand the reader its rows file by file, page by page.
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());

  std::vector<float> vectors(unique.size() * static_cast<size_t>(batch.dim));
  std::vector<RowStatus> status(unique.size());
  if (!unique.empty()) {
    ARROW_RETURN_NOT_OK(reader.Read(unique.data(), static_cast<int64_t>(unique.size()), io,
                                    vectors.data(), status.data(), threads));
  }

  return pool.ParallelFor(batch.n, threads, [&](int64_t qi) -> Status {
    const float* q = batch.queries + qi * batch.dim;
    const uint64_t* cands = batch.candidates + qi * batch.per_query;
    TopK top(batch.k);
    for (int64_t c = 0; c < batch.per_query; ++c) {
      if (cands[c] == QV_NO_ROW) continue;
      const size_t at = static_cast<size_t>(
          std::lower_bound(unique.begin(), unique.end(), cands[c]) - unique.begin());
      if (status[at] != RowStatus::kOk) continue;
      const float d = ExactDistance(kernels, batch.metric, q,
                                    vectors.data() + at * static_cast<size_t>(batch.dim), batch.dim);
      if (top.Accepts(d, cands[c])) top.Push(d, cands[c]);
    }
    top.Drain(out_keys + qi * batch.k, out_dists + qi * batch.k);
    return Status::OK();
  });
}

}  // namespace quiver
