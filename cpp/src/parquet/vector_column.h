// Reading a vector column out of a Parquet file, whatever its layout:
// list<float>, large_list<float>, fixed_size_list<float> (Spark's array<float>,
// DuckDB's FLOAT[n], Arrow's fixed_size_list), the legacy 2-level list, and
// float16 / double elements converted to float32. Used by the build (stream a
// whole file) and by refinement (vector_reader.h) so both agree on every row.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "parquet/storage.h"

namespace quiver {

// Why a row has no usable vector. Such rows are skipped and counted.
enum class RowStatus : uint8_t { kOk = 0, kNull = 1, kWrongLength = 2, kNonFinite = 3 };

// Streams one file's vector column front to back in bounded memory.
class VectorScanner {
 public:
  // Opens `path` and resolves `column`. A missing column is NotFound, a
  // column that is not a list of float16/float/double is Unsupported (both
  // naming the file and the column). `dim` is the expected length; 0 means
  // learn it from the column type (fixed size) or from the first non-null row.
  static Result<std::unique_ptr<VectorScanner>> Open(const std::string& path,
                                                     const std::string& column, int32_t dim,
                                                     Storage& storage = LocalStorage());
  virtual ~VectorScanner() = default;

  virtual int64_t num_rows() const = 0;
  // The dimension: as given, or learned (0 until a vector has been seen).
  virtual int32_t dim() const = 0;

  // Reads the next rows, at most `max_rows`: `vectors` gets n * dim() floats
  // (the slots of rows that are not kOk hold zeros), `status` gets n entries.
  // Returns n; 0 at the end of the file.
  virtual Result<int64_t> Next(int64_t max_rows, std::vector<float>* vectors,
                               std::vector<RowStatus>* status) = 0;
};

}  // namespace quiver
