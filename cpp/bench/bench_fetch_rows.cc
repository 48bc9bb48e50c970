// Projection fetch over a Spark-like corpus: the top-k rows of a batch of
// queries (random keys here), fetched for a small column and for the
// vector column.
//
//   quiver_bench_fetch_rows [--dir D] [--rows N] [--files F] [--keys K]
#include <arrow/record_batch.h>
#include <arrow/table.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "parquet/row_fetcher.h"
#include "parquet/fingerprint.h"
#include "support/datagen.h"

int main(int argc, char** argv) {
  quiver::bench::DatagenSpec spec;
  int64_t keys_n = 10000;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--dir") dir = argv[i + 1];
    else if (a == "--rows") spec.rows = std::atoll(argv[i + 1]);
    else if (a == "--files") spec.files = std::atoi(argv[i + 1]);
    else if (a == "--keys") keys_n = std::atoll(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (dir.empty()) {
    dir = "/tmp/quiver-bench-vectors-" + std::to_string(spec.rows) + "x" + std::to_string(spec.dim) +
          "-" + std::to_string(spec.files);
  }
  auto paths = quiver::bench::WriteDataset(dir, spec, /*verbose=*/true);
  if (!paths.ok()) {
    std::fprintf(stderr, "%s\n", paths.status().ToString().c_str());
    return 1;
  }
  std::vector<quiver::SourceFile> files;
  for (int f = 0; f < spec.files; ++f) {
    const int64_t n = spec.rows * (f + 1) / spec.files - spec.rows * f / spec.files;
    auto fp = quiver::ComputeFingerprint(quiver::LocalStorage(), (*paths)[f]);
    if (!fp.ok()) return 1;
    files.push_back({(*paths)[f], n, n, fp->size_bytes, fp->mtime_ns, fp->footer_hash});
  }
  std::mt19937_64 rng(11);
  std::vector<uint64_t> keys(keys_n);
  for (auto& k : keys) {
    const uint32_t f = static_cast<uint32_t>(rng() % files.size());
    k = QV_ROW_KEY(f, rng() % files[f].rows);
  }
  std::printf("corpus: %s\n", spec.Describe().c_str());
  for (const std::vector<std::string>& columns :
       {std::vector<std::string>{"id"}, std::vector<std::string>{"id", spec.column}}) {
    for (int64_t n : {int64_t{10}, keys_n}) {
      const auto t0 = std::chrono::steady_clock::now();
      quiver::SourceReader source(files);
      quiver::ThreadPool pool;
      auto reader = quiver::FetchRows(source, keys.data(), n, columns, quiver::IoOptions{}, pool);
      int64_t rows = 0;
      if (reader.ok()) {
        auto table = (*reader)->ToTable();
        if (table.ok()) rows = (*table)->num_rows();
      }
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      std::printf("fetch %6lld keys, columns %-16s %9.1f ms  (%lld rows)%s\n", static_cast<long long>(n),
                  (columns.size() == 1 ? "id" : "id+" + spec.column).c_str(), ms,
                  static_cast<long long>(rows), reader.ok() ? "" : reader.status().ToString().c_str());
    }
  }
  return 0;
}
