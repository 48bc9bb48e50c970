// Small row-wise helpers shared by sampling and encoding.
#pragma once

#include <cmath>
#include <cstdint>

namespace quiver {

// COSINE indexes unit vectors. An all-zero row has no direction; it stays
// zero (every cosine distance to it is then 1).
inline void NormalizeRows(float* x, int64_t n, int32_t dim) {
  for (int64_t i = 0; i < n; ++i) {
    float* v = x + i * dim;
    double s = 0;
    for (int32_t j = 0; j < dim; ++j) s += static_cast<double>(v[j]) * v[j];
    if (s > 0) {
      const float inv = static_cast<float>(1.0 / std::sqrt(s));
      for (int32_t j = 0; j < dim; ++j) v[j] *= inv;
    }
  }
}

}  // namespace quiver
