// One FAISS k-means as the build runs them: on a sample the caller has sized
// (FAISS neither subsamples it nor warns), nearest centroids found by
// ParallelFlatL2, and a callback after every iteration that can stop it.
#pragma once

#include <faiss/Clustering.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "common/status.h"

namespace quiver {

faiss::ClusteringParameters KMeansParams(int iterations, uint64_t seed, bool spherical = false);

// k * dim floats. `iteration_done` (may be empty) runs on the calling thread
// after each iteration; a non-OK status stops the k-means and is returned.
// An exception from FAISS becomes an error naming `what`.
Result<std::vector<float>> KMeans(const float* x, int64_t n, int32_t dim, int32_t k,
                                  const faiss::ClusteringParameters& params, int32_t threads,
                                  const std::function<Status()>& iteration_done, const char* what);

}  // namespace quiver
