// The reference kernels. They spell out the 16-lane accumulation order that
// the SIMD tables follow so that every table agrees bit for bit.
#include <cstddef>

#include "kernels/kernels.h"

namespace quiver {
namespace {

constexpr int kLanes = 16;

// Reduces 16 lanes the way the SIMD tables do: halves added pairwise,
// 16 -> 8 -> 4 -> 2 -> 1.
inline float ReduceLanes(float* acc) {
  for (int width = kLanes / 2; width >= 1; width /= 2) {
    for (int l = 0; l < width; ++l) acc[l] = acc[l] + acc[l + width];
  }
  return acc[0];
}

inline float L2Sqr(const float* q, const float* x, int32_t dim) {
  float acc[kLanes] = {};
  for (int32_t d = 0; d < dim; ++d) {
    float diff = q[d] - x[d];
    float sq = diff * diff;
    acc[d % kLanes] = acc[d % kLanes] + sq;
  }
  return ReduceLanes(acc);
}

inline float Dot(const float* q, const float* x, int32_t dim) {
  float acc[kLanes] = {};
  for (int32_t d = 0; d < dim; ++d) {
    float prod = q[d] * x[d];
    acc[d % kLanes] = acc[d % kLanes] + prod;
  }
  return ReduceLanes(acc);
}

void L2SqrBatch(const float* q, const float* x, int64_t n, int32_t dim, float* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = L2Sqr(q, x + i * dim, dim);
}

void DotBatch(const float* q, const float* x, int64_t n, int32_t dim, float* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = Dot(q, x + i * dim, dim);
}

// The ADC scan is table lookups, that is loads, whatever the instruction set;
// vector gathers measured several times slower than this plain code on our
// CPUs (the gather-data-sampling mitigation makes them slow), so every table
// uses it. Four rows side by side give four independent chains of additions
// instead of one; each row is still summed sub-quantizer by sub-quantizer.
void AdcScan(const uint8_t* codes, int64_t n, int32_t m, const float* lut, float bias,
             float* out) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint8_t* c0 = codes + i * m;
    const uint8_t* c1 = c0 + m;
    const uint8_t* c2 = c1 + m;
    const uint8_t* c3 = c2 + m;
    float s0 = bias, s1 = bias, s2 = bias, s3 = bias;
    for (int32_t j = 0; j < m; ++j) {
      const float* t = lut + j * 256;
      s0 = s0 + t[c0[j]];
      s1 = s1 + t[c1[j]];
      s2 = s2 + t[c2[j]];
      s3 = s3 + t[c3[j]];
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < n; ++i) {
    const uint8_t* c = codes + i * m;
    float s = bias;
    for (int32_t j = 0; j < m; ++j) s = s + lut[j * 256 + c[j]];
    out[i] = s;
  }
}

void L2SqrTransposed(const float* q, const float* xt, int64_t n, int32_t dim, float* out) {
  for (int64_t i = 0; i < n; ++i) {
    float s = 0.0f;
    for (int32_t d = 0; d < dim; ++d) {
      float diff = q[d] - xt[d * n + i];
      float sq = diff * diff;
      s = s + sq;
    }
    out[i] = s;
  }
}

void DotTransposed(const float* q, const float* xt, int64_t n, int32_t dim, float* out) {
  for (int64_t i = 0; i < n; ++i) {
    float s = 0.0f;
    for (int32_t d = 0; d < dim; ++d) {
      float prod = q[d] * xt[d * n + i];
      s = s + prod;
    }
    out[i] = s;
  }
}

}  // namespace

const Kernels& ScalarKernels() {
  static const Kernels k{"scalar", L2SqrBatch, DotBatch, AdcScan, L2SqrTransposed, DotTransposed};
  return k;
}

}  // namespace quiver
