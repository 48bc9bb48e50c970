// Search benchmark: a generated corpus written the way Spark writes it
// (array<float>, snappy, 8 files) plus held-apart queries from the same
// distribution; an index built over it with qv_build; then, for each
// nprobes x refine_factor: recall@k against exact brute force, batch
// throughput with a cold cache (first batch after open, OS page cache
// dropped when permitted) and a warm one, single-query latency cold and
// warm, and bytes read from Parquet per query. FAISS IndexIVFPQ wrapped in
// IndexRefineFlat, holding the same quantizers and codes with the vectors in
// RAM, runs the same queries as the reference.
//
//   quiver_bench_search [--rows N] [--dim D] [--files F] [--queries Q] [--k K]
//                       [--data DIR] [--nprobes 8,16,32] [--refine 1,4,8,16]
//                       [--threads T] [--cache-mib M] [--cold-singles N]
//                       [--warm-singles N] [--io-gap BYTES] [--io-concurrency N]
//                       [--warm-reps N] [--no-faiss]
#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/IndexRefine.h>
#include <omp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "build/blas_threads.h"
#include "index/mmap_index_reader.h"
#include "quiver/quiver.h"
#include "support/datagen.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "bench_search: %s\n", msg.c_str());
  std::exit(1);
}

void Check(qv_status st, const char* what) {
  if (st != QV_OK) Die(std::string(what) + ": " + qv_status_name(st) + ": " + qv_last_error());
}

std::vector<int32_t> ParseList(const std::string& s) {
  std::vector<int32_t> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::stoi(item));
  return out;
}

// Drops the OS page cache so that the next reads come from the disk. Needs
// root; without it the "cold" figures only have a cold Quiver cache.
bool DropOsCache() {
  ::sync();
  std::ofstream f("/proc/sys/vm/drop_caches");
  if (!f) return false;
  f << "1\n";
  return static_cast<bool>(f.flush());
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t at = std::min(v.size() - 1, static_cast<size_t>(std::ceil(p * v.size())) - 1);
  return v[at];
}

// Exact k nearest rows of every query (global row numbers), computed once
// with FAISS's BLAS brute force and cached beside the data.
std::vector<int64_t> GroundTruth(const std::string& cache, const std::vector<float>& corpus,
                                 const std::vector<float>& queries, int32_t dim, int32_t k) {
  const int64_t nq = static_cast<int64_t>(queries.size() / dim);
  std::vector<int64_t> gt(nq * k);
  if (std::ifstream in{cache, std::ios::binary}) {
    in.read(reinterpret_cast<char*>(gt.data()), gt.size() * sizeof(int64_t));
    if (in.gcount() == static_cast<std::streamsize>(gt.size() * sizeof(int64_t))) return gt;
  }
  faiss::IndexFlatL2 flat(dim);
  flat.add(static_cast<faiss::idx_t>(corpus.size() / dim), corpus.data());
  std::vector<float> d(nq * k);
  flat.search(nq, queries.data(), k, d.data(), gt.data());
  std::ofstream out(cache, std::ios::binary);
  out.write(reinterpret_cast<const char*>(gt.data()), gt.size() * sizeof(int64_t));
  return gt;
}

// Relative contrast: the mean distance from a query to the corpus over the
// distance to its nearest neighbour (Euclidean), averaged over queries.
// Near 1 means neighbours are meaningless; SIFT-like data is around 2-4.
double RelativeContrast(const std::vector<float>& corpus, const std::vector<float>& queries,
                        const std::vector<int64_t>& gt, int32_t dim, int32_t k) {
  const int64_t n = static_cast<int64_t>(corpus.size() / dim);
  const int64_t nq = static_cast<int64_t>(queries.size() / dim);
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<int64_t> pick(0, n - 1);
  auto dist = [&](const float* a, const float* b) {
    double s = 0;
    for (int d = 0; d < dim; ++d) s += double(a[d] - b[d]) * (a[d] - b[d]);
    return std::sqrt(s);
  };
  double sum = 0;
  for (int64_t q = 0; q < nq; ++q) {
    const float* qv = queries.data() + q * dim;
    double mean = 0;
    const int samples = 2000;
    for (int s = 0; s < samples; ++s) mean += dist(qv, corpus.data() + pick(rng) * dim);
    mean /= samples;
    const double nn = dist(qv, corpus.data() + gt[q * k] * dim);
    sum += mean / std::max(nn, 1e-12);
  }
  return sum / nq;
}

struct Row {
  int32_t nprobes = 0, refine = 0;
  double recall = 0, cold_qps = 0, warm_qps = 0;
  double cold_p50 = 0, cold_p99 = 0, warm_p50 = 0, warm_p99 = 0;
  double cold_bytes_per_query = 0, warm_bytes_per_query = 0, single_cold_bytes = 0;
  double faiss_recall = -1, faiss_qps = 0;
};

}  // namespace

int main(int argc, char** argv) {
  quiver::bench::DatagenSpec spec;
  std::string data_dir;
  int64_t nq = 1000;
  int32_t k = 10, threads = 2, cold_singles = 20, warm_singles = 1000;
  int64_t cache_mib = 1024, io_gap = -1;
  int32_t io_concurrency = 0, warm_reps = 3;
  bool with_faiss = true;
  std::vector<int32_t> nprobes_list = {8, 16, 32}, refine_list = {1, 4, 8, 16};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--rows") spec.rows = std::stoll(next());
    else if (a == "--dim") spec.dim = std::stoi(next());
    else if (a == "--files") spec.files = std::stoi(next());
    else if (a == "--queries") nq = std::stoll(next());
    else if (a == "--k") k = std::stoi(next());
    else if (a == "--data") data_dir = next();
    else if (a == "--nprobes") nprobes_list = ParseList(next());
    else if (a == "--refine") refine_list = ParseList(next());
    else if (a == "--threads") threads = std::stoi(next());
    else if (a == "--cache-mib") cache_mib = std::stoll(next());
    else if (a == "--cold-singles") cold_singles = std::stoi(next());
    else if (a == "--warm-singles") warm_singles = std::stoi(next());
    else if (a == "--io-gap") io_gap = std::stoll(next());
    else if (a == "--io-concurrency") io_concurrency = std::stoi(next());
    else if (a == "--warm-reps") warm_reps = std::stoi(next());
    else if (a == "--no-faiss") with_faiss = false;
    else Die("unknown option " + a);
  }
  if (data_dir.empty()) {
    data_dir = "bench-data/search-" + std::to_string(spec.rows) + "x" + std::to_string(spec.dim);
  }
  const int32_t dim = spec.dim;
  const std::string corpus_dir = data_dir + "/corpus", index_dir = data_dir + "/index";

  // Data and index: generated and built once, reused by later runs.
  std::fprintf(stderr, "data: %s (%s)\n", corpus_dir.c_str(), spec.Describe().c_str());
  auto paths = quiver::bench::WriteDataset(corpus_dir, spec, true);
  if (!paths.ok()) Die(paths.status().ToString());
  qv_index* index = nullptr;
  if (qv_index_open(index_dir.c_str(), 0, &index) != QV_OK) {
    std::fprintf(stderr, "building index %s\n", index_dir.c_str());
    qv_build_params* bp = nullptr;
    Check(qv_build_params_create(&bp), "build params");
    Check(qv_build_params_set_vector_column(bp, spec.column.c_str()), "vector column");
    std::vector<const char*> c_paths;
    for (const auto& p : *paths) c_paths.push_back(p.c_str());
    const auto t0 = Clock::now();
    Check(qv_build(c_paths.data(), static_cast<int64_t>(c_paths.size()), bp, index_dir.c_str(), nullptr,
                   nullptr),
          "build");
    std::fprintf(stderr, "built in %.1f s\n", Seconds(t0));
    qv_build_params_destroy(bp);
    Check(qv_index_open(index_dir.c_str(), 0, &index), "open");
  }
  qv_index_info info;
  Check(qv_index_get_info(index, &info), "info");
  std::vector<int64_t> file_start(info.n_files + 1, 0);
  for (int32_t f = 0; f < info.n_files; ++f) {
    qv_file_info fi;
    Check(qv_index_get_file(index, f, &fi), "file info");
    file_start[f + 1] = file_start[f] + fi.rows;
  }
  qv_index_close(index);
  auto global_row = [&](uint64_t key) -> int64_t {
    return key == QV_NO_ROW ? -1 : file_start[QV_ROW_KEY_FILE(key)] + QV_ROW_KEY_ROW(key);
  };

  // The corpus in RAM (regenerated: every row is a function of its index)
  // for ground truth and for the FAISS reference; queries held apart.
  std::vector<float> corpus(spec.rows * dim);
  quiver::bench::VectorDistribution dist(spec);
  dist.Rows(0, spec.rows, corpus.data());
  const std::vector<float> queries = quiver::bench::HeldOutQueries(spec, nq);
  std::vector<int64_t> gt;
  {
    quiver::SingleThreadedBlas blas_guard;  // FAISS parallelises over queries itself
    const auto t0 = Clock::now();
    gt = GroundTruth(data_dir + "/ground_truth_" + std::to_string(nq) + "x" + std::to_string(k) + ".bin",
                     corpus, queries, dim, k);
    std::fprintf(stderr, "ground truth in %.1f s\n", Seconds(t0));
  }
  const double contrast = RelativeContrast(corpus, queries, gt, dim, k);
  auto recall_of = [&](const std::vector<int64_t>& rows) {
    int64_t hits = 0;
    for (int64_t q = 0; q < nq; ++q) {
      for (int i = 0; i < k; ++i) {
        const int64_t r = rows[q * k + i];
        hits += std::find(gt.begin() + q * k, gt.begin() + (q + 1) * k, r) != gt.begin() + (q + 1) * k;
      }
    }
    return double(hits) / double(nq * k);
  };

  // FAISS reference: the same centroids, codebooks and codes, vectors in RAM.
  std::unique_ptr<faiss::IndexFlatL2> fq;
  std::unique_ptr<faiss::IndexIVFPQ> fivf;
  std::unique_ptr<faiss::IndexRefineFlat> frefine;
  if (with_faiss) {
    auto reader = quiver::MmapIndexReader::OpenMapped(index_dir, false);
    if (!reader.ok()) Die(reader.status().ToString());
    const auto& r = **reader;
    const int32_t nlist = r.params().nlist, m = r.params().pq_m;
    fq = std::make_unique<faiss::IndexFlatL2>(dim);
    fq->add(nlist, r.centroids());
    fivf = std::make_unique<faiss::IndexIVFPQ>(fq.get(), dim, nlist, m, 8);
    std::copy(r.pq_codebooks(), r.pq_codebooks() + size_t(m) * 256 * (dim / m), fivf->pq.centroids.begin());
    fivf->is_trained = true;
    for (int32_t g = 0; g < r.segments(); ++g) {
      for (int32_t l = 0; l < nlist; ++l) {
        auto list = r.list(g, l);
        if (!list.ok()) Die(list.status().ToString());
        std::vector<faiss::idx_t> ids(list->size);
        for (int64_t i = 0; i < list->size; ++i) ids[i] = global_row(list->keys[i]);
        fivf->invlists->add_entries(l, list->size, ids.data(), list->codes);
      }
    }
    fivf->ntotal = r.rows_indexed();
    fivf->precompute_table();
    frefine = std::make_unique<faiss::IndexRefineFlat>(fivf.get(), corpus.data());
  }

  qv_search_params* sp = nullptr;
  Check(qv_search_params_create(&sp), "search params");
  Check(qv_search_params_set_threads(sp, threads), "threads");
  if (io_gap >= 0) Check(qv_search_params_set_io_gap_bytes(sp, io_gap), "io gap");
  if (io_concurrency > 0) Check(qv_search_params_set_io_concurrency(sp, io_concurrency), "io concurrency");
  const bool can_drop = DropOsCache();
  auto open_cold = [&]() {
    if (can_drop) DropOsCache();
    qv_index* idx = nullptr;
    Check(qv_index_open(index_dir.c_str(), 0, &idx), "open");
    Check(qv_index_set_cache_budget(idx, cache_mib << 20), "cache budget");
    return idx;
  };
  auto bytes_read = [](qv_index* idx) {
    qv_io_stats s;
    Check(qv_index_get_io_stats(idx, &s), "io stats");
    return s.bytes_read;
  };

  std::vector<Row> rows;
  std::vector<uint64_t> keys(nq * k);
  std::vector<float> dists(nq * k);
  for (int32_t nprobes : nprobes_list) {
    for (int32_t refine : refine_list) {
      Row row;
      row.nprobes = nprobes;
      row.refine = refine;
      Check(qv_search_params_set_nprobes(sp, nprobes), "nprobes");
      Check(qv_search_params_set_refine_factor(sp, refine), "refine");

      // Cold batch: the first batch after open.
      qv_index* idx = open_cold();
      auto t0 = Clock::now();
      Check(qv_search_batch(idx, queries.data(), nq, dim, k, sp, nullptr, keys.data(), dists.data()),
            "batch");
      row.cold_qps = nq / Seconds(t0);
      row.cold_bytes_per_query = double(bytes_read(idx)) / nq;
      std::vector<int64_t> found(nq * k);
      for (int64_t i = 0; i < nq * k; ++i) found[i] = global_row(keys[i]);
      row.recall = recall_of(found);

      // Warm batch: the best of a few repeats.
      double best = 1e30;
      int64_t before = bytes_read(idx);
      for (int rep = 0; rep < warm_reps; ++rep) {
        t0 = Clock::now();
        Check(qv_search_batch(idx, queries.data(), nq, dim, k, sp, nullptr, keys.data(), dists.data()),
              "batch");
        best = std::min(best, Seconds(t0));
      }
      row.warm_qps = nq / best;
      row.warm_bytes_per_query = double(bytes_read(idx) - before) / (double(warm_reps) * nq);

      // Warm single queries, one by one.
      std::vector<double> lat;
      for (int64_t q = 0; q < std::min<int64_t>(warm_singles, nq); ++q) {
        t0 = Clock::now();
        Check(qv_search(idx, queries.data() + q * dim, dim, k, sp, nullptr, keys.data(), dists.data()),
              "search");
        lat.push_back(Seconds(t0) * 1e3);
      }
      row.warm_p50 = Percentile(lat, 0.5);
      row.warm_p99 = Percentile(lat, 0.99);
      qv_index_close(idx);

      // Cold single queries: each the first query after open.
      lat.clear();
      for (int32_t q = 0; q < std::min<int64_t>(cold_singles, nq); ++q) {
        idx = open_cold();
        t0 = Clock::now();
        Check(qv_search(idx, queries.data() + q * dim, dim, k, sp, nullptr, keys.data(), dists.data()),
              "search");
        lat.push_back(Seconds(t0) * 1e3);
        row.single_cold_bytes += double(bytes_read(idx)) / double(std::min<int64_t>(cold_singles, nq));
        qv_index_close(idx);
      }
      row.cold_p50 = Percentile(lat, 0.5);
      row.cold_p99 = Percentile(lat, 0.99);

      if (with_faiss) {
        omp_set_num_threads(threads);
        quiver::SingleThreadedBlas blas_guard;
        faiss::SearchParametersIVF ivf_params;
        ivf_params.nprobe = nprobes;
        faiss::IndexRefineSearchParameters params;
        params.k_factor = static_cast<float>(refine);
        params.base_index_params = &ivf_params;
        std::vector<float> fd(nq * k);
        std::vector<faiss::idx_t> fl(nq * k);
        double fbest = 1e30;
        for (int rep = 0; rep < 3; ++rep) {
          t0 = Clock::now();
          frefine->search(nq, queries.data(), k, fd.data(), fl.data(), &params);
          fbest = std::min(fbest, Seconds(t0));
        }
        row.faiss_qps = nq / fbest;
        row.faiss_recall = recall_of(std::vector<int64_t>(fl.begin(), fl.end()));
      }
      std::fprintf(stderr, "nprobes %d refine %d: recall %.3f, warm %.0f q/s\n", nprobes, refine, row.recall,
                   row.warm_qps);
      rows.push_back(row);
    }
  }
  qv_search_params_destroy(sp);

  std::printf("# quiver_bench_search\n\n");
  std::printf("corpus: %lld x %d, %d files (%s)\n", (long long)spec.rows, dim, spec.files,
              spec.Describe().c_str());
  std::printf("index: nlist %d, pq_m %d, %lld rows indexed, %lld index bytes\n", info.nlist, info.pq_m,
              (long long)info.rows_indexed, (long long)info.index_bytes);
  std::printf("queries: %lld held apart, k=%d, %d threads, page cache budget %lld MiB, kernels %s\n",
              (long long)nq, k, threads, (long long)cache_mib, std::getenv("QUIVER_KERNELS") ? std::getenv("QUIVER_KERNELS") : "auto");
  std::printf("relative contrast (mean distance / nearest-neighbour distance): %.2f\n", contrast);
  std::printf("cold = first batch or query after open%s\n\n",
              can_drop ? ", OS page cache dropped" : " (OS page cache NOT dropped: no permission)");
  std::printf("| nprobes | refine | recall@%d | cold batch q/s | warm batch q/s | single cold p50 / p99 ms "
              "| single warm p50 / p99 ms | bytes/query cold batch | bytes/query warm batch "
              "| bytes/query cold single | FAISS recall | FAISS q/s | warm / FAISS |\n",
              k);
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const Row& r : rows) {
    std::printf("| %d | %d | %.3f | %.0f | %.0f | %.2f / %.2f | %.3f / %.3f | %.0f | %.0f | %.0f | ", r.nprobes,
                r.refine, r.recall, r.cold_qps, r.warm_qps, r.cold_p50, r.cold_p99, r.warm_p50, r.warm_p99,
                r.cold_bytes_per_query, r.warm_bytes_per_query, r.single_cold_bytes);
    if (r.faiss_recall >= 0) {
      std::printf("%.3f | %.0f | %.2fx |\n", r.faiss_recall, r.faiss_qps, r.warm_qps / r.faiss_qps);
    } else {
      std::printf("- | - | - |\n");
    }
  }
  return 0;
}
