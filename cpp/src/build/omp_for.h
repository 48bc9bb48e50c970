// Runs fn(i) -> Status for i in [0, n) on up to `threads` OpenMP threads,
// one item at a time, and returns the first failure; later items are then
// skipped. The first exception from fn is rethrown once every thread is
// done. OpenMP rather than ParallelFor (common/thread_pool.h) because the
// items call FAISS or BLAS: their own OpenMP loops then run on one thread
// inside each item instead of oversubscribing the cores.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <mutex>

#include "common/status.h"

namespace quiver {

template <typename Fn>
Status OmpFor(int64_t n, int32_t threads, Fn&& fn) {
  std::mutex mu;
  Status first;
  std::exception_ptr error;
#pragma omp parallel for num_threads(std::max(1, threads)) schedule(dynamic, 1)
  for (int64_t i = 0; i < n; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!first.ok() || error) continue;
    }
    try {
      Status st = fn(i);
      if (!st.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first.ok()) first = std::move(st);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
  return first;
}

}  // namespace quiver
