// Where a vector column lives inside a Parquet schema and how its levels read.
// Every supported layout (3-level LIST as Arrow, Spark, DuckDB and
// parquet-java write it, the legacy 2-level list, a bare repeated field) ends
// in exactly one float/double/float16 leaf with one repetition level; only the
// definition level at which the list holds elements differs, so that level is
// all the row decoder needs to know.
#pragma once

#include <parquet/metadata.h>
#include <parquet/schema.h>

#include <cstdint>
#include <string>

#include "common/status.h"

namespace quiver {

enum class ElementType : uint8_t { kFloat32, kFloat64, kFloat16 };

struct VectorLayout {
  int leaf = -1;                 // leaf column index in the file schema
  const parquet::ColumnDescriptor* descr = nullptr;
  int16_t max_def = 0;           // the element value is present
  int16_t list_def = 0;          // the list holds at least one element slot
  ElementType element = ElementType::kFloat32;
  int32_t fixed_dim = 0;         // from Arrow's stored schema (fixed_size_list), else 0
};

// Resolves top-level `column` of `metadata` (whose file is `path`, named in
// errors). NotFound when absent, Unsupported when it is not a list of floats.
Result<VectorLayout> ResolveVectorLayout(const parquet::FileMetaData& metadata,
                                         const std::string& path, const std::string& column);

}  // namespace quiver
