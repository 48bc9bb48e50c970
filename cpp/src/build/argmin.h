// Position of the smallest of n floats (the first one on ties), blocked so
// that the inner minimum vectorises.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

namespace quiver {

inline int64_t ArgMin(const float* d, int64_t n, float* min_out = nullptr) {
  constexpr int64_t kBlock = 16;
  float best = std::numeric_limits<float>::infinity();
  int64_t best_block = 0;
  const int64_t full = n / kBlock * kBlock;
  for (int64_t b = 0; b < full; b += kBlock) {
    float mn = std::numeric_limits<float>::infinity();
#pragma omp simd reduction(min : mn)
    for (int64_t k = 0; k < kBlock; ++k) mn = std::min(mn, d[b + k]);
    if (mn < best) {
      best = mn;
      best_block = b;
    }
  }
  int64_t at = -1;
  if (full > 0 && best < std::numeric_limits<float>::infinity()) {
    for (at = best_block; d[at] != best; ++at) {
    }
  }
  for (int64_t k = full; k < n; ++k) {
    if (at < 0 || d[k] < best) {
      best = d[k];
      at = k;
    }
  }
  if (at < 0) at = 0;  // every value infinite or NaN
  if (min_out) *min_out = d[at];
  return at;
}

}  // namespace quiver
