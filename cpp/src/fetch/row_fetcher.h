// Projection fetch: any columns for given rows, in the caller's order, with
// duplicates; one coalesced read per distinct file.
#pragma once

#include <arrow/record_batch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "index/index_reader.h"
#include "parquet/vector_reader.h"

namespace quiver {

// The rows `keys` (QV_ROW_KEY) of `files`, columns `columns` (top-level
// names; NotFound naming an unknown one), as a reader whose batches hold
// exactly n rows in key order. Each file's fingerprint is checked before
// reading it. A column's type must agree across the files it is read from.
Result<std::shared_ptr<arrow::RecordBatchReader>> FetchRows(
    const std::vector<SourceFile>& files, const uint64_t* keys, int64_t n,
    const std::vector<std::string>& columns, const IoOptions& io);

}  // namespace quiver
