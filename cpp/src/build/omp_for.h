// Runs fn(i) -> Status for i in [0, n) on up to `threads` OpenMP threads,
// one item at a time, and returns the first failure; later items are then
// skipped. An exception from fn becomes an error naming `what`. OpenMP rather
// than ParallelFor (common/parallel_for.h) because the items call FAISS: its
// own OpenMP loops then run on one thread inside each item instead of
// oversubscribing the cores.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <mutex>

#include "common/status.h"

namespace quiver {

template <typename Fn>
Status OmpFor(int64_t n, int32_t threads, const char* what, Fn&& fn) {
  std::mutex mu;
  Status first;
#pragma omp parallel for num_threads(std::max(1, threads)) schedule(dynamic, 1)
  for (int64_t i = 0; i < n; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!first.ok()) continue;
    }
    Status st;
    try {
      st = fn(i);
    } catch (const std::exception& e) {
      st = Status::UnknownError(what, " failed: ", e.what());
    } catch (...) {
      st = Status::UnknownError(what, " failed");
    }
    if (!st.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      if (first.ok()) first = std::move(st);
    }
  }
  return first;
}

}  // namespace quiver
