#include "parquet/vector_column.h"

#include <parquet/exception.h>
#include <parquet/file_reader.h>

#include "parquet/vector_layout.h"
#include "parquet/vector_rows.h"

namespace quiver {

namespace {

// Pages are pulled through a small buffer so memory stays bounded by the
// largest page, not the column chunk.
constexpr int64_t kReadBufferBytes = 4 << 20;

class ParquetVectorScanner final : public VectorScanner {
 public:
  ParquetVectorScanner(std::string path, std::string column,
                       std::unique_ptr<parquet::ParquetFileReader> file, const VectorLayout& layout,
                       int32_t dim)
      : path_(std::move(path)),
        column_(std::move(column)),
        file_(std::move(file)),
        layout_(layout),
        decoder_(layout, dim),
        num_rows_(file_->metadata()->num_rows()),
        num_row_groups_(file_->metadata()->num_row_groups()) {}

  int64_t num_rows() const override { return num_rows_; }
  int32_t dim() const override { return decoder_.dim(); }

  Result<int64_t> Next(int64_t max_rows, std::vector<float>* vectors,
                       std::vector<RowStatus>* status) override {
    if (max_rows <= 0) return Status::Invalid("VectorScanner::Next: max_rows must be positive");
    vectors->clear();
    status->clear();
    try {
      int64_t rows = 0;
      while (rows < max_rows) {
        if (!started_group_) {
          if (next_group_ >= num_row_groups_) break;
          decoder_.Reset(file_->RowGroup(next_group_)->Column(layout_.leaf));
          group_rows_left_ = file_->metadata()->RowGroup(next_group_)->num_rows();
          ++next_group_;
          started_group_ = true;
        }
        const int64_t want = max_rows - rows;
        const int64_t got = decoder_.Next(want, vectors, status);
        rows += got;
        group_rows_left_ -= got;
        if (got < want) {  // the row group is exhausted
          if (group_rows_left_ != 0) {
            return Status::IOError(path_, ": column '", column_, "': row group ", next_group_ - 1,
                                   " holds a different number of rows than its metadata says");
          }
          started_group_ = false;
        }
      }
      return rows;
    } catch (const std::exception& e) {
      return Status::IOError(path_, ": column '", column_, "': ", e.what());
    }
  }

 private:
  std::string path_, column_;
  std::unique_ptr<parquet::ParquetFileReader> file_;
  VectorLayout layout_;
  VectorRowDecoder decoder_;
  int64_t num_rows_;
  int num_row_groups_;
  int next_group_ = 0;
  bool started_group_ = false;
  int64_t group_rows_left_ = 0;
};

}  // namespace

Result<std::unique_ptr<VectorScanner>> VectorScanner::Open(const std::string& path,
                                                           const std::string& column, int32_t dim,
                                                           Storage& storage) {
  if (dim < 0) return Status::Invalid("VectorScanner: negative dimension ", dim);
  ARROW_ASSIGN_OR_RAISE(auto input, storage.Open(path));
  std::unique_ptr<parquet::ParquetFileReader> file;
  try {
    parquet::ReaderProperties props;
    props.enable_buffered_stream();
    props.set_buffer_size(kReadBufferBytes);
    file = parquet::ParquetFileReader::Open(std::move(input), props);
  } catch (const std::exception& e) {
    return Status::IOError(path, ": ", e.what());
  }
  ARROW_ASSIGN_OR_RAISE(VectorLayout layout,
                        ResolveVectorLayout(*file->metadata(), path, column));
  if (dim > 0 && layout.fixed_dim > 0 && dim != layout.fixed_dim) {
    return Status::Invalid(path, ": column '", column, "' holds vectors of length ",
                           layout.fixed_dim, ", expected ", dim);
  }
  return std::unique_ptr<VectorScanner>(
      new ParquetVectorScanner(path, column, std::move(file), layout, dim));
}

}  // namespace quiver
