#include "build/build_params.h"

#include <algorithm>
#include <cmath>

namespace quiver {

Status ValidateBuildParams(const BuildParams& p) {
  if (p.vector_column.empty()) return Status::Invalid("vector column name is empty");
  if (p.nlist < 0) return Status::Invalid("nlist must be >= 0 (0 chooses), got ", p.nlist);
  if (p.pq_m < 0) return Status::Invalid("pq_m must be >= 0 (0 chooses), got ", p.pq_m);
  if (p.pq_bits != 8) return Unsupported("pq_bits " + std::to_string(p.pq_bits) + " is not supported; only 8 is");
  if (p.train_sample < 0) return Status::Invalid("train_sample must be >= 0 (0 chooses), got ", p.train_sample);
  if (p.source.size() > kMaxSourceBytes) {
    return Status::Invalid("source is ", p.source.size(), " bytes; at most ", kMaxSourceBytes);
  }
  if (p.threads < 0) return Status::Invalid("threads must be >= 0 (0 = all cores), got ", p.threads);
  return Status::OK();
}

int32_t DefaultNlist(int64_t rows) {
  if (rows <= 1) return 1;
  int64_t n = static_cast<int64_t>(std::llround(4.0 * std::sqrt(static_cast<double>(rows))));
  return static_cast<int32_t>(std::clamp<int64_t>(n, 1, std::min<int64_t>(rows, 1 << 20)));
}

int32_t DefaultPqM(int32_t dim) {
  int32_t m = std::min(std::max(dim / 4, 1), 64);
  while (dim % m != 0) --m;
  return m;
}

int64_t DefaultTrainSample(int32_t nlist, int64_t rows) {
  return std::min<int64_t>(std::max<int64_t>(32 * static_cast<int64_t>(nlist), 100000), rows);
}

}  // namespace quiver
