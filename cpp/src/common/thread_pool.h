// Worker threads kept for the life of their owner (one pool per index handle),
// so a search or fetch starts no thread of its own. A call asks for a number
// of threads, its own included, and never gets more: a Spark task that is
// given one core keeps to one (reads of a remote store, which mostly wait,
// ask for more: SourceReader::Workers). Calls from many threads share the workers; the
// caller always works on its own job too, so a call makes progress even when
// every worker is busy with other calls, and nested calls cannot deadlock.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"

namespace quiver {

// 0 means every core of the machine.
inline int32_t ResolveThreads(int32_t threads) {
  if (threads > 0) return threads;
  return static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
}

class ThreadPool {
 public:
  ThreadPool() = default;
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Runs fn(i) for i in [0, n) on at most ResolveThreads(threads) threads,
  // the caller's included, and returns the first failure (the remaining
  // items are then skipped). Work is handed out in small chunks so that a
  // slow item does not leave a thread idle. An exception thrown by fn is
  // rethrown in the caller.
  template <typename Fn>
  Status ParallelFor(int64_t n, int32_t threads, Fn&& fn);

  // Threads this pool has started over its life (tests and benchmarks).
  int64_t threads_started() const { return started_.load(); }

 private:
  struct Job {
    std::function<void()> work;
    int32_t helpers_wanted = 0;  // workers that may still join
    int32_t helpers_active = 0;  // workers running `work` now
  };
  // Runs job->work on the caller and on up to `helpers` workers; returns
  // once every worker that joined has left it.
  void Run(Job* job, int32_t helpers);
  void WorkerLoop();

  std::mutex mu_;
  std::condition_variable work_cv_;  // a job wants helpers, or shutdown
  std::condition_variable done_cv_;  // a helper left a job
  std::deque<Job*> jobs_;            // jobs that still want helpers
  std::vector<std::thread> workers_;
  int32_t idle_ = 0;
  bool stop_ = false;
  std::atomic<int64_t> started_{0};
};

template <typename Fn>
Status ThreadPool::ParallelFor(int64_t n, int32_t threads, Fn&& fn) {
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
  Job job;
  job.work = [&] {
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
  Run(&job, static_cast<int32_t>(workers - 1));
  if (error) std::rethrow_exception(error);
  return first;
}

// For one-off work (a build's phases): a pool that lives for this call.
template <typename Fn>
Status ParallelFor(int64_t n, int32_t threads, Fn&& fn) {
  ThreadPool pool;
  return pool.ParallelFor(n, threads, std::forward<Fn>(fn));
}

}  // namespace quiver
