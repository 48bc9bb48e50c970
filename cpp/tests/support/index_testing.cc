#include "support/index_testing.h"

#include <algorithm>
#include <filesystem>

#include "support/temp_dir.h"

namespace quiver::testing {

qv_status Build(const std::vector<std::string>& paths, const std::string& index_dir,
                const BuildOptions& o, qv_progress_fn progress, void* user, std::string* error) {
  qv_build_params* p = nullptr;
  if (qv_build_params_create(&p) != QV_OK) return QV_ERR_INTERNAL;
  qv_build_params_set_vector_column(p, o.column.c_str());
  qv_build_params_set_metric(p, o.metric);
  qv_build_params_set_nlist(p, o.nlist);
  qv_build_params_set_pq_m(p, o.pq_m);
  qv_build_params_set_train_sample(p, o.train_sample);
  qv_build_params_set_seed(p, o.seed);
  qv_build_params_set_threads(p, o.threads);
  if (!o.quantizers_from.empty()) qv_build_params_set_quantizers_from(p, o.quantizers_from.c_str());
  std::vector<const char*> c_paths;
  for (const auto& s : paths) c_paths.push_back(s.c_str());
  qv_status st = qv_build(c_paths.data(), static_cast<int64_t>(c_paths.size()), p, index_dir.c_str(),
                          progress, user);
  if (error) *error = st == QV_OK ? "" : qv_last_error();
  qv_build_params_destroy(p);
  return st;
}

std::vector<std::pair<std::string, std::string>> Snapshot(const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.emplace_back(e.path().string(), ReadFileBytes(e.path().string()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace quiver::testing
