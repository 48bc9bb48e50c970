#include "build/kmeans.h"

#include <exception>

#include "build/parallel_flat_index.h"

namespace quiver {
namespace {

// Thrown from inside FAISS's k-means loop (from the index's search, on the
// calling thread, outside any parallel region) to stop it.
struct Stop {
  Status status;
};

}  // namespace

faiss::ClusteringParameters KMeansParams(int iterations, uint64_t seed, bool spherical) {
  faiss::ClusteringParameters cp;
  cp.niter = iterations;
  cp.seed = static_cast<int>(seed & 0x7fffffff);
  cp.spherical = spherical;
  cp.verbose = false;
  cp.min_points_per_centroid = 1;
  cp.max_points_per_centroid = 1 << 30;
  return cp;
}

Result<std::vector<float>> KMeans(const float* x, int64_t n, int32_t dim, int32_t k,
                                  const faiss::ClusteringParameters& params, int32_t threads,
                                  const std::function<Status()>& iteration_done, const char* what) {
  faiss::Clustering clustering(dim, k, params);
  int searches = 0;
  ParallelFlatL2 index(dim, threads, [&] {
    // FAISS searches once per iteration, the first time before any
    // iteration has finished.
    if (searches++ == 0 || !iteration_done) return;
    Status st = iteration_done();
    if (!st.ok()) throw Stop{st};
  });
  try {
    clustering.train(n, x, index);
  } catch (Stop& stop) {
    return stop.status;
  } catch (const std::exception& e) {
    return Status::UnknownError(what, " failed: ", e.what());
  }
  if (iteration_done) ARROW_RETURN_NOT_OK(iteration_done());  // no search follows the last one
  if (clustering.centroids.size() != static_cast<size_t>(k) * dim) {
    return Status::UnknownError(what, " returned ", clustering.centroids.size(), " values");
  }
  return std::move(clustering.centroids);
}

}  // namespace quiver
