// Exact L2 nearest-centroid search (k = 1) for k-means and for assigning rows
// to lists: one BLAS product per block of rows and a vectorised argmin, with
// the rows split across OpenMP threads when not already inside a parallel
// region. Other searches (k > 1) are FAISS's own.
#pragma once

#include <faiss/IndexFlat.h>

#include <functional>

namespace quiver {

class ParallelFlatL2 : public faiss::IndexFlatL2 {
 public:
  // `before_search` runs (on the calling thread) before every search: the
  // trainer uses it to count k-means iterations and to cancel.
  ParallelFlatL2(int dim, int threads, std::function<void()> before_search = {});

  void search(faiss::idx_t n, const float* x, faiss::idx_t k, float* distances,
              faiss::idx_t* labels, const faiss::SearchParameters* params = nullptr) const override;

 private:
  int threads_;
  std::function<void()> before_search_;
};

}  // namespace quiver
