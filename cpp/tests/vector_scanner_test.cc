#include <arrow/util/float16.h>
#include <gtest/gtest.h>
#include <parquet/file_reader.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "parquet/vector_column.h"
#include "support/temp_dir.h"
#include "support/vector_files.h"

namespace quiver {
namespace {

using testing::VectorFileOptions;
using testing::VectorLayoutKind;
using testing::VectorRow;

constexpr int32_t kDim = 8;

float Stored(VectorLayoutKind kind, float x) {
  return kind == VectorLayoutKind::kArrowListHalf ? arrow::util::Float16(x).ToFloat() : x;
}

// What the scanner must report for `row` at dimension kDim.
RowStatus Expected(const VectorRow& row) {
  if (!row) return RowStatus::kNull;
  for (const auto& x : *row) {
    if (!x) return RowStatus::kNull;
  }
  if (row->size() != kDim) return RowStatus::kWrongLength;
  for (const auto& x : *row) {
    if (!std::isfinite(*x)) return RowStatus::kNonFinite;
  }
  return RowStatus::kOk;
}

// Mostly good rows plus every kind of bad row the layout can hold.
std::vector<VectorRow> MixedRows(VectorLayoutKind kind, int64_t n) {
  auto rows = testing::RandomVectorRows(n, kDim, 42);
  const bool fixed = kind == VectorLayoutKind::kArrowFixedSizeList;
  for (int64_t i = 3; i < n; i += 37) {
    switch ((i / 37) % 5) {
      case 0:
        if (testing::LayoutHasNullRows(kind)) rows[i].reset();
        break;
      case 1:
        if (!fixed) rows[i]->resize(kDim - 1);
        break;
      case 2:
        (*rows[i])[2] = std::numeric_limits<float>::quiet_NaN();
        break;
      case 3:
        (*rows[i])[5] = -std::numeric_limits<float>::infinity();
        break;
      case 4:
        if (testing::LayoutHasNullElements(kind)) (*rows[i])[1].reset();
        else if (!fixed) rows[i]->clear();
        break;
    }
  }
  return rows;
}

void ScanAll(VectorScanner* scanner, int64_t batch, std::vector<float>* vectors,
             std::vector<RowStatus>* status) {
  std::vector<float> v;
  std::vector<RowStatus> s;
  while (true) {
    auto n = scanner->Next(batch, &v, &s);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    if (*n == 0) break;
    ASSERT_LE(*n, batch);
    ASSERT_EQ(s.size(), static_cast<size_t>(*n));
    ASSERT_EQ(v.size(), static_cast<size_t>(*n * scanner->dim()));
    vectors->insert(vectors->end(), v.begin(), v.end());
    status->insert(status->end(), s.begin(), s.end());
  }
}

class VectorScannerLayoutTest : public ::testing::TestWithParam<VectorLayoutKind> {};

TEST_P(VectorScannerLayoutTest, ReadsEveryRowWithItsStatus) {
  const VectorLayoutKind kind = GetParam();
  testing::TempDir temp("scanner_" + testing::LayoutName(kind));
  const std::string dir = temp.path();
  const int64_t n = 1000;
  const auto rows = MixedRows(kind, n);
  VectorFileOptions opts;
  opts.row_group_rows = 300;
  opts.page_rows = 64;
  opts.with_id_column = true;
  const std::string path = dir + "/v.parquet";
  ASSERT_TRUE(testing::WriteVectorFile(path, kind, rows, kDim, opts).ok());

  for (int32_t dim : {kDim, 0}) {
    for (int64_t batch : {int64_t{1}, int64_t{7}, int64_t{4096}}) {
      SCOPED_TRACE("dim " + std::to_string(dim) + " batch " + std::to_string(batch));
      auto scanner = VectorScanner::Open(path, "v", dim);
      ASSERT_TRUE(scanner.ok()) << scanner.status().ToString();
      EXPECT_EQ((*scanner)->num_rows(), n);
      std::vector<float> vectors;
      std::vector<RowStatus> status;
      ScanAll(scanner->get(), batch, &vectors, &status);
      ASSERT_EQ((*scanner)->dim(), kDim);
      ASSERT_EQ(status.size(), static_cast<size_t>(n));
      int64_t bad = 0;
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_EQ(status[i], Expected(rows[i])) << "row " << i;
        bad += status[i] != RowStatus::kOk;
        for (int32_t j = 0; j < kDim; ++j) {
          const float want = status[i] == RowStatus::kOk ? Stored(kind, *(*rows[i])[j]) : 0.0f;
          ASSERT_EQ(vectors[i * kDim + j], want) << "row " << i << " element " << j;
        }
      }
      EXPECT_GT(bad, 10);
    }
  }
}

TEST_P(VectorScannerLayoutTest, LearnsDimensionAfterLeadingBadRows) {
  const VectorLayoutKind kind = GetParam();
  if (kind == VectorLayoutKind::kArrowFixedSizeList) GTEST_SKIP() << "length is in the type";
  testing::TempDir temp("scanner_learn_" + testing::LayoutName(kind));
  const std::string dir = temp.path();
  auto rows = testing::RandomVectorRows(20, kDim, 7);
  rows[0]->clear();
  if (testing::LayoutHasNullRows(kind)) rows[1].reset();
  const std::string path = dir + "/v.parquet";
  ASSERT_TRUE(testing::WriteVectorFile(path, kind, rows, kDim).ok());
  auto scanner = VectorScanner::Open(path, "v", 0);
  ASSERT_TRUE(scanner.ok()) << scanner.status().ToString();
  std::vector<float> vectors;
  std::vector<RowStatus> status;
  ScanAll(scanner->get(), 100, &vectors, &status);
  ASSERT_EQ((*scanner)->dim(), kDim);
  ASSERT_EQ(vectors.size(), 20u * kDim);
  EXPECT_EQ(status[0], RowStatus::kWrongLength);
  for (int32_t j = 0; j < kDim; ++j) {
    EXPECT_EQ(vectors[j], 0.0f);
    EXPECT_EQ(vectors[19 * kDim + j], Stored(kind, *(*rows[19])[j]));
  }
}

INSTANTIATE_TEST_SUITE_P(AllLayouts, VectorScannerLayoutTest,
                         ::testing::ValuesIn(testing::AllLayouts()),
                         [](const auto& info) { return testing::LayoutName(info.param); });

TEST(VectorScannerTest, EncodingsAndCompressionAgree) {
  testing::TempDir temp("scanner_encodings");
  const std::string dir = temp.path();
  const auto rows = MixedRows(VectorLayoutKind::kSparkArray, 500);
  std::vector<float> reference;
  std::vector<RowStatus> reference_status;
  int variant = 0;
  for (bool dictionary : {false, true}) {
    for (bool v2 : {false, true}) {
      for (auto codec : {parquet::Compression::UNCOMPRESSED, parquet::Compression::SNAPPY,
                         parquet::Compression::ZSTD}) {
        VectorFileOptions opts;
        opts.dictionary = dictionary;
        opts.data_page_v2 = v2;
        opts.compression = codec;
        opts.page_rows = 50;
        const std::string path = dir + "/v" + std::to_string(variant++) + ".parquet";
        ASSERT_TRUE(testing::WriteVectorFile(path, VectorLayoutKind::kSparkArray, rows, kDim, opts).ok());
        auto scanner = VectorScanner::Open(path, "v", kDim);
        ASSERT_TRUE(scanner.ok()) << scanner.status().ToString();
        std::vector<float> vectors;
        std::vector<RowStatus> status;
        ScanAll(scanner->get(), 128, &vectors, &status);
        if (reference.empty()) {
          reference = vectors;
          reference_status = status;
        } else {
          EXPECT_EQ(vectors, reference) << path;
          EXPECT_EQ(status, reference_status) << path;
        }
      }
    }
  }
}

TEST(VectorScannerTest, ClearErrors) {
  testing::TempDir temp("scanner_errors");
  const std::string dir = temp.path();
  const std::string path = dir + "/v.parquet";
  VectorFileOptions opts;
  opts.with_id_column = true;
  ASSERT_TRUE(testing::WriteVectorFile(path, VectorLayoutKind::kArrowList,
                                       testing::RandomVectorRows(100, kDim, 1), kDim, opts)
                  .ok());

  auto missing_column = VectorScanner::Open(path, "nope", 0);
  ASSERT_FALSE(missing_column.ok());
  EXPECT_EQ(ToQvStatus(missing_column.status()), QV_ERR_NOT_FOUND);
  EXPECT_NE(missing_column.status().message().find(path), std::string::npos);
  EXPECT_NE(missing_column.status().message().find("nope"), std::string::npos);

  auto not_a_list = VectorScanner::Open(path, "id", 0);
  ASSERT_FALSE(not_a_list.ok());
  EXPECT_EQ(ToQvStatus(not_a_list.status()), QV_ERR_UNSUPPORTED);
  EXPECT_NE(not_a_list.status().message().find("'id'"), std::string::npos);

  auto missing_file = VectorScanner::Open(dir + "/absent.parquet", "v", 0);
  ASSERT_FALSE(missing_file.ok());
  EXPECT_EQ(ToQvStatus(missing_file.status()), QV_ERR_NOT_FOUND);

  // A file cut in half has no footer.
  const std::string cut = dir + "/cut.parquet";
  std::filesystem::copy_file(path, cut);
  std::filesystem::resize_file(cut, std::filesystem::file_size(path) / 2);
  auto truncated = VectorScanner::Open(cut, "v", 0);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(ToQvStatus(truncated.status()), QV_ERR_IO);
  EXPECT_NE(truncated.status().message().find(cut), std::string::npos);

  // Garbage in the data pages with an intact footer fails while reading.
  const std::string garbled = dir + "/garbled.parquet";
  std::filesystem::copy_file(path, garbled);
  {
    std::fstream f(garbled, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4);
    std::string junk(std::filesystem::file_size(path) / 2, '\xff');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto scanner = VectorScanner::Open(garbled, "v", kDim);
  if (scanner.ok()) {
    std::vector<float> v;
    std::vector<RowStatus> s;
    Status st;
    while (true) {
      auto n = (*scanner)->Next(64, &v, &s);
      if (!n.ok()) {
        st = n.status();
        break;
      }
      if (*n == 0) break;
    }
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(ToQvStatus(st), QV_ERR_IO);
    EXPECT_NE(st.message().find(garbled), std::string::npos) << st.ToString();
  }
}

// Every file of the parquet-testing corpus, every top-level column: either
// vectors come out or a clear error naming the file does; nothing crashes.
TEST(VectorScannerTest, ParquetTestingCorpus) {
  int64_t files = 0, columns_tried = 0, scanned = 0;
  for (const char* sub : {"data", "bad_data"}) {
    const std::filesystem::path root = std::filesystem::path(QUIVER_PARQUET_TESTING_DIR) / sub;
    ASSERT_TRUE(std::filesystem::is_directory(root)) << root;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file()) continue;
      const std::string path = entry.path().string();
      if (path.find(".parquet") == std::string::npos) continue;
      ++files;
      std::vector<std::string> names = {"v"};
      try {
        auto reader = parquet::ParquetFileReader::OpenFile(path);
        const auto* root_node = reader->metadata()->schema()->group_node();
        for (int i = 0; i < root_node->field_count(); ++i) names.push_back(root_node->field(i)->name());
      } catch (const std::exception&) {
      }
      for (const auto& name : names) {
        SCOPED_TRACE(path + " column " + name);
        ++columns_tried;
        auto scanner = VectorScanner::Open(path, name, 0);
        Status st = scanner.status();
        if (scanner.ok()) {
          std::vector<float> v;
          std::vector<RowStatus> s;
          int64_t total = 0;
          while (true) {
            auto n = (*scanner)->Next(1000, &v, &s);
            if (!n.ok()) {
              st = n.status();
              break;
            }
            if (*n == 0) break;
            total += *n;
          }
          if (st.ok()) {
            ++scanned;
            EXPECT_EQ(total, (*scanner)->num_rows());
          }
        }
        if (!st.ok()) {
          const qv_status code = ToQvStatus(st);
          EXPECT_TRUE(code == QV_ERR_NOT_FOUND || code == QV_ERR_UNSUPPORTED || code == QV_ERR_IO)
              << st.ToString();
          EXPECT_NE(st.message().find(path), std::string::npos) << st.ToString();
        }
      }
    }
  }
  EXPECT_GT(files, 50);
  EXPECT_GT(columns_tried, files);
  RecordProperty("vector_columns_scanned", static_cast<int>(scanned));
}

}  // namespace
}  // namespace quiver
