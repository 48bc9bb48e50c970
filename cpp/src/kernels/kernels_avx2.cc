// AVX2 kernels. Two 8-float registers stand for the 16 accumulation lanes of
// the scalar reference (kernels_scalar.cc); products and sums are separate
// instructions so that rounding matches it exactly.
#include <immintrin.h>

#include "kernels/kernels.h"

namespace quiver {
namespace {

// The first `r` (0..8) lanes set.
inline __m256i PrefixMask(int r) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(r), lane);
}

// Lanes 0-7 in lo, 8-15 in hi; reduced 16 -> 8 -> 4 -> 2 -> 1.
inline float Reduce16(__m256 lo, __m256 hi) {
  __m256 s8 = _mm256_add_ps(lo, hi);
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  __m128 s1 = _mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1));
  return _mm_cvtss_f32(s1);
}

template <bool kL2>
inline __m256 Term(__m256 q, __m256 x) {
  if constexpr (kL2) {
    __m256 d = _mm256_sub_ps(q, x);
    return _mm256_mul_ps(d, d);
  } else {
    return _mm256_mul_ps(q, x);
  }
}

template <bool kL2>
inline float Distance(const float* q, const float* x, int32_t dim) {
  __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
  int32_t d = 0;
  for (; d + 16 <= dim; d += 16) {
    lo = _mm256_add_ps(lo, Term<kL2>(_mm256_loadu_ps(q + d), _mm256_loadu_ps(x + d)));
    hi = _mm256_add_ps(hi, Term<kL2>(_mm256_loadu_ps(q + d + 8), _mm256_loadu_ps(x + d + 8)));
  }
  int r = dim - d;
  if (r > 0) {
    // Masked-off lanes load zeros and add zero: the lane sums are unchanged.
    __m256i m0 = PrefixMask(r < 8 ? r : 8);
    lo = _mm256_add_ps(lo, Term<kL2>(_mm256_maskload_ps(q + d, m0), _mm256_maskload_ps(x + d, m0)));
    if (r > 8) {
      __m256i m1 = PrefixMask(r - 8);
      hi = _mm256_add_ps(hi, Term<kL2>(_mm256_maskload_ps(q + d + 8, m1),
                                       _mm256_maskload_ps(x + d + 8, m1)));
    }
  }
  return Reduce16(lo, hi);
}

template <bool kL2>
void Batch(const float* q, const float* x, int64_t n, int32_t dim, float* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = Distance<kL2>(q, x + i * dim, dim);
}

template <bool kL2>
void Transposed(const float* q, const float* xt, int64_t n, int32_t dim, float* out) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 acc = _mm256_setzero_ps();
    for (int32_t d = 0; d < dim; ++d) {
      acc = _mm256_add_ps(acc, Term<kL2>(_mm256_set1_ps(q[d]), _mm256_loadu_ps(xt + d * n + i)));
    }
    _mm256_storeu_ps(out + i, acc);
  }
  for (; i < n; ++i) {
    float s = 0.0f;
    for (int32_t d = 0; d < dim; ++d) {
      float t;
      if constexpr (kL2) {
        float diff = q[d] - xt[d * n + i];
        t = diff * diff;
      } else {
        t = q[d] * xt[d * n + i];
      }
      s = s + t;
    }
    out[i] = s;
  }
}

}  // namespace

const Kernels& Avx2Kernels() {
  static const Kernels k{"avx2", Batch<true>, Batch<false>, ScalarKernels().adc_scan, Transposed<true>, Transposed<false>};
  return k;
}

}  // namespace quiver
