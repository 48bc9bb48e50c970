// What a qv_index handle holds. The build side puts the mapped index here;
// the query side adds its own state (vector reader, page cache, ...) as
// members of this struct. Keep it a plain holder: behaviour lives in the
// layers, not here.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>

#include "common/thread_pool.h"
#include "index/mmap_index_reader.h"
#include "parquet/source_reader.h"
#include "parquet/vector_reader.h"
#include "search/index_searcher.h"

struct qv_index {
  std::unique_ptr<quiver::MmapIndexReader> reader;

  // Query side, made on first use by capi/search_api.cc under query_mu. One
  // pool of workers and one SourceReader (footers, counters) serve search,
  // refinement and fetch alike.
  mutable std::mutex query_mu;
  int64_t cache_budget = QV_DEFAULT_CACHE_BUDGET_BYTES;
  quiver::ThreadPool pool;
  std::shared_ptr<quiver::SourceReader> source;
  std::unique_ptr<quiver::VectorReader> vectors;
  std::unique_ptr<quiver::IndexSearcher> searcher;
};
