#include "parquet/vector_rows.h"

#include <arrow/util/float16.h>
#include <parquet/exception.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace quiver {

namespace {
constexpr int64_t kLevelBatch = 64 * 1024;

bool AllFinite(const float* v, int64_t n) {
  // Multiplying by zero turns every finite value into 0 and Inf/NaN into NaN:
  // a branch-free test the compiler vectorises.
  float acc = 0.0f;
  for (int64_t i = 0; i < n; ++i) acc += v[i] * 0.0f;
  return acc == 0.0f;
}
}  // namespace

VectorRowDecoder::VectorRowDecoder(const VectorLayout& layout, int32_t dim)
    : layout_(layout), dim_(dim > 0 ? dim : (layout.fixed_dim > 0 ? layout.fixed_dim : 0)) {
  def_.resize(kLevelBatch);
  rep_.resize(kLevelBatch);
  values_.resize(kLevelBatch);
  if (layout_.element == ElementType::kFloat64) doubles_.resize(kLevelBatch);
  if (layout_.element == ElementType::kFloat16) halves_.resize(kLevelBatch);
}

void VectorRowDecoder::Reset(std::shared_ptr<parquet::ColumnReader> reader) {
  reader_ = std::move(reader);
  levels_ = pos_ = vpos_ = 0;
  in_row_ = false;
}

bool VectorRowDecoder::Refill() {
  levels_ = pos_ = vpos_ = 0;
  if (!reader_ || !reader_->HasNext()) return false;
  int64_t values_read = 0;
  switch (layout_.element) {
    case ElementType::kFloat32:
      levels_ = static_cast<parquet::FloatReader*>(reader_.get())
                    ->ReadBatch(kLevelBatch, def_.data(), rep_.data(), values_.data(), &values_read);
      break;
    case ElementType::kFloat64:
      levels_ = static_cast<parquet::DoubleReader*>(reader_.get())
                    ->ReadBatch(kLevelBatch, def_.data(), rep_.data(), doubles_.data(), &values_read);
      for (int64_t i = 0; i < values_read; ++i) values_[i] = static_cast<float>(doubles_[i]);
      break;
    case ElementType::kFloat16:
      levels_ = static_cast<parquet::FixedLenByteArrayReader*>(reader_.get())
                    ->ReadBatch(kLevelBatch, def_.data(), rep_.data(), halves_.data(), &values_read);
      for (int64_t i = 0; i < values_read; ++i) {
        values_[i] = arrow::util::Float16::FromLittleEndian(halves_[i].ptr).ToFloat();
      }
      break;
  }
  return levels_ > 0;
}

void VectorRowDecoder::BeginRow(std::vector<float>* vectors) {
  in_row_ = true;
  row_status_ = RowStatus::kOk;
  row_len_ = 0;
  row_slot_ = vectors->size();
  if (dim_ > 0) {
    vectors->resize(row_slot_ + dim_, 0.0f);
  } else {
    learning_.clear();
  }
}

void VectorRowDecoder::FinishRow(std::vector<float>* vectors, std::vector<RowStatus>* status) {
  in_row_ = false;
  if (dim_ == 0) {
    if (row_status_ != RowStatus::kOk || row_len_ == 0) {
      status->push_back(row_status_ == RowStatus::kOk ? RowStatus::kWrongLength : row_status_);
      return;
    }
    // First usable row: from now on every row has a slot, earlier ones zeros.
    dim_ = static_cast<int32_t>(row_len_);
    vectors->assign(status->size() * dim_, 0.0f);
    row_slot_ = vectors->size();
    vectors->insert(vectors->end(), learning_.begin(), learning_.end());
  }
  if (row_status_ == RowStatus::kOk && row_len_ != dim_) row_status_ = RowStatus::kWrongLength;
  if (row_status_ == RowStatus::kOk && !AllFinite(vectors->data() + row_slot_, dim_)) {
    row_status_ = RowStatus::kNonFinite;
  }
  if (row_status_ != RowStatus::kOk) {
    std::fill(vectors->begin() + row_slot_, vectors->begin() + row_slot_ + dim_, 0.0f);
  }
  status->push_back(row_status_);
}

int64_t VectorRowDecoder::Next(int64_t max_rows, std::vector<float>* vectors,
                               std::vector<RowStatus>* status) {
  int64_t rows = 0;
  const int16_t max_def = layout_.max_def;
  const int16_t list_def = layout_.list_def;
  while (true) {
    if (pos_ == levels_ && !Refill()) {
      if (in_row_) {
        FinishRow(vectors, status);
        ++rows;
      }
      break;
    }
    if (rep_[pos_] == 0) {
      if (in_row_) {
        FinishRow(vectors, status);
        ++rows;
      }
      if (rows == max_rows) break;
      // Common case: a whole, fully defined row inside the buffer is copied
      // in one piece.
      const int64_t end = pos_ + dim_;
      if (dim_ > 0 && end < levels_ && rep_[end] == 0) {
        bool dense = true;
        for (int64_t i = pos_; i < end; ++i) dense &= (def_[i] == max_def) & (rep_[i] == (i != pos_));
        if (dense) {
          const size_t slot = vectors->size();
          vectors->insert(vectors->end(), values_.data() + vpos_, values_.data() + vpos_ + dim_);
          RowStatus st = RowStatus::kOk;
          if (!AllFinite(vectors->data() + slot, dim_)) {
            st = RowStatus::kNonFinite;
            std::fill(vectors->begin() + slot, vectors->end(), 0.0f);
          }
          status->push_back(st);
          ++rows;
          pos_ = end;
          vpos_ += dim_;
          continue;
        }
      }
      BeginRow(vectors);
    } else if (!in_row_) {
      throw parquet::ParquetException("vector column data starts in the middle of a row");
    }
    const int16_t d = def_[pos_];
    if (d == max_def) {
      if (dim_ == 0) {
        learning_.push_back(values_[vpos_]);
      } else if (row_len_ < dim_) {
        (*vectors)[row_slot_ + row_len_] = values_[vpos_];
      }
      ++vpos_;
      ++row_len_;
    } else if (d >= list_def) {
      ++row_len_;  // a null element: the vector is unusable
      row_status_ = RowStatus::kNull;
    } else if (d < list_def - 1) {
      row_status_ = RowStatus::kNull;  // the list itself (or a parent) is null
    }
    // d == list_def - 1: an empty list, nothing to add.
    ++pos_;
  }
  return rows;
}

}  // namespace quiver
