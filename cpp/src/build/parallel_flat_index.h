// Exact L2 nearest-centroid search that splits the queries across OpenMP
// threads, each running FAISS's single-threaded BLAS path on its share. Used
// for k-means assignment and for assigning rows to lists during encoding.
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
