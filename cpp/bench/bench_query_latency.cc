// Latency of single-query searches through the C ABI, one call at a time: the
// baseline the Java binding's per-call overhead is measured against (see
// io.quiver.bench.SearchOverheadBench, which runs this program on the same
// index and queries).
//
//   quiver_bench_query_latency INDEX_DIR QUERIES.f32 K NPROBES REFINE ITERATIONS
//
// QUERIES.f32 holds n * dim native-endian floats; the queries are searched
// round-robin, ITERATIONS calls in all after a warm-up of the same length.
// Prints one line: calls, mean and median nanoseconds per call.
#include <quiver/quiver.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

namespace {

int Fail(const char* what) {
  std::fprintf(stderr, "bench_query_latency: %s: %s\n", what, qv_last_error());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s INDEX_DIR QUERIES.f32 K NPROBES REFINE ITERATIONS\n", argv[0]);
    return 2;
  }
  const int32_t k = std::atoi(argv[3]);
  const int32_t nprobes = std::atoi(argv[4]);
  const int32_t refine = std::atoi(argv[5]);
  const int64_t iterations = std::atoll(argv[6]);

  qv_index* index = nullptr;
  if (qv_index_open(argv[1], 0, &index) != QV_OK) return Fail("open");
  qv_index_info info;
  if (qv_index_get_info(index, &info) != QV_OK) return Fail("info");
  const int32_t dim = info.dim;

  std::ifstream in(argv[2], std::ios::binary | std::ios::ate);
  if (!in) {
    std::fprintf(stderr, "bench_query_latency: cannot read %s\n", argv[2]);
    return 1;
  }
  std::vector<float> queries(static_cast<size_t>(in.tellg()) / sizeof(float));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(queries.data()), static_cast<std::streamsize>(queries.size() * sizeof(float)));
  const size_t n = queries.size() / static_cast<size_t>(dim);
  if (n == 0) {
    std::fprintf(stderr, "bench_query_latency: no %d-float queries in %s\n", dim, argv[2]);
    return 1;
  }

  qv_search_params* params = nullptr;
  if (qv_search_params_create(&params) != QV_OK || qv_search_params_set_nprobes(params, nprobes) != QV_OK ||
      qv_search_params_set_refine_factor(params, refine) != QV_OK ||
      qv_search_params_set_threads(params, 1) != QV_OK) {
    return Fail("params");
  }
  std::vector<uint64_t> keys(k);
  std::vector<float> distances(k);
  std::vector<int64_t> nanos(static_cast<size_t>(iterations));
  for (int pass = 0; pass < 2; ++pass) {  // the first pass warms caches and page cache
    for (int64_t i = 0; i < iterations; ++i) {
      const float* q = queries.data() + (static_cast<size_t>(i) % n) * dim;
      auto t0 = std::chrono::steady_clock::now();
      if (qv_search(index, q, dim, k, params, nullptr, keys.data(), distances.data()) != QV_OK) {
        return Fail("search");
      }
      auto t1 = std::chrono::steady_clock::now();
      nanos[static_cast<size_t>(i)] = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
    }
  }
  double sum = 0;
  for (int64_t v : nanos) sum += static_cast<double>(v);
  std::nth_element(nanos.begin(), nanos.begin() + iterations / 2, nanos.end());
  std::printf("calls=%lld mean_ns=%.0f p50_ns=%lld\n", static_cast<long long>(iterations),
              sum / static_cast<double>(iterations), static_cast<long long>(nanos[iterations / 2]));
  qv_search_params_destroy(params);
  qv_index_close(index);
  return 0;
}
