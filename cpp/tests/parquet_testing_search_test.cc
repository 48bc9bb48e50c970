// The Apache parquet-testing files as search corpora: every file whose column
// holds usable vectors is built, each of its first rows is searched for with
// every list probed and refined (it must come back at distance 0), and every
// top-level column of the rows found is fetched. Nothing may crash.
#include <arrow/api.h>
#include <arrow/c/bridge.h>
#include <gtest/gtest.h>
#include <parquet/file_reader.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "parquet/vector_column.h"
#include "support/index_testing.h"
#include "support/temp_dir.h"

namespace quiver {
namespace {
namespace fs = std::filesystem;
using namespace quiver::testing;

struct Usable {
  std::string path, column;
  std::vector<float> vectors;  // the first usable rows
  int32_t dim = 0;
};

// Files and columns the scanner reads at least one usable vector from.
std::vector<Usable> UsableColumns() {
  std::vector<Usable> out;
  const fs::path root = QUIVER_PARQUET_TESTING_DIR;
  std::error_code ec;
  for (const char* sub : {"data", "bad_data"}) {
    if (!fs::is_directory(root / sub, ec)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root / sub)) {
      if (!e.is_regular_file() || e.path().extension() != ".parquet") continue;
      std::vector<std::string> names;
      try {
        auto reader = parquet::ParquetFileReader::OpenFile(e.path().string());
        const auto* node = reader->metadata()->schema()->group_node();
        for (int i = 0; i < node->field_count(); ++i) names.push_back(node->field(i)->name());
      } catch (const std::exception&) {
        continue;
      }
      for (const auto& name : names) {
        auto scanner = VectorScanner::Open(e.path().string(), name, 0);
        if (!scanner.ok()) continue;
        Usable u{e.path().string(), name, {}, 0};
        std::vector<float> v;
        std::vector<RowStatus> s;
        while (u.vectors.size() < 16 * size_t((*scanner)->dim() > 0 ? (*scanner)->dim() : 1)) {
          auto n = (*scanner)->Next(256, &v, &s);
          if (!n.ok() || *n == 0) break;
          u.dim = (*scanner)->dim();
          for (int64_t i = 0; i < *n && u.vectors.size() < 16 * size_t(u.dim); ++i) {
            if (s[i] == RowStatus::kOk) u.vectors.insert(u.vectors.end(), v.begin() + i * u.dim, v.begin() + (i + 1) * u.dim);
          }
        }
        if (!u.vectors.empty()) out.push_back(std::move(u));
      }
    }
  }
  return out;
}

TEST(ParquetTestingSearch, UsableColumnsFindTheirOwnRowsAndFetch) {
  const auto usable = UsableColumns();
  TempDir dir("parquet-testing-search");
  int searched = 0;
  for (size_t u = 0; u < usable.size(); ++u) {
    const Usable& c = usable[u];
    SCOPED_TRACE(c.path + " column " + c.column);
    const std::string index_dir = dir / ("index-" + std::to_string(u));
    BuildOptions o;
    o.column = c.column;
    o.nlist = 0;
    o.pq_m = 0;
    std::string error;
    // Too few rows to train on, for instance: the build suite covers that.
    if (Build({c.path}, index_dir, o, nullptr, nullptr, &error) != QV_OK) continue;
    qv_index* index = nullptr;
    ASSERT_EQ(qv_index_open(index_dir.c_str(), 0, &index), QV_OK) << qv_last_error();
    qv_index_info info;
    ASSERT_EQ(qv_index_get_info(index, &info), QV_OK);
    qv_search_params* p = nullptr;
    ASSERT_EQ(qv_search_params_create(&p), QV_OK);
    ASSERT_EQ(qv_search_params_set_nprobes(p, info.nlist), QV_OK);
    ASSERT_EQ(qv_search_params_set_refine_factor(p, static_cast<int32_t>(info.rows_indexed) + 1), QV_OK);
    const int64_t n = static_cast<int64_t>(c.vectors.size() / c.dim);
    std::vector<uint64_t> keys(n);
    std::vector<float> dists(n);
    ASSERT_EQ(qv_search_batch(index, c.vectors.data(), n, c.dim, 1, p, nullptr, keys.data(), dists.data()),
              QV_OK)
        << qv_last_error();
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_NE(keys[i], QV_NO_ROW);
      // Cosine and inner product are not used here: L2 of a row to itself.
      EXPECT_EQ(dists[i], 0.0f) << "row " << i;
    }
    // Every top-level column of the rows found.
    auto reader = parquet::ParquetFileReader::OpenFile(c.path);
    const auto* node = reader->metadata()->schema()->group_node();
    for (int f = 0; f < node->field_count(); ++f) {
      const std::string name = node->field(f)->name();
      const char* cols[] = {name.c_str()};
      ArrowArrayStream stream;
      const qv_status st = qv_fetch(index, keys.data(), n, cols, 1, nullptr, &stream);
      if (st != QV_OK) {
        // Columns Arrow cannot read (bad_data/ holds columns of unequal
        // length) are refused with a message, never a crash.
        EXPECT_NE(st, QV_ERR_INTERNAL) << name << ": " << qv_last_error();
        EXPECT_NE(std::string(qv_last_error()), "") << name;
        continue;
      }
      auto imported = arrow::ImportRecordBatchReader(&stream);
      ASSERT_TRUE(imported.ok()) << imported.status().ToString();
      auto table = (*imported)->ToTable();
      ASSERT_TRUE(table.ok()) << table.status().ToString();
      EXPECT_EQ((*table)->num_rows(), n) << name;
    }
    ++searched;
    qv_search_params_destroy(p);
    qv_index_close(index);
  }
  std::cout << "[ corpus   ] " << usable.size() << " usable vector columns, " << searched << " searched\n";
  if (usable.empty()) {
    // In CI a skip would read as a pass.
    if (std::getenv("CI") != nullptr) FAIL() << "CI: the corpus is required; " << QUIVER_PARQUET_TESTING_DIR;
    GTEST_SKIP() << "no usable vector column in " << QUIVER_PARQUET_TESTING_DIR;
  }
}

}  // namespace
}  // namespace quiver
