#include "build/grouped_centroids.h"

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "build/argmin.h"
#include "search/kernels.h"

extern "C" int sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
                      const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
                      const float* beta, float* c, const int* ldc);

namespace quiver {

GroupedCentroids::GroupedCentroids(const float* centroids, int64_t n, int32_t dim, int32_t probe_groups)
    : dim_(dim) {
  const int64_t g = std::max<int64_t>(1, std::llround(std::sqrt(static_cast<double>(n))));
  probe_ = static_cast<int32_t>(std::min<int64_t>(probe_groups, g));
  faiss::ClusteringParameters cp;
  cp.niter = 10;
  cp.seed = 1234;
  cp.min_points_per_centroid = 1;
  cp.max_points_per_centroid = 1 << 30;
  faiss::Clustering clustering(dim, static_cast<int>(g), cp);
  faiss::IndexFlatL2 index(dim);
  clustering.train(n, centroids, index);
  group_centres_ = std::move(clustering.centroids);

  std::vector<faiss::idx_t> group(n);
  std::vector<float> unused(n);
  index.reset();
  index.add(g, group_centres_.data());
  index.search(n, centroids, 1, unused.data(), group.data());

  offsets_.assign(g + 1, 0);
  for (int64_t i = 0; i < n; ++i) ++offsets_[group[i] + 1];
  std::partial_sum(offsets_.begin(), offsets_.end(), offsets_.begin());
  std::vector<int64_t> fill(offsets_.begin(), offsets_.end() - 1);
  ids_.resize(n);
  packed_.resize(static_cast<size_t>(n) * dim);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t at = fill[group[i]]++;
    ids_[at] = i;
    std::copy_n(centroids + i * dim, dim, packed_.data() + at * dim);
  }
  group_norms_.resize(g);
  for (int64_t k = 0; k < g; ++k) {
    float s = 0;
    for (int32_t j = 0; j < dim; ++j) s += group_centres_[k * dim + j] * group_centres_[k * dim + j];
    group_norms_[k] = s;
  }
}

void GroupedCentroids::Nearest(const float* x, int64_t n, float* distances, faiss::idx_t* labels) const {
  const Kernels& kernels = ActiveKernels();
  const int g = static_cast<int>(groups());
  const int dim = dim_;
  constexpr int kRows = 256;
  std::vector<float> ip(static_cast<size_t>(kRows) * g), gd(g);
  std::vector<int> order(g);
  std::vector<float> d;
  const float one = 1.0f, zero = 0.0f;
  for (int64_t begin = 0; begin < n; begin += kRows) {
    const int rows = static_cast<int>(std::min<int64_t>(kRows, n - begin));
    sgemm_("T", "N", &g, &rows, &dim, &one, group_centres_.data(), &dim, x + begin * dim, &dim, &zero,
           ip.data(), &g);
    for (int r = 0; r < rows; ++r) {
      const float* xr = x + (begin + r) * dim;
      for (int k = 0; k < g; ++k) gd[k] = group_norms_[k] - 2.0f * ip[static_cast<size_t>(r) * g + k];
      std::iota(order.begin(), order.end(), 0);
      std::nth_element(order.begin(), order.begin() + (probe_ - 1), order.end(),
                       [&](int a, int b) { return gd[a] < gd[b] || (gd[a] == gd[b] && a < b); });
      float best = std::numeric_limits<float>::infinity();
      faiss::idx_t best_id = -1;
      for (int p = 0; p < probe_; ++p) {
        const int k = order[p];
        const int64_t size = offsets_[k + 1] - offsets_[k];
        if (size == 0) continue;
        d.resize(size);
        kernels.l2_sqr_batch(xr, packed_.data() + offsets_[k] * dim, size, dim, d.data());
        float mn;
        const int64_t at = ArgMin(d.data(), size, &mn);
        const faiss::idx_t id = ids_[offsets_[k] + at];
        if (mn < best || (mn == best && id < best_id)) {
          best = mn;
          best_id = id;
        }
      }
      if (best_id < 0) {  // the closest groups were all empty: look everywhere
        d.resize(ids_.size());
        kernels.l2_sqr_batch(xr, packed_.data(), static_cast<int64_t>(ids_.size()), dim, d.data());
        const int64_t at = ArgMin(d.data(), static_cast<int64_t>(ids_.size()), &best);
        best_id = ids_[at];
      }
      labels[begin + r] = best_id;
      distances[begin + r] = best;
    }
  }
}

}  // namespace quiver
