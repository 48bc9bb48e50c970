// The search hot path: distance and PQ asymmetric-distance kernels. One table
// per instruction set; the best one the CPU supports is chosen once, at load.
// Every table must return what the scalar one returns (tests check it).
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
  // out[i] = bias + sum_j lut[j * 256 + codes[i * m + j]].
  void (*adc_scan)(const uint8_t* codes, int64_t n, int32_t m, const float* lut, float bias,
                   float* out);
};

const Kernels& ScalarKernels();
// The kernels chosen for this CPU (QUIVER_KERNELS=scalar|avx2|avx512|neon in
// the environment overrides the choice, for tests and benchmarks).
const Kernels& ActiveKernels();
// All kernel tables this build carries that this CPU can run.
int AvailableKernels(const Kernels** out, int max);

}  // namespace quiver
