#include "build/trainer.h"

#include <faiss/Clustering.h>

#include <algorithm>
#include <exception>
#include <mutex>

#include "build/kmeans.h"
#include "build/omp_for.h"
#include "build/parallel_flat_index.h"
#include "build/small_flat_index.h"
#include "build/two_level_kmeans.h"

namespace quiver {

void AssignToLists(const float* centroids, int32_t nlist, int32_t dim, const float* rows, int64_t n,
                   int32_t threads, int64_t* lists) {
  ParallelFlatL2 index(dim, threads);
  index.add(nlist, centroids);
  std::vector<float> distances(static_cast<size_t>(n));
  index.search(n, rows, 1, distances.data(), lists);
}

Result<Quantizers> Train(const float* sample, int64_t n, const TrainOptions& opt,
                         const std::function<Status(int64_t, int64_t)>& progress) {
  const int32_t dim = opt.dim, nlist = opt.nlist, m = opt.pq_m;
  if (n < nlist || n < 1) {
    return Status::Invalid("cannot train ", nlist, " lists on ", n, " rows: need at least as many rows as lists");
  }
  const int dsub = dim / m;
  const bool two_level = nlist >= opt.two_level_min_lists;
  TwoLevelOptions two;
  two.dim = dim;
  two.k = nlist;
  two.iterations = kCoarseIterations;
  two.seed = opt.seed;
  two.spherical = UnitNormalised(opt.metric);
  two.threads = opt.threads;
  const int64_t coarse_steps = two_level ? TwoLevelSteps(two) : kCoarseIterations;
  const int64_t total = coarse_steps + m;
  int64_t done = 0;
  Quantizers q;

  // Coarse quantizer.
  auto step = [&]() -> Status { return progress ? progress(++done, total) : Status::OK(); };
  if (two_level) {
    ARROW_ASSIGN_OR_RAISE(q.centroids, TwoLevelKMeans(sample, n, two, step));
  } else {
    ARROW_ASSIGN_OR_RAISE(q.centroids, KMeans(sample, n, dim, nlist,
                                              KMeansParams(kCoarseIterations, opt.seed, two.spherical),
                                              opt.threads, step, "coarse k-means"));
  }
  done = coarse_steps;
  if (progress) ARROW_RETURN_NOT_OK(progress(done, total));

  // Residuals of the sample against their lists' centroids.
  std::vector<int64_t> lists(static_cast<size_t>(n));
  AssignToLists(q.centroids.data(), nlist, dim, sample, n, opt.threads, lists.data());

  // One k-means per sub-space, in parallel: each is small (dsub dimensions),
  // so spreading them over threads beats splitting each one.
  q.codebooks.assign(static_cast<size_t>(m) * kPqCentroids * dsub, 0.0f);
  std::mutex progress_mu;
  auto train_subspace = [&](int64_t j) -> Status {
    std::vector<float> slice(static_cast<size_t>(n) * dsub);
    for (int64_t i = 0; i < n; ++i) {
      const float* x = sample + i * dim + j * dsub;
      const float* c = q.centroids.data() + lists[i] * dim + j * dsub;
      for (int t = 0; t < dsub; ++t) slice[i * dsub + t] = x[t] - c[t];
    }
    float* out = q.codebooks.data() + static_cast<size_t>(j) * kPqCentroids * dsub;
    if (n < kPqCentroids) {
      // Too few rows for 256 centroids: the rows themselves are the code
      // words (repeated), which encodes them exactly.
      for (int c = 0; c < kPqCentroids; ++c) {
        std::copy_n(slice.data() + (c % n) * dsub, dsub, out + c * dsub);
      }
    } else {
      faiss::ClusteringParameters cp = KMeansParams(kPqIterations, opt.seed + 1 + static_cast<uint64_t>(j));
      // A PQ code word needs far fewer points than a list centroid.
      cp.max_points_per_centroid = 256;
      faiss::Clustering clustering(dsub, kPqCentroids, cp);
      SmallFlatL2 index(dsub);
      clustering.train(n, slice.data(), index);
      std::copy_n(clustering.centroids.data(), static_cast<size_t>(kPqCentroids) * dsub, out);
    }
    std::lock_guard<std::mutex> lock(progress_mu);
    return step();
  };
  try {
    ARROW_RETURN_NOT_OK(OmpFor(m, opt.threads, train_subspace));
  } catch (const std::exception& e) {
    return Status::UnknownError("PQ training failed: ", e.what());
  }
  return q;
}

}  // namespace quiver
