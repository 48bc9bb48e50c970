// Position of the smallest of n floats (the first one on ties; NaN never
// wins). Sixteen lanes keep their own minimum and where it was, which the
// compiler turns into vector compares and blends; a plain running minimum
// would stay scalar.
#pragma once

#include <cstdint>
#include <limits>

namespace quiver {

inline int64_t ArgMin(const float* d, int64_t n, float* min_out = nullptr) {
  constexpr int64_t kLanes = 16;
  alignas(64) float lane_min[kLanes];
  alignas(64) int64_t lane_at[kLanes];
  for (int64_t k = 0; k < kLanes; ++k) {
    lane_min[k] = std::numeric_limits<float>::infinity();
    lane_at[k] = -1;
  }
  const int64_t full = n / kLanes * kLanes;
  for (int64_t b = 0; b < full; b += kLanes) {
#pragma omp simd
    for (int64_t k = 0; k < kLanes; ++k) {
      const bool lower = d[b + k] < lane_min[k];
      lane_min[k] = lower ? d[b + k] : lane_min[k];
      lane_at[k] = lower ? b + k : lane_at[k];
    }
  }
  float best = std::numeric_limits<float>::infinity();
  int64_t at = -1;
  for (int64_t k = 0; k < kLanes; ++k) {
    if (lane_at[k] >= 0 && (lane_min[k] < best || (lane_min[k] == best && lane_at[k] < at))) {
      best = lane_min[k];
      at = lane_at[k];
    }
  }
  for (int64_t k = full; k < n; ++k) {
    if (d[k] < best) {
      best = d[k];
      at = k;
    }
  }
  if (at < 0) at = 0;  // every value infinite or NaN
  if (min_out) *min_out = d[at];
  return at;
}

// The nearest of n centroids to a row, from the centroids' squared norms and
// their inner products with the row (one column of a BLAS product): the
// argmin of norms[c] - 2 ip[c], which is the squared distance less the
// row's own norm. `scratch` holds n floats; *partial_out gets that minimum.
inline int64_t NearestByProducts(const float* norms, const float* ip, int64_t n, float* scratch,
                                 float* partial_out) {
#pragma omp simd
  for (int64_t c = 0; c < n; ++c) scratch[c] = norms[c] - 2.0f * ip[c];
  return ArgMin(scratch, n, partial_out);
}

}  // namespace quiver
