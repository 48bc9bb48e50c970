#include "build/two_level_kmeans.h"


#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>

#include "build/counting_sort.h"
#include "build/kmeans.h"
#include "build/omp_for.h"
#include "build/trainer.h"

namespace quiver {
namespace {

int32_t Groups(int32_t k) { return static_cast<int32_t>(std::clamp<int64_t>(std::llround(std::sqrt(double(k))), 1, k)); }

faiss::ClusteringParameters Params(const TwoLevelOptions& opt, uint64_t seed) {
  return KMeansParams(opt.iterations, seed, opt.spherical);
}

}  // namespace

std::vector<int32_t> ShareCentroids(const std::vector<int64_t>& sizes, int32_t k) {
  const int64_t n = std::accumulate(sizes.begin(), sizes.end(), int64_t{0});
  const size_t g = sizes.size();
  std::vector<int32_t> share(g, 0);
  std::vector<double> exact(g);
  int64_t sum = 0;
  for (size_t i = 0; i < g; ++i) {
    exact[i] = n > 0 ? double(k) * double(sizes[i]) / double(n) : 0;
    if (sizes[i] > 0) {
      share[i] = static_cast<int32_t>(std::min<int64_t>(sizes[i], std::max<int64_t>(1, std::llround(std::floor(exact[i])))));
    }
    sum += share[i];
  }
  // Largest remainders first; never past a group's size, never below one.
  while (sum < k) {
    size_t best = g;
    for (size_t i = 0; i < g; ++i) {
      if (share[i] < sizes[i] && (best == g || exact[i] - share[i] > exact[best] - share[best])) best = i;
    }
    if (best == g) break;  // every group full: sum(sizes) < k
    ++share[best];
    ++sum;
  }
  while (sum > k) {
    size_t best = g;
    for (size_t i = 0; i < g; ++i) {
      if (share[i] > 1 && (best == g || share[i] - exact[i] > share[best] - exact[best])) best = i;
    }
    if (best == g) break;  // more non-empty groups than centroids
    --share[best];
    --sum;
  }
  return share;
}

int64_t TwoLevelSteps(const TwoLevelOptions& opt) { return opt.iterations + Groups(opt.k); }

Result<std::vector<float>> TwoLevelKMeans(const float* x, int64_t n, const TwoLevelOptions& opt,
                                          const std::function<Status()>& step) {
  const int32_t dim = opt.dim, k = opt.k, g = Groups(k);
  if (n < k) return Status::Invalid("cannot train ", k, " lists on ", n, " rows");

  // First level.
  ARROW_ASSIGN_OR_RAISE(std::vector<float> tops,
                        KMeans(x, n, dim, g, Params(opt, opt.seed), opt.threads, step, "coarse k-means (first level)"));
  std::vector<int64_t> group(static_cast<size_t>(n));
  AssignToLists(tops.data(), g, dim, x, n, opt.threads, group.data());
  std::vector<int64_t> row_start, members;
  CountingSort<int64_t>(n, g, [&](int64_t i) { return group[i]; }, &row_start, &members);
  std::vector<int64_t> sizes(g);
  for (int32_t i = 0; i < g; ++i) sizes[i] = row_start[i + 1] - row_start[i];
  const std::vector<int32_t> share = ShareCentroids(sizes, k);
  std::vector<int64_t> out_start(g + 1, 0);
  for (int32_t i = 0; i < g; ++i) out_start[i + 1] = out_start[i] + share[i];
  if (out_start[g] != k) return Status::UnknownError("two-level k-means shared ", out_start[g], " of ", k, " centroids");

  // Second level: each group on its own thread (they are small), largest
  // first so that the last one to finish is short.
  std::vector<int32_t> order(g);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return sizes[a] > sizes[b]; });
  std::vector<float> centroids(static_cast<size_t>(k) * dim);
  std::mutex step_mu;
  ARROW_RETURN_NOT_OK(OmpFor(g, opt.threads, [&](int64_t o) -> Status {
    const int32_t i = order[o];
    const int64_t rows = sizes[i];
    float* out = centroids.data() + out_start[i] * dim;
    std::vector<float> local(static_cast<size_t>(rows) * dim);
    for (int64_t r = 0; r < rows; ++r) {
      std::copy_n(x + members[row_start[i] + r] * dim, dim, local.data() + r * dim);
    }
    if (share[i] == rows) {
      std::copy(local.begin(), local.end(), out);  // as many centroids as rows: the rows
    } else if (share[i] > 0) {
      ARROW_ASSIGN_OR_RAISE(std::vector<float> sub,
                            KMeans(local.data(), rows, dim, share[i], Params(opt, opt.seed + 1 + static_cast<uint64_t>(i)),
                                   1, nullptr, "coarse k-means (second level)"));
      std::copy(sub.begin(), sub.end(), out);
    }
    std::lock_guard<std::mutex> lock(step_mu);
    return step ? step() : Status::OK();
  }));
  return centroids;
}

}  // namespace quiver
