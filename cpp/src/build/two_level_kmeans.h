// Coarse k-means for many lists in two levels, as FAISS's Python
// two_level_clustering does: about sqrt(k) groups first, then the rows of
// each group into a share of the k centroids proportional to the group's
// size. A row meets about 2 sqrt(k) centroids per iteration instead of k (or
// the 16 sqrt(k) of the grouped search in grouped_centroids.h), which is what
// makes training tens of thousands of lists affordable. The price: centroids
// near a group border are placed knowing only their own group's rows.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/status.h"

namespace quiver {

struct TwoLevelOptions {
  int32_t dim = 0;
  int32_t k = 0;         // centroids wanted; n >= k
  int32_t iterations = 10;  // at each level
  uint64_t seed = 0;
  bool spherical = false;   // unit-norm centroids (cosine)
  int32_t threads = 1;
};

// Number of `step` calls a run makes (and so the progress total it adds).
int64_t TwoLevelSteps(const TwoLevelOptions& opt);

// k * dim floats. `step` runs after each first-level iteration and after
// each group (on any thread, never concurrently); a non-OK status stops the
// training and is returned.
Result<std::vector<float>> TwoLevelKMeans(const float* x, int64_t n, const TwoLevelOptions& opt,
                                          const std::function<Status()>& step);

// How many of k centroids each group gets: proportional to its size, at
// least one for a non-empty group, never more than its size; they sum to k.
// Requires sum(sizes) >= k.
std::vector<int32_t> ShareCentroids(const std::vector<int64_t>& sizes, int32_t k);

}  // namespace quiver
