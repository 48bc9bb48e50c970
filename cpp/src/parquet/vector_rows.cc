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
uint32_t LoadLE32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

// Whether RLE/bit-packed level data `data[0..size)` is a single RLE run of
// `value` covering at least `n` levels.
bool IsSingleRun(const uint8_t* data, int64_t size, int16_t value, int64_t n) {
  uint64_t header = 0;
  int shift = 0;
  int64_t i = 0;
  while (true) {
    if (i >= size || shift > 35) return false;
    const uint8_t b = data[i++];
    header |= uint64_t{b & 0x7Fu} << shift;
    shift += 7;
    if (!(b & 0x80)) break;
  }
  if (header & 1) return false;  // bit-packed
  if (static_cast<int64_t>(header >> 1) < n) return false;
  int bits = 0;
  while ((1 << bits) <= value) ++bits;
  const int bytes = (bits + 7) / 8;
  if (i + bytes > size) return false;
  int32_t v = 0;
  for (int k = 0; k < bytes; ++k) v |= int32_t{data[i + k]} << (8 * k);
  return v == value;
}

}  // namespace

bool DecodeDensePage(const parquet::Page& page, const VectorLayout& layout, int32_t dim,
                     std::vector<float>* vectors, std::vector<RowStatus>* status) {
  if (layout.element != ElementType::kFloat32 || dim <= 0) return false;
  const uint8_t* data = page.data();
  const int64_t size = page.size();
  const uint8_t *rep = nullptr, *def = nullptr, *values = nullptr;
  int64_t rep_size = 0, def_size = 0;
  int64_t n = 0;
  parquet::LevelDecoder rep_decoder;
  if (page.type() == parquet::PageType::DATA_PAGE) {
    const auto& v1 = static_cast<const parquet::DataPageV1&>(page);
    if (v1.encoding() != parquet::Encoding::PLAIN ||
        v1.repetition_level_encoding() != parquet::Encoding::RLE ||
        v1.definition_level_encoding() != parquet::Encoding::RLE || size < 8) {
      return false;
    }
    n = v1.num_values();
    rep_size = LoadLE32(data);
    if (4 + rep_size + 4 > size) return false;
    def_size = LoadLE32(data + 4 + rep_size);
    rep = data;  // with its length prefix, as LevelDecoder::SetData wants it
    def = data + 8 + rep_size;
    values = def + def_size;
    if (values - data > size) return false;
    rep_decoder.SetData(parquet::Encoding::RLE, 1, static_cast<int>(n), rep,
                        static_cast<int32_t>(4 + rep_size));
  } else if (page.type() == parquet::PageType::DATA_PAGE_V2) {
    const auto& v2 = static_cast<const parquet::DataPageV2&>(page);
    if (v2.encoding() != parquet::Encoding::PLAIN) return false;
    n = v2.num_values();
    rep_size = v2.repetition_levels_byte_length();
    def_size = v2.definition_levels_byte_length();
    if (rep_size < 0 || def_size < 0 || rep_size + def_size > size) return false;
    rep = data;
    def = data + rep_size;
    values = def + def_size;
    rep_decoder.SetDataV2(static_cast<int32_t>(rep_size), 1, static_cast<int>(n), rep);
  } else {
    return false;
  }
  if (n <= 0 || n % dim != 0) return false;
  if (values + n * static_cast<int64_t>(sizeof(float)) > data + size) return false;
  if (!IsSingleRun(def, def_size, layout.max_def, n)) return false;

  // Repetition levels must be 0, 1, 1, ... for every row: compare whole
  // blocks of rows against that pattern.
  const int64_t block_rows = std::max<int64_t>(1, 4096 / dim);
  std::vector<int16_t> pattern(block_rows * dim, 1), levels(block_rows * dim);
  for (int64_t r = 0; r < block_rows; ++r) pattern[r * dim] = 0;
  for (int64_t done = 0; done < n;) {
    const int want = static_cast<int>(std::min<int64_t>(n - done, block_rows * dim));
    if (rep_decoder.Decode(want, levels.data()) != want) return false;
    if (std::memcmp(levels.data(), pattern.data(), want * sizeof(int16_t)) != 0) return false;
    done += want;
  }

  const int64_t rows = n / dim;
  const size_t base = vectors->size();
  vectors->resize(base + n);
  std::memcpy(vectors->data() + base, values, n * sizeof(float));
  status->reserve(status->size() + rows);
  for (int64_t r = 0; r < rows; ++r) {
    float* v = vectors->data() + base + r * dim;
    if (AllFinite(v, dim)) {
      status->push_back(RowStatus::kOk);
    } else {
      std::fill(v, v + dim, 0.0f);
      status->push_back(RowStatus::kNonFinite);
    }
  }
  return true;
}

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
