// The C ABI for build parameters and for writing an index: building it,
// appending files to it, removing files from it, compacting it; training,
// encoding and committing apart for a build spread over machines.
#include <memory>
#include <string>
#include <vector>

#include "build/build_params.h"
#include "build/builder.h"
#include "index/maintenance.h"
#include "capi/capi_util.h"
#include "capi/file_source.h"
#include "quiver/quiver.h"

struct qv_build_params {
  quiver::BuildParams params;
};

namespace {

using quiver::Result;
using quiver::Status;
using quiver::capi::Guarded;

// Setters validate eagerly so the caller learns which value was bad.
template <typename Fn>
qv_status SetParam(qv_build_params* p, Fn&& fn) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(p != nullptr, "build params is NULL");
    quiver::BuildParams next = p->params;
    fn(next);
    ARROW_RETURN_NOT_OK(quiver::ValidateBuildParams(next));
    p->params = std::move(next);
    return Status::OK();
  });
}

Result<std::vector<std::string>> Paths(const char* const* paths, int64_t n_paths) {
  QV_CHECK_ARG(n_paths >= 0, "n_paths is negative");
  QV_CHECK_ARG(paths != nullptr || n_paths == 0, "paths is NULL");
  QV_CHECK_ARG(n_paths > 0, "no input paths given");
  std::vector<std::string> inputs;
  for (int64_t i = 0; i < n_paths; ++i) {
    QV_CHECK_ARG(paths[i] != nullptr, "paths[" + std::to_string(i) + "] is NULL");
    inputs.emplace_back(paths[i]);
  }
  return inputs;
}

quiver::ProgressFn ProgressOf(qv_progress_fn progress, void* user) {
  if (progress == nullptr) return {};
  return [progress, user](int32_t phase, int64_t done, int64_t total) {
    return progress(user, phase, done, total) == 0;
  };
}

Status CheckIndexDir(const char* index_dir) {
  QV_CHECK_ARG(index_dir != nullptr && *index_dir != '\0', "index directory is NULL or empty");
  return Status::OK();
}

// qv_build and qv_append: files into an index, with progress.
template <typename Write>
qv_status WriteFiles(Write write, const char* const* paths, int64_t n_paths, const qv_build_params* params,
                     const char* index_dir, qv_progress_fn progress, void* user) {
  return Guarded([&]() -> Status {
    ARROW_ASSIGN_OR_RAISE(auto inputs, Paths(paths, n_paths));
    ARROW_RETURN_NOT_OK(CheckIndexDir(index_dir));
    quiver::BuildParams defaults;
    const quiver::BuildParams& bp = params != nullptr ? params->params : defaults;
    return write(inputs, bp, index_dir, ProgressOf(progress, user));
  });
}

}  // namespace

extern "C" {

qv_status qv_build_params_create(qv_build_params** out) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(out != nullptr, "out is NULL");
    *out = new qv_build_params();
    return Status::OK();
  });
}

void qv_build_params_destroy(qv_build_params* params) { delete params; }

qv_status qv_build_params_set_vector_column(qv_build_params* p, const char* column) {
  if (column == nullptr) {
    return quiver::capi::SetError(QV_ERR_INVALID_ARGUMENT, "vector column is NULL");
  }
  return SetParam(p, [&](quiver::BuildParams& b) { b.vector_column = column; });
}
qv_status qv_build_params_set_metric(qv_build_params* p, int32_t metric) {
  auto m = quiver::MetricFromCode(metric);
  if (!m.ok()) return quiver::capi::SetError(QV_ERR_INVALID_ARGUMENT, m.status().message());
  return SetParam(p, [&](quiver::BuildParams& b) { b.metric = *m; });
}
qv_status qv_build_params_set_nlist(qv_build_params* p, int32_t nlist) {
  return SetParam(p, [&](quiver::BuildParams& b) { b.nlist = nlist; });
}
qv_status qv_build_params_set_pq_m(qv_build_params* p, int32_t m) {
  return SetParam(p, [&](quiver::BuildParams& b) { b.pq_m = m; });
}
qv_status qv_build_params_set_pq_bits(qv_build_params* p, int32_t bits) {
  return SetParam(p, [&](quiver::BuildParams& b) { b.pq_bits = bits; });
}
qv_status qv_build_params_set_train_sample(qv_build_params* p, int64_t rows) {
  return SetParam(p, [&](quiver::BuildParams& b) { b.train_sample = rows; });
}
qv_status qv_build_params_set_seed(qv_build_params* p, uint64_t seed) {
  return SetParam(p, [&](quiver::BuildParams& b) { b.seed = seed; });
}
qv_status qv_build_params_set_threads(qv_build_params* p, int32_t threads) {
  return SetParam(p, [&](quiver::BuildParams& b) { b.threads = threads; });
}

qv_status qv_build_params_set_source(qv_build_params* p, const char* source) {
  if (source == nullptr) {
    return quiver::capi::SetError(QV_ERR_INVALID_ARGUMENT, "source is NULL");
  }
  return SetParam(p, [&](quiver::BuildParams& b) { b.source = source; });
}

qv_status qv_build_params_set_file_source(qv_build_params* p, qv_file_source* source) {
  return SetParam(p, [&](quiver::BuildParams& b) {
    b.storage = source != nullptr ? source->storage : nullptr;
  });
}

qv_status qv_build_params_set_quantizers_from(qv_build_params* p, const char* index_dir) {
  return SetParam(p, [&](quiver::BuildParams& b) { b.quantizers_from = index_dir != nullptr ? index_dir : ""; });
}

qv_status qv_build(const char* const* paths, int64_t n_paths, const qv_build_params* params,
                   const char* index_dir, qv_progress_fn progress, void* user) {
  return WriteFiles(quiver::BuildIndex, paths, n_paths, params, index_dir, progress, user);
}

qv_status qv_append(const char* const* paths, int64_t n_paths, const qv_build_params* params,
                    const char* index_dir, qv_progress_fn progress, void* user) {
  return WriteFiles(quiver::AppendFiles, paths, n_paths, params, index_dir, progress, user);
}

qv_status qv_remove_files(const char* const* paths, int64_t n_paths, const char* index_dir) {
  return Guarded([&]() -> Status {
    ARROW_ASSIGN_OR_RAISE(auto inputs, Paths(paths, n_paths));
    ARROW_RETURN_NOT_OK(CheckIndexDir(index_dir));
    return quiver::RemoveFiles(index_dir, inputs);
  });
}

qv_status qv_compact(const char* index_dir, qv_progress_fn progress, void* user) {
  return Guarded([&]() -> Status {
    ARROW_RETURN_NOT_OK(CheckIndexDir(index_dir));
    quiver::Progress report(ProgressOf(progress, user));
    return quiver::CompactIndex(index_dir, [&](int64_t done, int64_t total) {
      return report.Report(QV_PHASE_WRITE, done, total);
    });
  });
}

qv_status qv_train(const float* sample, int64_t n, int32_t dim, int64_t corpus_rows,
                   const qv_build_params* params, const char* index_dir, qv_progress_fn progress,
                   void* user) {
  return Guarded([&]() -> Status {
    ARROW_RETURN_NOT_OK(CheckIndexDir(index_dir));
    QV_CHECK_ARG(corpus_rows >= 0, "corpus_rows is negative");
    quiver::BuildParams defaults;
    const quiver::BuildParams& bp = params != nullptr ? params->params : defaults;
    return quiver::TrainIndex(sample, n, dim, corpus_rows, bp, index_dir, ProgressOf(progress, user));
  });
}

qv_status qv_merge(const char* const* part_dirs, int64_t n_parts, const char* index_dir,
                   qv_progress_fn progress, void* user) {
  return Guarded([&]() -> Status {
    ARROW_ASSIGN_OR_RAISE(auto parts, Paths(part_dirs, n_parts));
    ARROW_RETURN_NOT_OK(CheckIndexDir(index_dir));
    quiver::Progress report(ProgressOf(progress, user));
    return quiver::MergeIndexes(parts, index_dir, [&](int64_t done, int64_t total) {
      return report.Report(QV_PHASE_WRITE, done, total);
    });
  });
}

qv_status qv_encode_segment(const char* const* paths, int64_t n_paths, const qv_build_params* params,
                            int32_t first_file, const char* segment_path, qv_progress_fn progress, void* user) {
  if (segment_path == nullptr || *segment_path == '\0') {
    return quiver::capi::SetError(QV_ERR_INVALID_ARGUMENT, "segment file path is NULL or empty");
  }
  auto encode = [first_file](const std::vector<std::string>& inputs, const quiver::BuildParams& bp,
                             const std::string& path, const quiver::ProgressFn& report) {
    return quiver::EncodeSegment(inputs, bp, first_file, path, report);
  };
  return WriteFiles(encode, paths, n_paths, params, segment_path, progress, user);
}

qv_status qv_commit_segments(const char* index_dir, const char* base_dir, const char* const* segment_paths,
                             int64_t n_segments) {
  return Guarded([&]() -> Status {
    ARROW_RETURN_NOT_OK(CheckIndexDir(index_dir));
    QV_CHECK_ARG(n_segments > 0, "no segment file to commit given");
    ARROW_ASSIGN_OR_RAISE(auto segments, Paths(segment_paths, n_segments));
    return quiver::CommitSegmentFiles(index_dir, base_dir != nullptr ? base_dir : "", segments);
  });
}

}  // extern "C"
