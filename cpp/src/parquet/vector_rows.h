// Turns the definition/repetition levels and values of a vector column into
// fixed-length float32 rows with a RowStatus each. The one place that knows
// how levels make a vector: the scanner (whole files) and the reader (single
// pages) both decode through it, so they agree on every row.
#pragma once

#include <parquet/column_page.h>
#include <parquet/column_reader.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "common/status.h"
#include "parquet/vector_column.h"
#include "parquet/vector_layout.h"

namespace quiver {

// The common case without the general machinery: a PLAIN float32 data page
// (decompressed, as a PageReader returns it) whose rows are all complete
// vectors of length `dim` (every element defined, every row `dim` long) is
// copied straight into `vectors` / `status` (appended; NaN/Inf rows still get
// kNonFinite). Returns false, leaving the outputs untouched, for any other
// page; VectorRowDecoder then decodes it.
bool DecodeDensePage(const parquet::Page& page, const VectorLayout& layout, int32_t dim,
                     std::vector<float>* vectors, std::vector<RowStatus>* status);

class VectorRowDecoder {
 public:
  // `dim` 0 learns the length from the first non-empty, non-null row.
  VectorRowDecoder(const VectorLayout& layout, int32_t dim);

  // Starts on a new column reader positioned at a row boundary (a row group,
  // or a run of whole-row pages). Rows not yet returned from the previous
  // reader are dropped.
  void Reset(std::shared_ptr<parquet::ColumnReader> reader);

  // Appends up to `max_rows` complete rows to `vectors` (dim() floats each,
  // zeros for rows that are not kOk; nothing while dim() is still 0) and
  // `status`. Returns the number of rows appended; 0 once the reader is done.
  // Throws parquet::ParquetException on undecodable data, like the reader.
  int64_t Next(int64_t max_rows, std::vector<float>* vectors, std::vector<RowStatus>* status);

  int32_t dim() const { return dim_; }

 private:
  bool Refill();
  void BeginRow(std::vector<float>* vectors);
  void FinishRow(std::vector<float>* vectors, std::vector<RowStatus>* status);

  VectorLayout layout_;
  int32_t dim_;
  std::shared_ptr<parquet::ColumnReader> reader_;

  std::vector<int16_t> def_, rep_;
  std::vector<float> values_;     // the buffered values, as float32
  std::vector<double> doubles_;   // raw values for double columns
  std::vector<parquet::FixedLenByteArray> halves_;  // raw values for float16 columns
  int64_t levels_ = 0, pos_ = 0, vpos_ = 0;

  // The row being assembled; its elements may span refills.
  bool in_row_ = false;
  RowStatus row_status_ = RowStatus::kOk;
  int64_t row_len_ = 0;
  size_t row_slot_ = 0;           // where its floats start in the output
  std::vector<float> learning_;   // its elements while dim_ is unknown
};

}  // namespace quiver
