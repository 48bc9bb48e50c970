// The C ABI for build parameters, building, and opening an index.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "build/build_params.h"
#include "build/builder.h"
#include "capi/capi_util.h"
#include "capi/index_handle.h"
#include "quiver/quiver.h"

struct qv_build_params {
  quiver::BuildParams params;
};

namespace {

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
  return SetParam(p, [&](quiver::BuildParams& b) { b.metric = metric; });
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

qv_status qv_build(const char* const* paths, int64_t n_paths, const qv_build_params* params,
                   const char* index_dir, qv_progress_fn progress, void* user) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(n_paths >= 0, "n_paths is negative");
    QV_CHECK_ARG(paths != nullptr || n_paths == 0, "paths is NULL");
    QV_CHECK_ARG(n_paths > 0, "no input paths given");
    QV_CHECK_ARG(index_dir != nullptr && *index_dir != '\0', "index directory is NULL or empty");
    std::vector<std::string> inputs;
    for (int64_t i = 0; i < n_paths; ++i) {
      QV_CHECK_ARG(paths[i] != nullptr, "paths[" + std::to_string(i) + "] is NULL");
      inputs.emplace_back(paths[i]);
    }
    quiver::BuildParams defaults;
    const quiver::BuildParams& bp = params != nullptr ? params->params : defaults;
    quiver::ProgressFn fn;
    if (progress != nullptr) {
      fn = [progress, user](int32_t phase, int64_t done, int64_t total) {
        return progress(user, phase, done, total) == 0;
      };
    }
    return quiver::BuildIndex(inputs, bp, index_dir, fn);
  });
}

qv_status qv_index_open(const char* index_dir, uint32_t flags, qv_index** out) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(index_dir != nullptr && *index_dir != '\0', "index directory is NULL or empty");
    QV_CHECK_ARG(out != nullptr, "out is NULL");
    QV_CHECK_ARG((flags & ~QV_OPEN_SKIP_FRESHNESS_CHECK) == 0, "unknown open flags");
    const bool check_freshness = (flags & QV_OPEN_SKIP_FRESHNESS_CHECK) == 0;
    ARROW_ASSIGN_OR_RAISE(auto reader, quiver::MmapIndexReader::OpenMapped(index_dir, check_freshness));
    auto handle = std::make_unique<qv_index>();
    handle->reader = std::move(reader);
    *out = handle.release();
    return Status::OK();
  });
}

void qv_index_close(qv_index* index) { delete index; }

qv_status qv_index_verify(const char* index_dir) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(index_dir != nullptr && *index_dir != '\0', "index directory is NULL or empty");
    // Integrity first: a corrupt index is reported as such even when its
    // source files have changed too.
    ARROW_ASSIGN_OR_RAISE(auto reader, quiver::MmapIndexReader::OpenMapped(index_dir, false));
    ARROW_RETURN_NOT_OK(reader->VerifyAll());
    for (int32_t f = 0; f < static_cast<int32_t>(reader->files().size()); ++f) {
      ARROW_RETURN_NOT_OK(reader->CheckFileFresh(f));
    }
    return Status::OK();
  });
}

qv_status qv_index_get_info(const qv_index* index, qv_index_info* out) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(index != nullptr && index->reader, "index is NULL");
    QV_CHECK_ARG(out != nullptr, "out is NULL");
    const quiver::MmapIndexReader& r = *index->reader;
    const quiver::IndexParams& p = r.params();
    qv_index_info info{};
    info.format_version = r.format_version();
    info.dim = p.dim;
    info.metric = p.metric;
    info.nlist = p.nlist;
    info.pq_m = p.pq_m;
    info.pq_bits = p.pq_bits;
    info.n_files = static_cast<int32_t>(r.files().size());
    info.threads = p.threads;
    info.rows_total = r.rows_total();
    info.rows_indexed = r.rows_indexed();
    info.rows_skipped_null = r.skipped().null_vector;
    info.rows_skipped_length = r.skipped().wrong_length;
    info.rows_skipped_nonfinite = r.skipped().non_finite;
    info.train_sample = p.train_sample;
    info.index_bytes = r.index_bytes();
    info.seed = p.seed;
    info.vector_column = p.vector_column.c_str();
    *out = info;
    return Status::OK();
  });
}

qv_status qv_index_get_source(const qv_index* index, const char** out) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(index != nullptr && index->reader, "index is NULL");
    QV_CHECK_ARG(out != nullptr, "out is NULL");
    *out = index->reader->params().source.c_str();
    return Status::OK();
  });
}

qv_status qv_index_get_file(const qv_index* index, int32_t file, qv_file_info* out) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(index != nullptr && index->reader, "index is NULL");
    QV_CHECK_ARG(out != nullptr, "out is NULL");
    const auto& files = index->reader->files();
    QV_CHECK_ARG(file >= 0 && file < static_cast<int32_t>(files.size()),
                 "file ordinal " + std::to_string(file) + " out of range [0, " +
                     std::to_string(files.size()) + ")");
    const quiver::SourceFile& f = files[file];
    out->path = f.path.c_str();
    out->rows = f.rows;
    out->rows_indexed = f.rows_indexed;
    out->size_bytes = f.size_bytes;
    out->mtime_ns = f.mtime_ns;
    out->footer_hash = f.footer_hash;
    return Status::OK();
  });
}

qv_status qv_index_file_status(const qv_index* index, int32_t file) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(index != nullptr && index->reader, "index is NULL");
    const auto& files = index->reader->files();
    QV_CHECK_ARG(file >= 0 && file < static_cast<int32_t>(files.size()),
                 "file ordinal " + std::to_string(file) + " out of range [0, " +
                     std::to_string(files.size()) + ")");
    std::error_code ec;
    if (!std::filesystem::exists(files[file].path, ec)) {
      return quiver::NotFound("source file '" + files[file].path + "' is missing");
    }
    return index->reader->CheckFileFresh(file);
  });
}

}  // extern "C"
