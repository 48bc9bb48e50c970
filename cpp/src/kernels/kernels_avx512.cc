// AVX-512 kernels: one 16-float register holds the 16 accumulation lanes of
// the scalar reference (kernels_scalar.cc); products and sums are separate
// instructions so that rounding matches it exactly.
#include <immintrin.h>

#include "kernels/kernels.h"

namespace quiver {
namespace {

inline float Reduce16(__m512 acc) {
  __m256 s8 = _mm256_add_ps(_mm512_castps512_ps256(acc),
                            _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc), 1)));
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  __m128 s1 = _mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1));
  return _mm_cvtss_f32(s1);
}

template <bool kL2>
inline __m512 Term(__m512 q, __m512 x) {
  if constexpr (kL2) {
    __m512 d = _mm512_sub_ps(q, x);
    return _mm512_mul_ps(d, d);
  } else {
    return _mm512_mul_ps(q, x);
  }
}

// Four vectors at a time so that four independent sums are in flight.
template <bool kL2>
void Batch(const float* q, const float* x, int64_t n, int32_t dim, float* out) {
  const int32_t full = dim / 16 * 16;
  const __mmask16 tail = static_cast<__mmask16>((1u << (dim - full)) - 1);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float* x0 = x + i * dim;
    const float* x1 = x0 + dim;
    const float* x2 = x1 + dim;
    const float* x3 = x2 + dim;
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (int32_t d = 0; d < full; d += 16) {
      __m512 qv = _mm512_loadu_ps(q + d);
      a0 = _mm512_add_ps(a0, Term<kL2>(qv, _mm512_loadu_ps(x0 + d)));
      a1 = _mm512_add_ps(a1, Term<kL2>(qv, _mm512_loadu_ps(x1 + d)));
      a2 = _mm512_add_ps(a2, Term<kL2>(qv, _mm512_loadu_ps(x2 + d)));
      a3 = _mm512_add_ps(a3, Term<kL2>(qv, _mm512_loadu_ps(x3 + d)));
    }
    if (tail) {
      __m512 qv = _mm512_maskz_loadu_ps(tail, q + full);
      a0 = _mm512_add_ps(a0, Term<kL2>(qv, _mm512_maskz_loadu_ps(tail, x0 + full)));
      a1 = _mm512_add_ps(a1, Term<kL2>(qv, _mm512_maskz_loadu_ps(tail, x1 + full)));
      a2 = _mm512_add_ps(a2, Term<kL2>(qv, _mm512_maskz_loadu_ps(tail, x2 + full)));
      a3 = _mm512_add_ps(a3, Term<kL2>(qv, _mm512_maskz_loadu_ps(tail, x3 + full)));
    }
    out[i] = Reduce16(a0);
    out[i + 1] = Reduce16(a1);
    out[i + 2] = Reduce16(a2);
    out[i + 3] = Reduce16(a3);
  }
  for (; i < n; ++i) {
    const float* xi = x + i * dim;
    __m512 a = _mm512_setzero_ps();
    for (int32_t d = 0; d < full; d += 16) {
      a = _mm512_add_ps(a, Term<kL2>(_mm512_loadu_ps(q + d), _mm512_loadu_ps(xi + d)));
    }
    if (tail) {
      a = _mm512_add_ps(a, Term<kL2>(_mm512_maskz_loadu_ps(tail, q + full),
                                     _mm512_maskz_loadu_ps(tail, xi + full)));
    }
    out[i] = Reduce16(a);
  }
}

template <bool kL2>
void Transposed(const float* q, const float* xt, int64_t n, int32_t dim, float* out) {
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 mask =
        n - i >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (n - i)) - 1);
    __m512 acc = _mm512_setzero_ps();
    for (int32_t d = 0; d < dim; ++d) {
      acc = _mm512_add_ps(acc, Term<kL2>(_mm512_set1_ps(q[d]), _mm512_maskz_loadu_ps(mask, xt + d * n + i)));
    }
    _mm512_mask_storeu_ps(out + i, mask, acc);
  }
}

}  // namespace

const Kernels& Avx512Kernels() {
  static const Kernels k{"avx512", Batch<true>, Batch<false>, ScalarKernels().adc_scan, Transposed<true>,
                         Transposed<false>};
  return k;
}

}  // namespace quiver
