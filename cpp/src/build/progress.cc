#include "build/progress.h"

namespace quiver {
namespace {
Status CancelledStatus() { return Cancelled("build cancelled by the progress callback"); }
}  // namespace

Status Progress::Report(int32_t phase, int64_t done, int64_t total) {
  if (cancelled_.load(std::memory_order_relaxed)) return CancelledStatus();
  if (!fn_) return Status::OK();
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_.load(std::memory_order_relaxed)) return CancelledStatus();
  if (!fn_(phase, done, total)) {
    cancelled_.store(true);
    return CancelledStatus();
  }
  return Status::OK();
}

Status Progress::Check() const {
  return cancelled_.load(std::memory_order_relaxed) ? CancelledStatus() : Status::OK();
}

}  // namespace quiver
