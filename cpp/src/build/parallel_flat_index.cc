#include "build/parallel_flat_index.h"

#include <omp.h>

#include <exception>
#include <mutex>

namespace quiver {

ParallelFlatL2::ParallelFlatL2(int dim, int threads, std::function<void()> before_search)
    : faiss::IndexFlatL2(dim), threads_(threads < 1 ? 1 : threads), before_search_(std::move(before_search)) {}

void ParallelFlatL2::search(faiss::idx_t n, const float* x, faiss::idx_t k, float* distances,
                            faiss::idx_t* labels, const faiss::SearchParameters* params) const {
  if (before_search_) before_search_();
  // Inside an enclosing parallel region (one encoder per file) this runs on
  // the calling thread only: OpenMP does not nest active regions.
  constexpr faiss::idx_t kMinRowsPerThread = 1024;
  const int parts = static_cast<int>(std::min<faiss::idx_t>(threads_, (n + kMinRowsPerThread - 1) / kMinRowsPerThread));
  if (parts <= 1 || omp_in_parallel()) {
    faiss::IndexFlatL2::search(n, x, k, distances, labels, params);
    return;
  }
  std::exception_ptr error;
  std::mutex error_mutex;
#pragma omp parallel for num_threads(parts) schedule(static, 1)
  for (int part = 0; part < parts; ++part) {
    const faiss::idx_t begin = n * part / parts, end = n * (part + 1) / parts;
    try {
      faiss::IndexFlatL2::search(end - begin, x + begin * d, k, distances + begin * k, labels + begin * k, params);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace quiver
