// The C ABI for opening an index, verifying it and describing it.
#include <memory>
#include <string>

#include "capi/capi_util.h"
#include "capi/file_source.h"
#include "capi/index_handle.h"
#include "index/mmap_index_reader.h"
#include "quiver/quiver.h"

namespace {

using quiver::Status;
using quiver::capi::Guarded;

Status CheckFileOrdinal(int32_t file, size_t n_files) {
  QV_CHECK_ARG(file >= 0 && static_cast<size_t>(file) < n_files,
               "file ordinal " + std::to_string(file) + " out of range [0, " + std::to_string(n_files) + ")");
  return Status::OK();
}

}  // namespace

extern "C" {

qv_status qv_index_open(const char* index_dir, uint32_t flags, qv_index** out) {
  return qv_index_open_with_source(index_dir, flags, nullptr, out);
}

qv_status qv_index_open_with_source(const char* index_dir, uint32_t flags, qv_file_source* source,
                                    qv_index** out) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(index_dir != nullptr && *index_dir != '\0', "index directory is NULL or empty");
    QV_CHECK_ARG(out != nullptr, "out is NULL");
    QV_CHECK_ARG((flags & ~QV_OPEN_SKIP_FRESHNESS_CHECK) == 0, "unknown open flags");
    const bool check_freshness = (flags & QV_OPEN_SKIP_FRESHNESS_CHECK) == 0;
    ARROW_ASSIGN_OR_RAISE(auto reader,
                          quiver::MmapIndexReader::OpenMapped(index_dir, check_freshness,
                                                              source != nullptr ? source->storage : nullptr));
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
    return quiver::VerifyIndexDirectory(index_dir);
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
    info.metric = quiver::MetricCode(p.metric);
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
    ARROW_RETURN_NOT_OK(CheckFileOrdinal(file, files.size()));
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
    ARROW_RETURN_NOT_OK(CheckFileOrdinal(file, files.size()));
    if (index->reader->file_removed(file)) return Status::OK();
    auto stat = index->reader->storage().Stat(files[file].path);
    if (!stat.ok() && quiver::ToQvStatus(stat.status()) == QV_ERR_NOT_FOUND) {
      return quiver::NotFound("source file '" + files[file].path + "' is missing");
    }
    return index->reader->CheckFileFresh(file);
  });
}

qv_status qv_index_file_removed(const qv_index* index, int32_t file, int32_t* out) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(index != nullptr && index->reader, "index is NULL");
    QV_CHECK_ARG(out != nullptr, "out is NULL");
    ARROW_RETURN_NOT_OK(CheckFileOrdinal(file, index->reader->files().size()));
    *out = index->reader->file_removed(file) ? 1 : 0;
    return Status::OK();
  });
}

qv_status qv_index_get_segment_count(const qv_index* index, int32_t* out) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(index != nullptr && index->reader, "index is NULL");
    QV_CHECK_ARG(out != nullptr, "out is NULL");
    *out = index->reader->segments();
    return Status::OK();
  });
}

qv_status qv_index_get_segment(const qv_index* index, int32_t segment, qv_segment_info* out) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(index != nullptr && index->reader, "index is NULL");
    QV_CHECK_ARG(out != nullptr, "out is NULL");
    const int32_t n = index->reader->segments();
    QV_CHECK_ARG(segment >= 0 && segment < n,
                 "segment " + std::to_string(segment) + " out of range [0, " + std::to_string(n) + ")");
    const quiver::MmapIndexReader::SegmentInfo g = index->reader->segment_info(segment);
    out->first_file = g.first_file;
    out->n_files = g.n_files;
    out->rows_indexed = g.rows_indexed;
    out->bytes = g.bytes;
    out->mean_coarse_error = g.error.coarse;
    out->mean_pq_error = g.error.pq;
    out->imbalance = g.imbalance;
    return Status::OK();
  });
}

}  // extern "C"
