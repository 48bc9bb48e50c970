// The search hot path: distance and PQ asymmetric-distance kernels. One table
// per instruction set; the best one the CPU supports is chosen once, at load.
// Every table must return what the scalar one returns (tests check it), bit
// for bit: sums over a dimension are accumulated in 16 lanes (element d goes
// to lane d % 16) and the lanes are reduced by the same fixed tree everywhere,
// products and sums are rounded separately (no fused multiply-add), and each
// PQ distance is summed sub-quantizer by sub-quantizer in order.
#pragma once

#include <cstdint>

namespace quiver {

struct Kernels {
  const char* name;  // "scalar", "avx2", "avx512", "neon"
  // out[i] = squared L2 distance between q and x[i * dim .. (i + 1) * dim).
  void (*l2_sqr_batch)(const float* q, const float* x, int64_t n, int32_t dim, float* out);
  // out[i] = dot(q, x[i]).
  void (*dot_batch)(const float* q, const float* x, int64_t n, int32_t dim, float* out);
  // ADC scan: codes is n rows of m bytes, lut is m tables of 256 floats;
  // the same code in every table (see kernels_scalar.cc for why);
  // out[i] = bias + sum_j lut[j * 256 + codes[i * m + j]].
  void (*adc_scan)(const uint8_t* codes, int64_t n, int32_t m, const float* lut, float bias,
                   float* out);
  // The same distances against n vectors stored transposed (dimension-major:
  // coordinate d of vector i at xt[d * n + i]), summed over d in order. Builds
  // PQ lookup tables: one sub-quantizer's 256 centroids are such a block.
  void (*l2_sqr_transposed)(const float* q, const float* xt, int64_t n, int32_t dim, float* out);
  void (*dot_transposed)(const float* q, const float* xt, int64_t n, int32_t dim, float* out);
};

const Kernels& ScalarKernels();
// The kernels chosen for this CPU (QUIVER_KERNELS=scalar|avx2|avx512|neon in
// the environment overrides the choice, for tests and benchmarks).
const Kernels& ActiveKernels();
// All kernel tables this build carries that this CPU can run.
int AvailableKernels(const Kernels** out, int max);

}  // namespace quiver
