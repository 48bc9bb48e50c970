// Writes small Parquet files holding a vector column in each layout the
// engine must read, with real writers: Arrow's (list, large_list,
// fixed_size_list, double and float16 elements) and Parquet's low-level
// column writer for the layouts other writers produce (Spark's 3-level
// array<float> without an Arrow schema, required lists as DuckDB's FLOAT[n]
// NOT NULL, the legacy 2-level list, a bare repeated field).
#pragma once

#include <arrow/array.h>
#include <arrow/result.h>
#include <arrow/status.h>
#include <parquet/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "index/index_reader.h"

namespace quiver::testing {

enum class VectorLayoutKind {
  kArrowList,
  kArrowLargeList,
  kArrowFixedSizeList,  // every row must be null or of the fixed length
  kArrowListDouble,
  kArrowListHalf,
  kSparkArray,          // optional group (LIST) { repeated group list { optional float element } }
  kRequiredList,        // required group (LIST) { repeated group list { required float element } }
  kLegacyTwoLevel,      // optional group (LIST) { repeated float array }
  kRepeatedPrimitive,   // repeated float v
};
std::string LayoutName(VectorLayoutKind kind);
std::vector<VectorLayoutKind> AllLayouts();
// Whether the layout can hold a null vector / a null element.
bool LayoutHasNullRows(VectorLayoutKind kind);
bool LayoutHasNullElements(VectorLayoutKind kind);

using VectorRow = std::optional<std::vector<std::optional<float>>>;

struct VectorFileOptions {
  std::string column = "v";
  int64_t row_group_rows = 1 << 20;
  int64_t page_rows = 1 << 20;         // max rows per data page
  int64_t page_bytes = 1 << 20;
  bool page_index = false;
  bool dictionary = false;
  bool data_page_v2 = false;
  parquet::Compression::type compression = parquet::Compression::UNCOMPRESSED;
  bool with_id_column = false;         // an int64 "id" column (row number) before the vector
  // Level-written layouts only: hand the writer a row group's levels in one
  // call with a tiny batch size, so V1 pages may end in the middle of a row
  // (as writers without a page index are allowed to do).
  bool split_rows_across_pages = false;
};

// Writes `rows` to `path`. Fixed-size layouts need the dimension `dim`.
arrow::Status WriteVectorFile(const std::string& path, VectorLayoutKind kind,
                              const std::vector<VectorRow>& rows, int32_t dim,
                              const VectorFileOptions& options = {});

// The vector column as an Arrow array, for the layouts Arrow writes
// (kArrowList ... kArrowListHalf); Invalid for the others.
arrow::Result<std::shared_ptr<arrow::Array>> BuildArrowVectors(VectorLayoutKind kind,
                                                               const std::vector<VectorRow>& rows,
                                                               int32_t dim);

// `n` rows of `dim` deterministic pseudo-random floats.
std::vector<VectorRow> RandomVectorRows(int64_t n, int32_t dim, uint64_t seed);

// `path` as an index manifest would describe it (rows and fingerprint).
arrow::Result<SourceFile> DescribeSourceFile(const std::string& path);


}  // namespace quiver::testing
