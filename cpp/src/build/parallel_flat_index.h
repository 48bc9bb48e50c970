// L2 nearest-centroid search (k = 1) for k-means and for assigning rows to
// lists: one BLAS product per block of rows and a vectorised argmin, exact,
// up to kGroupedMinLists centroids; beyond, the two-level search of
// grouped_centroids.h. Rows are split across OpenMP threads when not already
// inside a parallel region. Other searches (k > 1) are FAISS's own.
#pragma once

#include <faiss/IndexFlat.h>

#include <functional>
#include <memory>
#include <mutex>

namespace quiver {

class GroupedCentroids;

inline constexpr int64_t kGroupedMinLists = 8192;
inline constexpr int32_t kGroupedProbe = 16;

class ParallelFlatL2 : public faiss::IndexFlatL2 {
 public:
  // `before_search` runs (on the calling thread) before every search: the
  // trainer uses it to count k-means iterations and to cancel.
  ParallelFlatL2(int dim, int threads, std::function<void()> before_search = {});

  void search(faiss::idx_t n, const float* x, faiss::idx_t k, float* distances,
              faiss::idx_t* labels, const faiss::SearchParameters* params = nullptr) const override;
  void add(faiss::idx_t n, const float* x) override;
  void reset() override;
  // Builds the two-level structure now rather than in the first search,
  // which may run on one thread of a parallel region.
  void Prepare() const;

 private:
  std::shared_ptr<const GroupedCentroids> Grouped() const;

  int threads_;
  std::function<void()> before_search_;
  mutable std::mutex grouped_mu_;
  mutable std::shared_ptr<const GroupedCentroids> grouped_;  // built on first search
};

}  // namespace quiver
