// Build benchmark: generates clustered data written the way Spark writes it
// (array<float>, snappy, 8 files) unless already present, then builds an
// index over it and reports wall time per phase, peak RSS and index size.
//
//   quiver_bench_build --rows 1000000 --dim 128 [--files 8] [--data DIR]
//                      [--index DIR] [--threads N] [--nlist N] [--pq-m M]
//                      [--train-sample N] [--data-only]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "index/mmap_index_reader.h"
#include "quiver/quiver.h"
#include "support/datagen.h"

namespace {

using Clock = std::chrono::steady_clock;

double CpuSeconds() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Wall and CPU time at the first report of each phase. The machine may be
// shared: CPU time shows the work done, wall time what a user waits.
struct Phases {
  Clock::time_point start;
  double cpu_start = 0;
  double first_cpu[5] = {-1, -1, -1, -1, -1};
  double first_seen[5] = {-1, -1, -1, -1, -1};
  double last_seen[5] = {-1, -1, -1, -1, -1};
  int32_t last_phase = -1;
};

int32_t OnProgress(void* user, int32_t phase, int64_t done, int64_t total) {
  auto* p = static_cast<Phases*>(user);
  const double t = std::chrono::duration<double>(Clock::now() - p->start).count();
  if (phase >= 0 && phase < 5) {
    if (p->first_seen[phase] < 0) {
      p->first_seen[phase] = t;
      p->first_cpu[phase] = CpuSeconds() - p->cpu_start;
    }
    p->last_seen[phase] = t;
  }
  if (phase != p->last_phase) {
    std::fprintf(stderr, "  [%7.2f s] phase %d\n", t, phase);
    p->last_phase = phase;
  }
  return 0;
}

// Share of sampled rows that sit in the list of their exact nearest centroid
// (every row, when nlist is small enough for exact assignment).
double ExactPlacement(const std::string& index_dir, const quiver::bench::DatagenSpec& spec, int64_t samples) {
  auto r = quiver::MmapIndexReader::OpenMapped(index_dir, false);
  if (!r.ok()) return -1;
  const auto& idx = **r;
  const int dim = idx.params().dim, nlist = idx.params().nlist;
  const int64_t step = std::max<int64_t>(1, idx.rows_indexed() / samples);
  quiver::bench::VectorDistribution dist(spec);
  std::vector<float> x(dim);
  int64_t checked = 0, exact = 0, seen = 0;
  // Every segment's list l, as one list.
  for (int32_t gl = 0; gl < nlist * idx.segments(); ++gl) {
    const int32_t l = gl % nlist;
    auto list = idx.list(gl / nlist, l);
    if (!list.ok()) return -1;
    for (int64_t i = 0; i < list->size; ++i, ++seen) {
      if (seen % step != 0) continue;
      const uint64_t key = list->keys[i];
      const int64_t file = QV_ROW_KEY_FILE(key);
      dist.Rows(spec.rows * file / spec.files + QV_ROW_KEY_ROW(key), 1, x.data());
      float best = 0;
      int32_t best_list = -1;
      for (int32_t c = 0; c < nlist; ++c) {
        float s = 0;
        for (int j = 0; j < dim; ++j) {
          const float t = x[j] - idx.centroids()[static_cast<int64_t>(c) * dim + j];
          s += t * t;
        }
        if (best_list < 0 || s < best) {
          best = s;
          best_list = c;
        }
      }
      exact += best_list == l;
      ++checked;
    }
  }
  return checked ? static_cast<double>(exact) / checked : -1;
}

long PeakRssKiB(int who) {
  struct rusage ru;
  getrusage(who, &ru);
  return ru.ru_maxrss;
}

[[noreturn]] void Usage(const char* msg) {
  std::fprintf(stderr,
               "%s\nusage: quiver_bench_build --rows N --dim D [--files F] [--data DIR] [--index DIR]\n"
               "                          [--threads N] [--nlist N] [--pq-m M] [--train-sample N]\n"
               "                          [--data-only]\n",
               msg);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  quiver::bench::DatagenSpec spec;
  std::string data_dir, index_dir;
  int32_t threads = 0, nlist = 0, pq_m = 0;
  int64_t train_sample = 0;
  bool data_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--rows") spec.rows = std::stoll(next());
    else if (a == "--dim") spec.dim = std::stoi(next());
    else if (a == "--files") spec.files = std::stoi(next());
    else if (a == "--data") data_dir = next();
    else if (a == "--index") index_dir = next();
    else if (a == "--threads") threads = std::stoi(next());
    else if (a == "--nlist") nlist = std::stoi(next());
    else if (a == "--pq-m") pq_m = std::stoi(next());
    else if (a == "--train-sample") train_sample = std::stoll(next());
    else if (a == "--data-only") data_only = true;
    else Usage(("unknown option " + a).c_str());
  }
  if (spec.rows <= 0 || spec.dim <= 0 || spec.files <= 0) Usage("rows, dim and files must be positive");
  if (data_dir.empty()) {
    data_dir = "bench-data/build-" + std::to_string(spec.rows) + "x" + std::to_string(spec.dim);
  }
  if (index_dir.empty()) index_dir = data_dir + ".index";

  // Generate in a child process so that its memory does not count in the
  // build's peak RSS.
  std::fprintf(stderr, "data: %s (%s)\n", data_dir.c_str(), spec.Describe().c_str());
  const auto gen_start = Clock::now();
  pid_t child = fork();
  if (child == 0) {
    auto paths = quiver::bench::WriteDataset(data_dir, spec, true);
    if (!paths.ok()) {
      std::fprintf(stderr, "data generation failed: %s\n", paths.status().ToString().c_str());
      _exit(1);
    }
    _exit(0);
  }
  int wstatus = 0;
  if (child < 0 || waitpid(child, &wstatus, 0) < 0 || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    std::fprintf(stderr, "data generation failed\n");
    return 1;
  }
  std::fprintf(stderr, "data ready in %.1f s\n",
               std::chrono::duration<double>(Clock::now() - gen_start).count());
  if (data_only) return 0;

  qv_build_params* p = nullptr;
  qv_build_params_create(&p);
  if (qv_build_params_set_vector_column(p, spec.column.c_str()) != QV_OK ||
      qv_build_params_set_threads(p, threads) != QV_OK || qv_build_params_set_nlist(p, nlist) != QV_OK ||
      qv_build_params_set_pq_m(p, pq_m) != QV_OK || qv_build_params_set_train_sample(p, train_sample) != QV_OK) {
    std::fprintf(stderr, "bad parameter: %s\n", qv_last_error());
    return 2;
  }
  const char* paths[] = {data_dir.c_str()};
  Phases phases;
  phases.start = Clock::now();
  phases.cpu_start = CpuSeconds();
  const qv_status st = qv_build(paths, 1, p, index_dir.c_str(), OnProgress, &phases);
  const double total = std::chrono::duration<double>(Clock::now() - phases.start).count();
  const double total_cpu = CpuSeconds() - phases.cpu_start;
  qv_build_params_destroy(p);
  if (st != QV_OK) {
    std::fprintf(stderr, "build failed: %s: %s\n", qv_status_name(st), qv_last_error());
    return 1;
  }

  qv_index* idx = nullptr;
  qv_index_info info{};
  const auto open_start = Clock::now();
  if (qv_index_open(index_dir.c_str(), 0, &idx) != QV_OK || qv_index_get_info(idx, &info) != QV_OK) {
    std::fprintf(stderr, "open failed: %s\n", qv_last_error());
    return 1;
  }
  const double open_ms = std::chrono::duration<double, std::milli>(Clock::now() - open_start).count();
  qv_index_close(idx);

  static const char* names[] = {"scan", "sample", "train", "encode", "write"};
  std::printf("quiver_bench_build: %lld rows x %d dims, %d files, %s\n", static_cast<long long>(spec.rows),
              spec.dim, spec.files, data_dir.c_str());
  std::printf("params: nlist=%d pq_m=%d pq_bits=%d train_sample=%lld threads=%s\n", info.nlist, info.pq_m,
              info.pq_bits, static_cast<long long>(info.train_sample),
              threads == 0 ? "all" : std::to_string(threads).c_str());
  std::printf("%-8s %10s %10s\n", "phase", "wall s", "cpu s");
  for (int ph = 0; ph < 5; ++ph) {
    double begin = phases.first_seen[ph], end = total;
    double cpu_begin = phases.first_cpu[ph], cpu_end = total_cpu;
    for (int nx = ph + 1; nx < 5; ++nx) {
      if (phases.first_seen[nx] >= 0) {
        end = phases.first_seen[nx];
        cpu_end = phases.first_cpu[nx];
        break;
      }
    }
    std::printf("%-8s %10.2f %10.2f\n", names[ph], begin < 0 ? 0.0 : end - begin,
                begin < 0 ? 0.0 : cpu_end - cpu_begin);
  }
  std::printf("%-8s %10.2f %10.2f\n", "total", total, total_cpu);
  std::printf("rows indexed: %lld (skipped %lld)\n", static_cast<long long>(info.rows_indexed),
              static_cast<long long>(info.rows_total - info.rows_indexed));
  std::printf("peak RSS: %.1f MiB\n", PeakRssKiB(RUSAGE_SELF) / 1024.0);
  std::printf("index size: %.1f MiB (%lld bytes)\n", info.index_bytes / 1048576.0,
              static_cast<long long>(info.index_bytes));
  std::printf("open: %.2f ms\n", open_ms);
  std::printf("rows in their exact nearest list: %.2f%% of a sample of 5000\n",
              100.0 * ExactPlacement(index_dir, spec, 5000));
  return 0;
}
