// Writes the Parquet file the C ABI smoke test (capi_smoke.c) indexes: an
// int64 "id" column holding the row number and a list<float> column "v" of
// deterministic pseudo-random vectors, in several row groups and pages.
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "support/vector_files.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s OUT.parquet ROWS DIM\n", argv[0]);
    return 2;
  }
  const int64_t rows = std::atoll(argv[2]);
  const int32_t dim = std::atoi(argv[3]);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(argv[1]).parent_path(), ec);
  quiver::testing::VectorFileOptions options;
  options.column = "v";
  options.with_id_column = true;
  options.row_group_rows = rows / 3 + 1;
  options.page_rows = 100;
  options.page_index = true;
  arrow::Status st = quiver::testing::WriteVectorFile(
      argv[1], quiver::testing::VectorLayoutKind::kArrowList,
      quiver::testing::RandomVectorRows(rows, dim, 7), dim, options);
  if (!st.ok()) {
    std::fprintf(stderr, "writing %s: %s\n", argv[1], st.ToString().c_str());
    return 1;
  }
  return 0;
}
