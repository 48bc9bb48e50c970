#include "build/small_flat_index.h"

#include <vector>

#include "build/argmin.h"
#include "kernels/kernels.h"

namespace quiver {

void SmallFlatL2::search(faiss::idx_t n, const float* x, faiss::idx_t k, float* distances,
                         faiss::idx_t* labels, const faiss::SearchParameters* params) const {
  if (k != 1 || params != nullptr || ntotal == 0) {
    faiss::IndexFlatL2::search(n, x, k, distances, labels, params);
    return;
  }
  const float* xb = get_xb();
  std::vector<float> transposed(static_cast<size_t>(ntotal) * d);
  for (faiss::idx_t c = 0; c < ntotal; ++c) {
    for (int t = 0; t < d; ++t) transposed[t * ntotal + c] = xb[c * d + t];
  }
  const Kernels& kernels = ActiveKernels();
  std::vector<float> dist(ntotal);
  for (faiss::idx_t i = 0; i < n; ++i) {
    kernels.l2_sqr_transposed(x + i * d, transposed.data(), ntotal, d, dist.data());
    labels[i] = ArgMin(dist.data(), ntotal, &distances[i]);
  }
}

}  // namespace quiver
