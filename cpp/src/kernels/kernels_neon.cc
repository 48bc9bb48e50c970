// NEON (Advanced SIMD) kernels for aarch64. Four 4-float registers stand for
// the 16 accumulation lanes of the scalar reference (kernels_scalar.cc), and
// products and sums are separate instructions (vmulq/vaddq, never vfmaq) so
// that every result is the scalar one, bit for bit.
#include <arm_neon.h>

#include <cstring>

#include "kernels/kernels.h"

namespace quiver {
namespace {

// The scalar tree: lane l += lane l + 8, then l + 4, l + 2, l + 1. Registers
// a, b, c, d hold lanes 0-3, 4-7, 8-11, 12-15.
inline float Reduce16(float32x4_t a, float32x4_t b, float32x4_t c, float32x4_t d) {
  float32x4_t s4 = vaddq_f32(vaddq_f32(a, c), vaddq_f32(b, d));
  float32x2_t s2 = vadd_f32(vget_low_f32(s4), vget_high_f32(s4));
  return vget_lane_f32(s2, 0) + vget_lane_f32(s2, 1);
}

template <bool kL2>
inline float32x4_t Term(float32x4_t q, float32x4_t x) {
  if constexpr (kL2) {
    float32x4_t d = vsubq_f32(q, x);
    return vmulq_f32(d, d);
  } else {
    return vmulq_f32(q, x);
  }
}

template <bool kL2>
inline void Step16(const float* q, const float* x, float32x4_t acc[4]) {
  for (int r = 0; r < 4; ++r) {
    acc[r] = vaddq_f32(acc[r], Term<kL2>(vld1q_f32(q + 4 * r), vld1q_f32(x + 4 * r)));
  }
}

template <bool kL2>
inline float Distance(const float* q, const float* x, int32_t dim) {
  float32x4_t acc[4] = {vdupq_n_f32(0.0f), vdupq_n_f32(0.0f), vdupq_n_f32(0.0f),
                        vdupq_n_f32(0.0f)};
  int32_t d = 0;
  for (; d + 16 <= dim; d += 16) Step16<kL2>(q + d, x + d, acc);
  if (int r = dim - d; r > 0) {
    // The tail padded with zeros: a zero term adds nothing to a lane.
    float qt[16] = {}, xt[16] = {};
    std::memcpy(qt, q + d, sizeof(float) * r);
    std::memcpy(xt, x + d, sizeof(float) * r);
    Step16<kL2>(qt, xt, acc);
  }
  return Reduce16(acc[0], acc[1], acc[2], acc[3]);
}

template <bool kL2>
void Batch(const float* q, const float* x, int64_t n, int32_t dim, float* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = Distance<kL2>(q, x + i * dim, dim);
}

template <bool kL2>
void Transposed(const float* q, const float* xt, int64_t n, int32_t dim, float* out) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    float32x4_t lo = vdupq_n_f32(0.0f), hi = lo;
    for (int32_t d = 0; d < dim; ++d) {
      float32x4_t qd = vdupq_n_f32(q[d]);
      lo = vaddq_f32(lo, Term<kL2>(qd, vld1q_f32(xt + d * n + i)));
      hi = vaddq_f32(hi, Term<kL2>(qd, vld1q_f32(xt + d * n + i + 4)));
    }
    vst1q_f32(out + i, lo);
    vst1q_f32(out + i + 4, hi);
  }
  // The last up to 7 vectors, four lanes at a time; lanes past n compute on
  // zeros and are dropped.
  for (; i < n; i += 4) {
    const int w = n - i < 4 ? static_cast<int>(n - i) : 4;
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (int32_t d = 0; d < dim; ++d) {
      float x[4] = {};
      std::memcpy(x, xt + d * n + i, sizeof(float) * w);
      acc = vaddq_f32(acc, Term<kL2>(vdupq_n_f32(q[d]), vld1q_f32(x)));
    }
    float sums[4];
    vst1q_f32(sums, acc);
    std::memcpy(out + i, sums, sizeof(float) * w);
  }
}

}  // namespace

const Kernels& NeonKernels() {
  // The ADC scan is table lookups whatever the instruction set: the scalar
  // code serves every table (kernels_scalar.cc).
  static const Kernels k{"neon", Batch<true>, Batch<false>, ScalarKernels().adc_scan, Transposed<true>,
                         Transposed<false>};
  return k;
}

}  // namespace quiver
