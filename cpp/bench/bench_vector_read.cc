// Refinement reads over a Spark-like corpus: random row keys read back from
// the Parquet vector column, cold (new reader) and warm (decoded pages
// cached), as one batch and as single queries.
//
//   quiver_bench_vector_read [--dir D] [--rows N] [--dim D] [--files F]
//       [--queries Q] [--candidates C] [--page-index 0|1]
//
// The corpus is written once into D (default /tmp/quiver-bench-vectors-<..>)
// the way Spark writes array<float>: 3-level LIST, snappy, ~1 MiB pages,
// dictionary tried first, page index on (off with --page-index 0).
#include <arrow/api.h>
#include <arrow/io/file.h>
#include <parquet/arrow/writer.h>
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

arrow::Status WriteFile(const std::string& path, int64_t rows, int32_t dim, uint64_t seed,
                        bool page_index) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g;
  auto schema = arrow::schema({arrow::field("id", arrow::int64(), false),
                               arrow::field("embedding", arrow::list(arrow::float32()))});
  parquet::WriterProperties::Builder b;
  b.compression(parquet::Compression::SNAPPY)->data_pagesize(1 << 20)->max_row_group_length(1 << 20);
  if (page_index) {
    b.enable_write_page_index();
  } else {
    b.disable_write_page_index();  // Arrow writes one by default
  }
  ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::FileOutputStream::Open(path));
  ARROW_ASSIGN_OR_RAISE(auto writer, parquet::arrow::FileWriter::Open(*schema, arrow::default_memory_pool(),
                                                                      sink, b.build()));
  const int64_t chunk = 16384;
  for (int64_t start = 0; start < rows; start += chunk) {
    const int64_t n = std::min(chunk, rows - start);
    arrow::Int64Builder ids;
    auto values = std::make_shared<arrow::FloatBuilder>();
    arrow::ListBuilder lists(arrow::default_memory_pool(), values);
    for (int64_t i = 0; i < n; ++i) {
      ARROW_RETURN_NOT_OK(ids.Append(start + i));
      ARROW_RETURN_NOT_OK(lists.Append());
      for (int32_t j = 0; j < dim; ++j) ARROW_RETURN_NOT_OK(values->Append(g(rng)));
    }
    ARROW_ASSIGN_OR_RAISE(auto id_array, ids.Finish());
    ARROW_ASSIGN_OR_RAISE(auto list_array, lists.Finish());
    ARROW_RETURN_NOT_OK(writer->WriteRecordBatch(*arrow::RecordBatch::Make(schema, n, {id_array, list_array})));
  }
  ARROW_RETURN_NOT_OK(writer->Close());
  return sink->Close();
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
  if (dir.empty()) {
    dir = "/tmp/quiver-bench-vectors-" + std::to_string(rows) + "x" + std::to_string(dim) + "-" +
          std::to_string(files) + (page_index ? "" : "-nopageindex");
  }
  std::filesystem::create_directories(dir);
  std::vector<quiver::SourceFile> sources;
  const int64_t per_file = (rows + files - 1) / files;
  for (int32_t f = 0; f < files; ++f) {
    const std::string path = dir + "/part-" + std::to_string(f) + ".snappy.parquet";
    const int64_t n = std::min(per_file, rows - f * per_file);
    if (!std::filesystem::exists(path)) {
      auto t0 = Clock::now();
      auto st = WriteFile(path + ".tmp", n, dim, 1234 + f, page_index);
      if (!st.ok()) {
        std::fprintf(stderr, "writing %s: %s\n", path.c_str(), st.ToString().c_str());
        return 1;
      }
      std::filesystem::rename(path + ".tmp", path);
      std::printf("wrote %s (%lld rows) in %.1f s\n", path.c_str(), static_cast<long long>(n),
                  Ms(t0, Clock::now()) / 1000);
    }
    auto fp = quiver::ComputeFingerprint(path);
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
