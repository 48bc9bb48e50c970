// The C ABI for querying an open index: search parameters, the row filter,
// single and batch search, I/O counters, the page-cache budget, and fetching
// rows through the Arrow C stream interface.
#include <arrow/c/bridge.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "capi/capi_util.h"
#include "capi/index_handle.h"
#include "parquet/row_fetcher.h"
#include "quiver/quiver.h"
#include "search/index_searcher.h"
#include "search/row_filter.h"

struct qv_search_params {
  quiver::SearchOptions options;
};

struct qv_row_filter {
  quiver::RowFilter filter;
};

namespace {

using quiver::Result;
using quiver::Status;
using quiver::capi::Guarded;

// The handle's query side, made on first use: opening an index stays as
// cheap as mapping it.
void MakeQuerySideLocked(qv_index* index) {
  if (index->searcher) return;
  const quiver::MmapIndexReader& r = *index->reader;
  index->source = std::make_shared<quiver::SourceReader>(r.files(), &r.storage());
  index->vectors = quiver::VectorReader::Make(index->source, r.params().vector_column,
                                              r.params().dim, index->cache_budget, &index->pool);
  index->searcher = std::make_unique<quiver::IndexSearcher>(r, index->vectors.get(), &index->pool);
}

const quiver::IndexSearcher* Searcher(qv_index* index) {
  std::lock_guard<std::mutex> lock(index->query_mu);
  MakeQuerySideLocked(index);
  return index->searcher.get();
}

template <typename Fn>
qv_status SetParam(qv_search_params* p, Fn&& fn) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(p != nullptr, "search params is NULL");
    return fn(p->options);
  });
}

Status Search(qv_index* index, const float* queries, int64_t n, int32_t dim, int32_t k,
              const qv_search_params* params, const qv_row_filter* filter, uint64_t* out_keys,
              float* out_distances) {
  QV_CHECK_ARG(index != nullptr && index->reader, "index is NULL");
  QV_CHECK_ARG(queries != nullptr, "query is NULL");
  QV_CHECK_ARG(out_keys != nullptr, "out_keys is NULL");
  QV_CHECK_ARG(out_distances != nullptr, "out_distances is NULL");
  const quiver::IndexSearcher* searcher = Searcher(index);
  static const qv_search_params defaults{};
  const qv_search_params& p = params != nullptr ? *params : defaults;
  return searcher->Search(queries, n, dim, k, p.options, filter != nullptr ? &filter->filter : nullptr,
                          out_keys, out_distances);
}

}  // namespace

extern "C" {

qv_status qv_search_params_create(qv_search_params** out) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(out != nullptr, "out is NULL");
    *out = new qv_search_params();
    return Status::OK();
  });
}

void qv_search_params_destroy(qv_search_params* p) { delete p; }

qv_status qv_search_params_set_nprobes(qv_search_params* p, int32_t nprobes) {
  return SetParam(p, [&](quiver::SearchOptions& o) {
    if (nprobes < 1) return Status::Invalid("nprobes must be >= 1, got ", nprobes);
    o.nprobes = nprobes;
    return Status::OK();
  });
}

qv_status qv_search_params_set_refine_factor(qv_search_params* p, int32_t factor) {
  return SetParam(p, [&](quiver::SearchOptions& o) {
    if (factor < 0) return Status::Invalid("refine_factor must be >= 0, got ", factor);
    o.refine_factor = factor;
    return Status::OK();
  });
}

qv_status qv_search_params_set_threads(qv_search_params* p, int32_t threads) {
  return SetParam(p, [&](quiver::SearchOptions& o) {
    if (threads < 0) return Status::Invalid("threads must be >= 0, got ", threads);
    o.threads = threads;
    return Status::OK();
  });
}

qv_status qv_search_params_set_io_gap_bytes(qv_search_params* p, int64_t bytes) {
  return SetParam(p, [&](quiver::SearchOptions& o) {
    if (bytes < 0) return Status::Invalid("io_gap_bytes must be >= 0, got ", bytes);
    o.io.gap_bytes = bytes;
    return Status::OK();
  });
}

qv_status qv_search_params_set_io_concurrency(qv_search_params* p, int32_t n) {
  return SetParam(p, [&](quiver::SearchOptions& o) {
    if (n < 1) return Status::Invalid("io_concurrency must be >= 1, got ", n);
    o.io.concurrency = n;
    return Status::OK();
  });
}

qv_status qv_search_params_set_recheck_sources(qv_search_params* p, int32_t recheck) {
  return SetParam(p, [&](quiver::SearchOptions& o) {
    if (recheck != 0 && recheck != 1) return Status::Invalid("recheck_sources must be 0 or 1, got ", recheck);
    o.recheck_sources = recheck == 1;
    return Status::OK();
  });
}

qv_status qv_index_set_cache_budget(qv_index* index, int64_t bytes) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(index != nullptr && index->reader, "index is NULL");
    QV_CHECK_ARG(bytes >= 0, "cache budget must be >= 0 bytes");
    std::lock_guard<std::mutex> lock(index->query_mu);
    index->cache_budget = bytes;
    if (index->vectors) index->vectors->SetCacheBudget(bytes);
    return Status::OK();
  });
}

qv_status qv_row_filter_create(const uint64_t* keys, int64_t n, qv_row_filter** out) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(out != nullptr, "out is NULL");
    QV_CHECK_ARG(n >= 0, "number of keys must be >= 0");
    QV_CHECK_ARG(n == 0 || keys != nullptr, "keys is NULL");
    *out = new qv_row_filter{quiver::RowFilter(keys, n)};
    return Status::OK();
  });
}

void qv_row_filter_destroy(qv_row_filter* filter) { delete filter; }

qv_status qv_search(qv_index* index, const float* query, int32_t dim, int32_t k,
                    const qv_search_params* params, const qv_row_filter* filter,
                    uint64_t* out_keys, float* out_distances) {
  return Guarded([&]() -> Status {
    return Search(index, query, 1, dim, k, params, filter, out_keys, out_distances);
  });
}

qv_status qv_search_batch(qv_index* index, const float* queries, int64_t n, int32_t dim, int32_t k,
                          const qv_search_params* params, const qv_row_filter* filter,
                          uint64_t* out_keys, float* out_distances) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(n >= 0, "number of queries must be >= 0");
    if (n == 0) return Status::OK();
    return Search(index, queries, n, dim, k, params, filter, out_keys, out_distances);
  });
}

qv_status qv_index_get_io_stats(const qv_index* index, qv_io_stats* out) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(index != nullptr && index->reader, "index is NULL");
    QV_CHECK_ARG(out != nullptr, "out is NULL");
    quiver::IoStats s;
    {
      std::lock_guard<std::mutex> lock(index->query_mu);
      if (index->vectors) s = index->vectors->stats();
    }
    out->bytes_read = s.bytes_read;
    out->read_requests = s.read_requests;
    out->pages_decoded = s.pages_decoded;
    out->page_cache_hits = s.page_cache_hits;
    out->cache_bytes = s.cache_bytes;
    return Status::OK();
  });
}

qv_status qv_fetch(qv_index* index, const uint64_t* keys, int64_t n, const char* const* columns,
                   int32_t n_columns, const qv_search_params* params, struct ArrowArrayStream* out) {
  return Guarded([&]() -> Status {
    QV_CHECK_ARG(index != nullptr && index->reader, "index is NULL");
    QV_CHECK_ARG(out != nullptr, "out is NULL");
    QV_CHECK_ARG(n >= 0, "number of keys must be >= 0");
    QV_CHECK_ARG(n == 0 || keys != nullptr, "keys is NULL");
    QV_CHECK_ARG(n_columns >= 1, "at least one column must be named");
    QV_CHECK_ARG(columns != nullptr, "columns is NULL");
    std::vector<std::string> names;
    for (int32_t i = 0; i < n_columns; ++i) {
      if (columns[i] == nullptr) return Status::Invalid("column name ", i, " is NULL");
      names.emplace_back(columns[i]);
    }
    for (int64_t i = 0; i < n; ++i) {
      if (keys[i] == QV_NO_ROW) {
        return Status::Invalid("key ", i, " is QV_NO_ROW (an empty result slot), not a row");
      }
    }
    static const qv_search_params defaults{};
    const qv_search_params& p = params != nullptr ? *params : defaults;
    quiver::SourceReader* source;
    {
      std::lock_guard<std::mutex> lock(index->query_mu);
      MakeQuerySideLocked(index);
      source = index->source.get();
    }
    ARROW_ASSIGN_OR_RAISE(auto reader, quiver::FetchRows(*source, keys, n, names, p.options.io,
                                                         index->pool, p.options.threads,
                                                         p.options.recheck_sources));
    return arrow::ExportRecordBatchReader(std::move(reader), out);
  });
}

}  // extern "C"
