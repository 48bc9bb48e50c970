// PQ encoding of residuals: for each sub-vector, the nearest of its 256 code
// words. Uses the search kernels' transposed distance routine (one block of
// 256 code words per sub-quantizer), which beats FAISS's generic build here
// by a wide margin; the argmin is blocked so that it vectorises.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/kernels.h"

namespace quiver {

class PqEncoder {
 public:
  // `codebooks`: m * 256 * (dim / m) floats, sub-quantizer j's code word c
  // at (j * 256 + c) * dsub.
  PqEncoder(int32_t dim, int32_t m, const float* codebooks, const Kernels& kernels = ActiveKernels());

  // codes[i * m + j] for each of the n rows of x (n * dim floats), and, when
  // `squared_errors` is not null, each row's squared distance to its
  // reconstruction (the quantization error: how well the codebooks fit it).
  void Encode(const float* x, int64_t n, uint8_t* codes, float* squared_errors = nullptr) const;

 private:
  int32_t dim_, m_, dsub_;
  const Kernels& kernels_;
  std::vector<float> transposed_;  // per sub-quantizer: dsub rows of 256
};

}  // namespace quiver
