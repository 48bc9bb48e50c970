// Refinement reads over a Spark-like corpus: random row keys read back from
// the Parquet vector column, cold (new reader) and warm (decoded pages
// cached), as one batch and as single queries.
//
//   quiver_bench_vector_read [--dir D] [--rows N] [--dim D] [--files F]
//       [--queries Q] [--candidates C] [--page-index 0|1]
//
// The corpus (support/datagen.h: clustered vectors written the way Spark
// writes array<float>, snappy, ~1 MiB pages, dictionary tried first) is
// written once into D (default /tmp/quiver-bench-vectors-<..>), with a page
// index unless --page-index 0.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "parquet/fingerprint.h"
#include "parquet/vector_reader.h"
#include "support/datagen.h"

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Process CPU time (all threads), which a busy shared machine does not inflate.
double CpuMs() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

void PrintStats(const char* what, double ms, double cpu_ms, const quiver::IoStats& before, const quiver::IoStats& after,
                int64_t keys) {
  std::printf("%-34s %9.2f ms wall %9.2f ms cpu  keys %7lld  bytes read %11lld  requests %6lld  pages decoded %6lld  cache hits %7lld  cache %.1f MiB\n",
              what, ms, cpu_ms, static_cast<long long>(keys),
              static_cast<long long>(after.bytes_read - before.bytes_read),
              static_cast<long long>(after.read_requests - before.read_requests),
              static_cast<long long>(after.pages_decoded - before.pages_decoded),
              static_cast<long long>(after.page_cache_hits - before.page_cache_hits),
              after.cache_bytes / 1048576.0);
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = 1000000, queries = 1000, candidates = 80;
  int32_t dim = 128, files = 8;
  bool page_index = true;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const char* v = argv[i + 1];
    if (a == "--dir") dir = v;
    else if (a == "--rows") rows = std::atoll(v);
    else if (a == "--dim") dim = std::atoi(v);
    else if (a == "--files") files = std::atoi(v);
    else if (a == "--queries") queries = std::atoll(v);
    else if (a == "--candidates") candidates = std::atoll(v);
    else if (a == "--page-index") page_index = std::atoi(v) != 0;
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  quiver::bench::DatagenSpec spec;
  spec.rows = rows;
  spec.dim = dim;
  spec.files = files;
  spec.page_index = page_index;
  if (dir.empty()) {
    dir = "/tmp/quiver-bench-vectors-" + std::to_string(rows) + "x" + std::to_string(dim) + "-" +
          std::to_string(files) + (page_index ? "" : "-nopageindex");
  }
  auto paths = quiver::bench::WriteDataset(dir, spec, /*verbose=*/true);
  if (!paths.ok()) {
    std::fprintf(stderr, "%s\n", paths.status().ToString().c_str());
    return 1;
  }
  std::vector<quiver::SourceFile> sources;
  for (int32_t f = 0; f < files; ++f) {
    const std::string& path = (*paths)[f];
    const int64_t n = rows * (f + 1) / files - rows * f / files;
    auto fp = quiver::ComputeFingerprint(quiver::LocalStorage(), path);
    if (!fp.ok()) {
      std::fprintf(stderr, "%s\n", fp.status().ToString().c_str());
      return 1;
    }
    sources.push_back({path, n, n, fp->size_bytes, fp->mtime_ns, fp->footer_hash});
  }

  std::mt19937_64 rng(7);
  auto random_keys = [&](int64_t n) {
    std::vector<uint64_t> keys(n);
    for (auto& k : keys) {
      const uint32_t f = static_cast<uint32_t>(rng() % files);
      k = QV_ROW_KEY(f, rng() % sources[f].rows);
    }
    return keys;
  };
  std::printf("corpus: %lld rows x %d dims in %d files (%s), batch %lld queries x %lld candidates\n",
              static_cast<long long>(rows), dim, files, page_index ? "page index" : "no page index",
              static_cast<long long>(queries), static_cast<long long>(candidates));

  const quiver::IoOptions io;
  const int64_t budget = 2LL << 30;
  const auto batch = random_keys(queries * candidates);
  std::vector<float> out(batch.size() * dim);
  std::vector<quiver::RowStatus> status(batch.size());
  auto run = [&](quiver::VectorReader* reader, const std::vector<uint64_t>& keys, const char* what) {
    const auto before = reader->stats();
    const auto t0 = Clock::now();
    const double c0 = CpuMs();
    auto st = reader->Read(keys.data(), static_cast<int64_t>(keys.size()), io, out.data(), status.data());
    const double ms = Ms(t0, Clock::now());
    const double cpu = CpuMs() - c0;
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", st.ToString().c_str());
      std::exit(1);
    }
    if (what) PrintStats(what, ms, cpu, before, reader->stats(), static_cast<int64_t>(keys.size()));
    return ms;
  };

  // The machine may be shared: the cold batch runs three times on a new
  // reader each, the best wall and cpu times count.
  for (int rep = 0; rep < 2; ++rep) {
    auto reader = quiver::VectorReader::Make(sources, "embedding", dim, budget);
    run(reader.get(), batch, "batch, cold reader");
  }
  {
    auto reader = quiver::VectorReader::Make(sources, "embedding", dim, budget);
    run(reader.get(), batch, "batch, cold reader");
    run(reader.get(), batch, "batch, warm");
    std::vector<double> lat;
    const auto before = reader->stats();
    for (int q = 0; q < 1000; ++q) lat.push_back(run(reader.get(), random_keys(candidates), nullptr));
    std::sort(lat.begin(), lat.end());
    std::printf("single query, warm (all pages cached): p50 %.3f ms  p99 %.3f ms  (1000 queries, %lld decoded)\n",
                lat[lat.size() / 2], lat[lat.size() * 99 / 100],
                static_cast<long long>(reader->stats().pages_decoded - before.pages_decoded));
  }
  {
    auto reader = quiver::VectorReader::Make(sources, "embedding", dim, budget);
    std::vector<double> lat;
    for (int q = 0; q < 20; ++q) lat.push_back(run(reader.get(), random_keys(candidates), q == 0 ? "first single query, cold reader" : nullptr));
    std::sort(lat.begin(), lat.end());
    std::printf("single query, cold pages (20 queries): p50 %.2f ms  max %.2f ms\n", lat[lat.size() / 2], lat.back());
  }
  return 0;
}
