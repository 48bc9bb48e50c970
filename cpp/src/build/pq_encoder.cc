#include "build/pq_encoder.h"

#include "build/argmin.h"

namespace quiver {

PqEncoder::PqEncoder(int32_t dim, int32_t m, const float* codebooks, const Kernels& kernels)
    : dim_(dim), m_(m), dsub_(dim / m), kernels_(kernels) {
  transposed_.resize(static_cast<size_t>(m) * 256 * dsub_);
  for (int32_t j = 0; j < m; ++j) {
    const float* cb = codebooks + static_cast<size_t>(j) * 256 * dsub_;
    float* t = transposed_.data() + static_cast<size_t>(j) * 256 * dsub_;
    for (int c = 0; c < 256; ++c) {
      for (int32_t d = 0; d < dsub_; ++d) t[d * 256 + c] = cb[c * dsub_ + d];
    }
  }
}

void PqEncoder::Encode(const float* x, int64_t n, uint8_t* codes, float* squared_errors) const {
  alignas(64) float dist[256];
  for (int64_t i = 0; i < n; ++i) {
    float error = 0;
    for (int32_t j = 0; j < m_; ++j) {
      kernels_.l2_sqr_transposed(x + i * dim_ + j * dsub_,
                                 transposed_.data() + static_cast<size_t>(j) * 256 * dsub_, 256, dsub_, dist);
      const int64_t best = ArgMin(dist, 256);
      codes[i * m_ + j] = static_cast<uint8_t>(best);
      error += dist[best];
    }
    if (squared_errors != nullptr) squared_errors[i] = error;
  }
}

}  // namespace quiver
