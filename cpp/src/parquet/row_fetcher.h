// Projection fetch: any columns for given rows, in the caller's order, with
// duplicates; per distinct file, the column chunks it needs read in one
// merged pass through the handle's SourceReader (its footers, its counters).
#pragma once

#include <arrow/record_batch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/thread_pool.h"
#include "parquet/source_reader.h"

namespace quiver {

// The rows `keys` (QV_ROW_KEY) of the source's files, columns `columns`
// (top-level names; NotFound naming an unknown one), as a reader whose
// batches hold exactly n rows in key order. Each file read is checked against
// its recorded size and version on every call unless `recheck_sources` is
// false (and against its full fingerprint when the source first opens it). A
// column's type must agree across the files it is read from. Files are read on
// at most `threads` threads of `pool` (0: all cores), the caller's included.
Result<std::shared_ptr<arrow::RecordBatchReader>> FetchRows(
    SourceReader& source, const uint64_t* keys, int64_t n, const std::vector<std::string>& columns,
    const IoOptions& io, ThreadPool& pool, int32_t threads = 0, bool recheck_sources = true);

}  // namespace quiver
