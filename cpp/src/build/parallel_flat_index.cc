#include "build/parallel_flat_index.h"

#include <faiss/utils/distances.h>
#include <omp.h>

#include <exception>
#include <mutex>
#include <vector>

#include "build/argmin.h"
#include "build/grouped_centroids.h"

// The Fortran BLAS entry point, as FAISS itself declares it.
extern "C" int sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
                      const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
                      const float* beta, float* c, const int* ldc);

namespace quiver {
namespace {

// Nearest centroid of rows [0, n): inner products by one BLAS call per block
// of rows, then ||c||^2 - 2 <x, c> and a vectorised argmin per row. FAISS's
// generic build does the same product but a scalar heap over every distance.
void NearestBlocked(const float* x, int64_t n, const float* centroids, const float* norms, int nlist,
                    int dim, float* distances, faiss::idx_t* labels) {
  constexpr int kRows = 256;
  std::vector<float> ip(static_cast<size_t>(kRows) * nlist), d(nlist);
  const float one = 1.0f, zero = 0.0f;
  for (int64_t begin = 0; begin < n; begin += kRows) {
    const int rows = static_cast<int>(std::min<int64_t>(kRows, n - begin));
    // Column-major: ip (nlist x rows) = centroids^T (nlist x dim) * x^T (dim x rows).
    sgemm_("T", "N", &nlist, &rows, &dim, &one, centroids, &dim, x + begin * dim, &dim, &zero, ip.data(),
           &nlist);
    for (int r = 0; r < rows; ++r) {
      float best = 0;
      labels[begin + r] = NearestByProducts(norms, ip.data() + static_cast<size_t>(r) * nlist, nlist, d.data(), &best);
      distances[begin + r] = std::max(0.0f, faiss::fvec_norm_L2sqr(x + (begin + r) * dim, dim) + best);
    }
  }
}

}  // namespace

ParallelFlatL2::ParallelFlatL2(int dim, int threads, std::function<void()> before_search)
    : faiss::IndexFlatL2(dim), threads_(threads < 1 ? 1 : threads), before_search_(std::move(before_search)) {}

void ParallelFlatL2::add(faiss::idx_t n, const float* x) {
  std::lock_guard<std::mutex> lock(grouped_mu_);
  grouped_.reset();
  faiss::IndexFlatL2::add(n, x);
}

void ParallelFlatL2::reset() {
  std::lock_guard<std::mutex> lock(grouped_mu_);
  grouped_.reset();
  faiss::IndexFlatL2::reset();
}

std::shared_ptr<const GroupedCentroids> ParallelFlatL2::Grouped() const {
  std::lock_guard<std::mutex> lock(grouped_mu_);
  if (!grouped_) grouped_ = std::make_shared<GroupedCentroids>(get_xb(), ntotal, d, kGroupedProbe);
  return grouped_;
}

void ParallelFlatL2::Prepare() const {
  if (ntotal >= kGroupedMinLists) Grouped();
}

void ParallelFlatL2::search(faiss::idx_t n, const float* x, faiss::idx_t k, float* distances,
                            faiss::idx_t* labels, const faiss::SearchParameters* params) const {
  if (before_search_) before_search_();
  if (k != 1 || params != nullptr || ntotal == 0 || ntotal > INT32_MAX) {
    faiss::IndexFlatL2::search(n, x, k, distances, labels, params);
    return;
  }
  const float* xb = get_xb();
  std::shared_ptr<const GroupedCentroids> grouped;
  if (ntotal >= kGroupedMinLists) grouped = Grouped();
  std::vector<float> norms(grouped ? 0 : ntotal);
  faiss::fvec_norms_L2sqr(norms.data(), xb, d, norms.size());
  auto nearest = [&](const float* rows, faiss::idx_t count, float* dist, faiss::idx_t* lab) {
    if (grouped) {
      grouped->Nearest(rows, count, dist, lab);
    } else {
      NearestBlocked(rows, count, xb, norms.data(), static_cast<int>(ntotal), d, dist, lab);
    }
  };
  // Inside an enclosing parallel region (one encoder per file) this runs on
  // the calling thread only.
  constexpr faiss::idx_t kMinRowsPerThread = 1024;
  const int parts = static_cast<int>(std::min<faiss::idx_t>(threads_, (n + kMinRowsPerThread - 1) / kMinRowsPerThread));
  if (parts <= 1 || omp_in_parallel()) {
    nearest(x, n, distances, labels);
    return;
  }
  std::exception_ptr error;
  std::mutex error_mutex;
#pragma omp parallel for num_threads(parts) schedule(static, 1)
  for (int part = 0; part < parts; ++part) {
    const faiss::idx_t begin = n * part / parts, end = n * (part + 1) / parts;
    try {
      nearest(x + begin * d, end - begin, distances + begin, labels + begin);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace quiver
