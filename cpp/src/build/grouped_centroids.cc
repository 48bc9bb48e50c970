#include "build/grouped_centroids.h"

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>
#include <faiss/utils/distances.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "build/argmin.h"
#include "build/counting_sort.h"
#include "build/kmeans.h"
#include "kernels/kernels.h"

extern "C" int sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
                      const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
                      const float* beta, float* c, const int* ldc);

namespace quiver {
namespace {

// The bits of a float as an unsigned integer in the same order (negative
// values flipped whole, positive ones with the sign bit set).
uint64_t OrderedBits(float v) {
  const uint32_t u = std::bit_cast<uint32_t>(v);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

}  // namespace

GroupedCentroids::GroupedCentroids(const float* centroids, int64_t n, int32_t dim, int32_t probe_groups)
    : dim_(dim) {
  const int64_t g = std::max<int64_t>(1, std::llround(std::sqrt(static_cast<double>(n))));
  probe_ = static_cast<int32_t>(std::min<int64_t>(probe_groups, g));
  faiss::Clustering clustering(dim, static_cast<int>(g), KMeansParams(10, 1234));
  faiss::IndexFlatL2 index(dim);
  clustering.train(n, centroids, index);
  group_centres_ = std::move(clustering.centroids);

  std::vector<faiss::idx_t> group(n);
  std::vector<float> unused(n);
  index.reset();
  index.add(g, group_centres_.data());
  index.search(n, centroids, 1, unused.data(), group.data());

  CountingSort<int64_t>(n, g, [&](int64_t i) { return group[i]; }, &offsets_, &ids_);
  packed_.resize(static_cast<size_t>(n) * dim);
  for (int64_t at = 0; at < n; ++at) std::copy_n(centroids + ids_[at] * dim, dim, packed_.data() + at * dim);
  group_norms_.resize(g);
  faiss::fvec_norms_L2sqr(group_norms_.data(), group_centres_.data(), dim, g);
  packed_norms_.resize(n);
  faiss::fvec_norms_L2sqr(packed_norms_.data(), packed_.data(), dim, n);
}

void GroupedCentroids::Nearest(const float* x, int64_t n, float* distances, faiss::idx_t* labels) const {
  const int g = static_cast<int>(groups());
  const int dim = dim_;
  const int probe = probe_;
  // Rows per block: each group's share (about kRows * probe / g rows, some
  // 300 at 12,649 lists) makes a product big enough for BLAS while the
  // block's rows stay in cache; 4,096 and 16,384 measured slower.
  constexpr int kRows = 2048;
  std::vector<float> ip(static_cast<size_t>(kRows) * g);
  std::vector<uint64_t> keyed(g);
  std::vector<int32_t> probed(static_cast<size_t>(kRows) * probe);
  std::vector<int32_t> start, members;
  std::vector<float> best(kRows), gathered, cip;
  std::vector<faiss::idx_t> best_id(kRows);
  std::vector<float> d;
  const float one = 1.0f, zero = 0.0f;
  for (int64_t begin = 0; begin < n; begin += kRows) {
    const int rows = static_cast<int>(std::min<int64_t>(kRows, n - begin));
    const float* xb = x + begin * dim;
    // The closest groups of each row.
    sgemm_("T", "N", &g, &rows, &dim, &one, group_centres_.data(), &dim, xb, &dim, &zero, ip.data(), &g);
    for (int r = 0; r < rows; ++r) {
      // (distance, group) packed into one integer that orders like the
      // pair, so the selection compares without branching on floats.
      for (int k = 0; k < g; ++k) {
        keyed[k] = OrderedBits(group_norms_[k] - 2.0f * ip[static_cast<size_t>(r) * g + k]) << 32 |
                   static_cast<uint32_t>(k);
      }
      std::nth_element(keyed.begin(), keyed.begin() + (probe - 1), keyed.end());
      for (int p = 0; p < probe; ++p) {
        probed[static_cast<size_t>(r) * probe + p] = static_cast<int32_t>(keyed[p] & 0xffffffffu);
      }
    }
    // Turned around: the probes of each group, so that its centroids meet
    // all the rows that probe it in one product (probe i is row i / probe).
    CountingSort<int32_t>(rows * probe, g, [&](int32_t i) { return probed[i]; }, &start, &members);
    std::fill_n(best.begin(), rows, std::numeric_limits<float>::infinity());
    std::fill_n(best_id.begin(), rows, faiss::idx_t{-1});
    for (int k = 0; k < g; ++k) {
      const int count = start[k + 1] - start[k];
      const int size = static_cast<int>(offsets_[k + 1] - offsets_[k]);
      if (count == 0 || size == 0) continue;
      gathered.resize(static_cast<size_t>(count) * dim);
      for (int i = 0; i < count; ++i) {
        std::copy_n(xb + static_cast<size_t>(members[start[k] + i] / probe) * dim, dim,
                    gathered.data() + static_cast<size_t>(i) * dim);
      }
      cip.resize(static_cast<size_t>(count) * size);
      const float* packed = packed_.data() + offsets_[k] * dim;
      sgemm_("T", "N", &size, &count, &dim, &one, packed, &dim, gathered.data(), &dim, &zero, cip.data(), &size);
      const float* norms = packed_norms_.data() + offsets_[k];
      d.resize(size);
      for (int i = 0; i < count; ++i) {
        float mn;
        const int64_t at = NearestByProducts(norms, cip.data() + static_cast<size_t>(i) * size, size, d.data(), &mn);
        const faiss::idx_t id = ids_[offsets_[k] + at];
        const int r = members[start[k] + i] / probe;
        if (mn < best[r] || (mn == best[r] && id < best_id[r])) {
          best[r] = mn;
          best_id[r] = id;
        }
      }
    }
    const Kernels& kernels = ActiveKernels();
    for (int r = 0; r < rows; ++r) {
      const float* xr = xb + static_cast<size_t>(r) * dim;
      if (best_id[r] < 0) {  // the closest groups were all empty: look everywhere
        d.resize(ids_.size());
        kernels.l2_sqr_batch(xr, packed_.data(), static_cast<int64_t>(ids_.size()), dim, d.data());
        float mn;
        const int64_t at = ArgMin(d.data(), static_cast<int64_t>(ids_.size()), &mn);
        labels[begin + r] = ids_[at];
        distances[begin + r] = mn;
        continue;
      }
      labels[begin + r] = best_id[r];
      distances[begin + r] = std::max(0.0f, faiss::fvec_norm_L2sqr(xr, dim) + best[r]);
    }
  }
}

}  // namespace quiver
