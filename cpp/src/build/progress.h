// Reports build progress to the caller's callback: from any thread, never
// concurrently, and once the caller asks to stop, every later report says
// so, which is how workers learn that the build is cancelled.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>

#include "common/status.h"

namespace quiver {

// Returns false to cancel.
using ProgressFn = std::function<bool(int32_t phase, int64_t done, int64_t total)>;

class Progress {
 public:
  explicit Progress(ProgressFn fn) : fn_(std::move(fn)) {}

  Status Report(int32_t phase, int64_t done, int64_t total);
  // Cheap check for workers between reports.
  Status Check() const;

 private:
  ProgressFn fn_;
  std::mutex mu_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace quiver
