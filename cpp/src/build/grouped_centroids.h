// Nearest-centroid search for many lists. With nlist in the tens of
// thousands, comparing every row with every centroid dominates the build
// (10M rows x 12,649 lists x 128 dims is 3e13 flops). The centroids are
// grouped by a small k-means (about sqrt(nlist) groups); a row is compared
// with the group centres, then with the centroids of its closest groups only.
// This is the usual two-level quantizer: the answer is the exact nearest
// centroid unless that centroid sits outside the row's closest groups, which
// on clustered data is rare (the build benchmark reports how rare; on an
// isotropic Gaussian, the worst case, 16 of 64 groups found the exact one
// for 99.7% of rows and 8 for 86%). Both steps are BLAS products: the rows
// of a block that probe a group are gathered and meet its centroids at once,
// which is several times faster than a distance loop per row.
#pragma once

#include <faiss/Index.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace quiver {

class GroupedCentroids {
 public:
  // `centroids`: n * dim floats, copied.
  GroupedCentroids(const float* centroids, int64_t n, int32_t dim, int32_t probe_groups);

  // For each of the n rows of x: the nearest centroid found and its squared
  // L2 distance.
  void Nearest(const float* x, int64_t n, float* distances, faiss::idx_t* labels) const;

  int64_t groups() const { return static_cast<int64_t>(offsets_.size()) - 1; }

 private:
  int32_t dim_;
  int32_t probe_;
  std::vector<float> group_centres_;  // groups * dim
  std::vector<float> group_norms_;
  std::vector<int64_t> offsets_;      // group g's centroids: [offsets_[g], offsets_[g + 1])
  std::vector<float> packed_;         // centroids ordered by group
  std::vector<float> packed_norms_;   // their squared norms
  std::vector<faiss::idx_t> ids_;     // original id of each packed centroid
};

}  // namespace quiver
