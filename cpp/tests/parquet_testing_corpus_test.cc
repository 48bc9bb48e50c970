// Every file of the Apache parquet-testing corpus (data/ and bad_data/):
// a build over each list-of-numbers column, and over the default column
// name, either succeeds (and the index verifies) or fails with a clear
// error. Nothing may crash or hang.
#include <gtest/gtest.h>

#include <arrow/io/file.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/file_reader.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "support/index_testing.h"
#include "support/temp_dir.h"

namespace quiver {
namespace {
namespace fs = std::filesystem;
using namespace quiver::testing;

std::vector<std::string> CorpusFiles() {
  std::vector<std::string> out;
  const fs::path root = QUIVER_PARQUET_TESTING_DIR;
  std::error_code ec;
  for (const char* sub : {"data", "bad_data"}) {
    if (!fs::is_directory(root / sub, ec)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root / sub)) {
      if (e.is_regular_file() && e.path().extension() == ".parquet") out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool IsNumber(const arrow::DataType& t) {
  return t.id() == arrow::Type::FLOAT || t.id() == arrow::Type::DOUBLE || t.id() == arrow::Type::HALF_FLOAT;
}

// Top-level columns that look like vectors (lists of floating-point
// numbers) first, then every other top-level column, which must be refused.
std::vector<std::string> CandidateColumns(const std::string& path) {
  std::vector<std::string> others;
  std::vector<std::string> out;
  try {
    auto in = arrow::io::ReadableFile::Open(path);
    if (!in.ok()) return out;
    auto reader = parquet::ParquetFileReader::Open(*in);
    std::shared_ptr<arrow::Schema> schema;
    if (!parquet::arrow::FromParquetSchema(reader->metadata()->schema(), &schema).ok()) return out;
    for (const auto& f : schema->fields()) {
      const auto& t = *f->type();
      if ((t.id() == arrow::Type::LIST || t.id() == arrow::Type::LARGE_LIST ||
           t.id() == arrow::Type::FIXED_SIZE_LIST) &&
          IsNumber(*t.field(0)->type())) {
        out.push_back(f->name());
      } else {
        others.push_back(f->name());
      }
    }
    out.insert(out.end(), others.begin(), others.end());
  } catch (const std::exception&) {
    // Files Arrow cannot even describe are still built with the default name.
  }
  return out;
}

TEST(ParquetTestingCorpus, EveryFileBuildsOrFailsCleanly) {
  const auto files = CorpusFiles();
  if (files.empty()) {
    // In CI a skip would read as a pass.
    if (std::getenv("CI") != nullptr) FAIL() << "CI: the corpus is required; " << QUIVER_PARQUET_TESTING_DIR;
    GTEST_SKIP() << "parquet-testing corpus not found at " << QUIVER_PARQUET_TESTING_DIR;
  }
  TempDir dir("parquet-testing");
  std::map<qv_status, int> outcomes;
  int built = 0, attempts = 0;
  const std::set<qv_status> clean = {QV_ERR_INVALID_ARGUMENT, QV_ERR_IO, QV_ERR_NOT_FOUND,
                                     QV_ERR_UNSUPPORTED};
  for (const auto& file : files) {
    std::vector<std::string> columns = CandidateColumns(file);
    columns.push_back("embedding");
    for (const auto& column : columns) {
      SCOPED_TRACE(file + " column " + column);
      const std::string index = dir / ("index-" + std::to_string(attempts++));
      BuildOptions o;
      o.column = column;
      o.nlist = 0;
      o.pq_m = 0;
      std::string error;
      const qv_status st = Build({file}, index, o, nullptr, nullptr, &error);
      ++outcomes[st];
      if (st == QV_OK) {
        ++built;
        EXPECT_EQ(qv_index_verify(index.c_str()), QV_OK) << qv_last_error();
        qv_index* h = nullptr;
        ASSERT_EQ(qv_index_open(index.c_str(), 0, &h), QV_OK) << qv_last_error();
        qv_index_info info;
        EXPECT_EQ(qv_index_get_info(h, &info), QV_OK);
        EXPECT_EQ(info.rows_indexed + info.rows_skipped_null + info.rows_skipped_length +
                      info.rows_skipped_nonfinite,
                  info.rows_total);
        qv_index_close(h);
      } else {
        EXPECT_TRUE(clean.count(st)) << qv_status_name(st) << ": " << error;
        EXPECT_FALSE(error.empty());
        EXPECT_TRUE(Snapshot(index).empty()) << "a failed build left files behind";
      }
      fs::remove_all(index);
    }
  }
  std::string summary;
  for (auto [st, n] : outcomes) summary += std::string(qv_status_name(st)) + "=" + std::to_string(n) + " ";
  std::cout << "[ corpus   ] " << files.size() << " files, " << attempts << " builds: " << summary << "\n";
  EXPECT_GT(built, 0) << "no file of the corpus holds a usable vector column?";
}

}  // namespace
}  // namespace quiver
