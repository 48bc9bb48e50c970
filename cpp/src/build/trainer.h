// Training on the sample: k-means for the coarse quantizer (in two levels
// for many lists), then one k-means per PQ sub-space on the residuals (row
// minus its list's centroid). All with FAISS, seeded, so a build is
// reproducible.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "build/parallel_flat_index.h"
#include "common/metric.h"
#include "common/status.h"

namespace quiver {

struct TrainOptions {
  int32_t dim = 0;
  int32_t nlist = 0;
  int32_t pq_m = 0;
  Metric metric = Metric::kL2;  // COSINE: rows are unit-normalised, so are the centroids
  uint64_t seed = 0;
  int32_t threads = 1;
  // From this many lists on, the coarse quantizer is trained in two levels
  // (two_level_kmeans.h) rather than by one k-means over all of them.
  int32_t two_level_min_lists = kGroupedMinLists;
};

struct Quantizers {
  std::vector<float> centroids;  // nlist * dim
  std::vector<float> codebooks;  // pq_m * 256 * (dim / pq_m)
};

inline constexpr int kCoarseIterations = 10;
inline constexpr int kPqIterations = 20;
inline constexpr int kPqCentroids = 256;

// `progress(iterations_done, iterations_total)`; a non-OK status stops the
// training and is returned. `sample` is n * dim finite floats (normalised
// for COSINE); n must be at least nlist.
Result<Quantizers> Train(const float* sample, int64_t n, const TrainOptions& opt,
                         const std::function<Status(int64_t, int64_t)>& progress);

// Assigns each of the n rows to its L2-nearest centroid.
void AssignToLists(const float* centroids, int32_t nlist, int32_t dim, const float* rows, int64_t n,
                   int32_t threads, int64_t* lists);

}  // namespace quiver
