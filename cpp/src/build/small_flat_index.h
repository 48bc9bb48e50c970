// Exact nearest-neighbour search (k = 1) over a few hundred low-dimensional
// vectors, for the PQ sub-space k-means: FAISS's generic build computes such
// distances one pair at a time; this uses the search kernels over the
// transposed vectors.
#pragma once

#include <faiss/IndexFlat.h>

namespace quiver {

class SmallFlatL2 : public faiss::IndexFlatL2 {
 public:
  explicit SmallFlatL2(int dim) : faiss::IndexFlatL2(dim) {}

  void search(faiss::idx_t n, const float* x, faiss::idx_t k, float* distances, faiss::idx_t* labels,
              const faiss::SearchParameters* params = nullptr) const override;
};

}  // namespace quiver
