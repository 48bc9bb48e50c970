// Helpers for tests that build an index through the C ABI and look inside it.
#pragma once

#include <string>
#include <vector>

#include "quiver/quiver.h"

namespace quiver::testing {

struct BuildOptions {
  std::string column = "embedding";
  int32_t metric = QV_METRIC_L2;
  int32_t nlist = 8;
  int32_t pq_m = 4;
  int64_t train_sample = 0;
  uint64_t seed = 42;
  int32_t threads = 2;
  std::string quantizers_from;  // qv_build_params_set_quantizers_from when not empty
};

// qv_build with these options; the status, with qv_last_error() in `error`.
qv_status Build(const std::vector<std::string>& paths, const std::string& index_dir,
                const BuildOptions& o = {}, qv_progress_fn progress = nullptr, void* user = nullptr,
                std::string* error = nullptr);

// Every file under `dir`, path -> bytes.
std::vector<std::pair<std::string, std::string>> Snapshot(const std::string& dir);

}  // namespace quiver::testing
