// Runs fn(i) for i in [0, n) on up to `threads` threads (0 = all cores) and
// returns the first failure. Work is handed out in small chunks so that slow
// items do not leave a thread idle.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"

namespace quiver {

inline int32_t ResolveThreads(int32_t threads) {
  if (threads > 0) return threads;
  return static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
}

template <typename Fn>
Status ParallelFor(int64_t n, int32_t threads, Fn&& fn) {
  const int64_t workers = std::min<int64_t>(ResolveThreads(threads), n);
  if (workers <= 1) {
    for (int64_t i = 0; i < n; ++i) ARROW_RETURN_NOT_OK(fn(i));
    return Status::OK();
  }
  const int64_t chunk = std::max<int64_t>(1, std::min<int64_t>(16, n / (workers * 8)));
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first;
  std::exception_ptr error;
  auto work = [&] {
    try {
      while (!failed.load(std::memory_order_relaxed)) {
        const int64_t begin = next.fetch_add(chunk);
        if (begin >= n) break;
        for (int64_t i = begin; i < std::min(n, begin + chunk); ++i) {
          Status st = fn(i);
          if (!st.ok()) {
            std::lock_guard<std::mutex> lock(mu);
            if (first.ok()) first = std::move(st);
            failed = true;
            break;
          }
        }
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      if (!error) error = std::current_exception();
      failed = true;
    }
  };
  std::vector<std::thread> pool;
  for (int64_t t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return first;
}

}  // namespace quiver
