#include "common/thread_pool.h"

namespace quiver {

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::Run(Job* job, int32_t helpers) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    job->helpers_wanted = helpers;
    jobs_.push_back(job);
    // Workers are started on demand, up to the most any one call has asked
    // for: calls that run at the same time share them.
    const int32_t missing = helpers - idle_;
    for (int32_t i = 0; i < missing && static_cast<int32_t>(workers_.size()) < helpers; ++i) {
      workers_.emplace_back([this] { WorkerLoop(); });
      ++started_;
      ++idle_;  // counted idle until it takes a job
    }
  }
  work_cv_.notify_all();
  job->work();
  std::unique_lock<std::mutex> lock(mu_);
  // No worker joins once the caller has finished: whatever was left is done.
  if (job->helpers_wanted > 0) {
    std::erase(jobs_, job);
    job->helpers_wanted = 0;
  }
  done_cv_.wait(lock, [&] { return job->helpers_active == 0; });
}

void ThreadPool::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
    if (stop_) return;
    Job* job = jobs_.front();
    if (--job->helpers_wanted == 0) jobs_.pop_front();
    ++job->helpers_active;
    --idle_;
    lock.unlock();
    job->work();
    lock.lock();
    ++idle_;
    if (--job->helpers_active == 0) done_cv_.notify_all();
  }
}

}  // namespace quiver
