// Searching and fetching through the C ABI over indexes built by qv_build
// from Parquet files: brute-force equality at full probe and refinement for
// every metric, batches, threads, deletes, I/O counters, fetched columns of
// several types in caller order, and every bad argument.
#include <arrow/api.h>
#include <arrow/c/bridge.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "quiver/quiver.h"
#include "support/faiss_ivf_pq.h"
#include "support/index_testing.h"
#include "support/parquet_writers.h"
#include "support/temp_dir.h"

namespace quiver {
namespace {

using namespace quiver::testing;

constexpr int32_t kNlist = 8;
constexpr int32_t kQueries = 12;

struct Built {
  std::unique_ptr<TempDir> dir;
  Corpus corpus;
  std::vector<float> queries;  // kQueries * dim
  qv_index* index = nullptr;
  ~Built() { qv_index_close(index); }
};

// One corpus and index per metric and process, reused by every test.
Built& GetBuilt(int32_t metric) {
  static std::map<int32_t, Built> built;
  Built& b = built[metric];
  if (b.index != nullptr) return b;
  b.dir = std::make_unique<TempDir>("search-api-" + MetricName(metric));
  CorpusSpec spec;
  spec.files = 3;
  spec.rows_per_file = 400;
  spec.dim = 16;
  spec.row_group_rows = 100;
  spec.null_every = 37;
  spec.wrong_length_every = 53;
  spec.non_finite_every = 71;
  spec.seed = 3;
  auto corpus = WriteCorpus(*b.dir / "data", spec);
  if (!corpus.ok()) throw std::runtime_error(corpus.status().ToString());
  b.corpus = std::move(*corpus);
  BuildOptions opt;
  opt.metric = metric;
  opt.nlist = kNlist;
  opt.pq_m = 4;
  std::string error;
  if (Build(b.corpus.paths, *b.dir / "index", opt, nullptr, nullptr, &error) != QV_OK) {
    throw std::runtime_error("build failed: " + error);
  }
  if (qv_index_open((*b.dir / "index").c_str(), 0, &b.index) != QV_OK) {
    throw std::runtime_error(std::string("open failed: ") + qv_last_error());
  }
  // Queries: usable rows moved a little, so they are near but not on a row.
  std::mt19937 rng(9);
  std::normal_distribution<float> noise(0.0f, 0.05f);
  for (size_t f = 0; f < b.corpus.paths.size() && b.queries.size() < size_t(kQueries) * spec.dim; ++f) {
    for (int64_t r = 5; r < spec.rows_per_file && b.queries.size() < size_t(kQueries) * spec.dim; r += 97) {
      if (b.corpus.status[f][r] != RowStatus::kOk) continue;
      for (int d = 0; d < spec.dim; ++d) b.queries.push_back(b.corpus.row(f, r)[d] + noise(rng));
    }
  }
  return b;
}

std::vector<std::pair<double, uint64_t>> BruteForce(const Corpus& c, const float* q, int32_t metric) {
  std::vector<std::pair<double, uint64_t>> all;
  double qn = 0;
  for (int d = 0; d < c.dim; ++d) qn += double(q[d]) * q[d];
  for (size_t f = 0; f < c.paths.size(); ++f) {
    for (size_t r = 0; r < c.status[f].size(); ++r) {
      if (c.status[f][r] != RowStatus::kOk) continue;
      const float* x = c.row(f, r);
      double l2 = 0, dot = 0, xn = 0;
      for (int d = 0; d < c.dim; ++d) {
        l2 += (double(q[d]) - x[d]) * (double(q[d]) - x[d]);
        dot += double(q[d]) * x[d];
        xn += double(x[d]) * x[d];
      }
      const double dist = metric == QV_METRIC_L2            ? l2
                          : metric == QV_METRIC_INNER_PRODUCT ? -dot
                                                              : 1 - dot / std::sqrt(qn * xn);
      all.emplace_back(dist, QV_ROW_KEY(f, r));
    }
  }
  std::sort(all.begin(), all.end());
  return all;
}

struct Params {
  qv_search_params* p = nullptr;
  Params(int32_t nprobes, int32_t refine, int32_t threads = 0) {
    EXPECT_EQ(qv_search_params_create(&p), QV_OK);
    EXPECT_EQ(qv_search_params_set_nprobes(p, nprobes), QV_OK);
    EXPECT_EQ(qv_search_params_set_refine_factor(p, refine), QV_OK);
    EXPECT_EQ(qv_search_params_set_threads(p, threads), QV_OK);
  }
  ~Params() { qv_search_params_destroy(p); }
};

struct Results {
  std::vector<uint64_t> keys;
  std::vector<float> dists;
};

Results SearchBatch(qv_index* index, const std::vector<float>& q, int32_t dim, int32_t k,
                    const qv_search_params* p, const qv_row_filter* filter = nullptr) {
  const int64_t n = static_cast<int64_t>(q.size() / dim);
  Results r{std::vector<uint64_t>(n * k), std::vector<float>(n * k)};
  EXPECT_EQ(qv_search_batch(index, q.data(), n, dim, k, p, filter, r.keys.data(), r.dists.data()), QV_OK)
      << qv_last_error();
  return r;
}

Results SearchOneByOne(qv_index* index, const std::vector<float>& q, int32_t dim, int32_t k,
                       const qv_search_params* p) {
  Results r{std::vector<uint64_t>(q.size() / dim * k), std::vector<float>(q.size() / dim * k)};
  for (size_t i = 0; i < q.size() / dim; ++i) {
    EXPECT_EQ(qv_search(index, q.data() + i * dim, dim, k, p, nullptr, r.keys.data() + i * k,
                        r.dists.data() + i * k),
              QV_OK)
        << qv_last_error();
  }
  return r;
}

class SearchApiTest : public ::testing::TestWithParam<int32_t> {
 protected:
  void SetUp() override { b_ = &GetBuilt(GetParam()); }
  int32_t dim() const { return b_->corpus.dim; }
  Built* b_ = nullptr;
};

TEST_P(SearchApiTest, FullProbeAndRefinementEqualBruteForce) {
  const int32_t k = 10;
  // k * 200 covers every row.
  Params p(kNlist, 200, 2);
  Results got = SearchBatch(b_->index, b_->queries, dim(), k, p.p);
  for (int qi = 0; qi < kQueries; ++qi) {
    auto want = BruteForce(b_->corpus, b_->queries.data() + qi * dim(), GetParam());
    for (int i = 0; i < k; ++i) {
      const double tol = 1e-5 * std::abs(want[i].first) + 1e-6;
      EXPECT_NEAR(got.dists[qi * k + i], want[i].first, tol) << "query " << qi << " rank " << i;
      const bool tie = (i > 0 && want[i].first - want[i - 1].first <= tol) ||
                       want[i + 1].first - want[i].first <= tol;
      if (!tie) EXPECT_EQ(got.keys[qi * k + i], want[i].second) << "query " << qi << " rank " << i;
    }
  }
}

TEST_P(SearchApiTest, DefaultsFindTheNearestRows) {
  // NULL params: nprobes 16 (capped at nlist), refine_factor 8.
  Results got = SearchBatch(b_->index, b_->queries, dim(), 5, nullptr);
  int hits = 0;
  for (int qi = 0; qi < kQueries; ++qi) {
    auto want = BruteForce(b_->corpus, b_->queries.data() + qi * dim(), GetParam());
    hits += got.keys[qi * 5] == want[0].second;
  }
  EXPECT_GE(hits, kQueries - 1);
}

TEST_P(SearchApiTest, BatchEqualsOneByOneForEveryParameterSet) {
  for (auto [nprobes, refine] : {std::pair{1, 0}, {3, 0}, {2, 4}, {kNlist, 2}}) {
    Params p(nprobes, refine, 2);
    Results batch = SearchBatch(b_->index, b_->queries, dim(), 7, p.p);
    Results one = SearchOneByOne(b_->index, b_->queries, dim(), 7, p.p);
    EXPECT_EQ(batch.keys, one.keys) << nprobes << "/" << refine;
    EXPECT_EQ(batch.dists, one.dists) << nprobes << "/" << refine;
  }
}

TEST_P(SearchApiTest, EightConcurrentThreadsEqualSerial) {
  Params p(3, 4);
  Results serial = SearchOneByOne(b_->index, b_->queries, dim(), 10, p.p);
  std::vector<Results> got(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      got[t] = t % 2 ? SearchOneByOne(b_->index, b_->queries, dim(), 10, p.p)
                     : SearchBatch(b_->index, b_->queries, dim(), 10, p.p);
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) {
    EXPECT_EQ(serial.keys, got[t].keys) << "thread " << t;
    EXPECT_EQ(serial.dists, got[t].dists) << "thread " << t;
  }
}

TEST_P(SearchApiTest, DeletedRowsNeverAppearAndKStillComeBack) {
  const int32_t k = 10;
  Params p(kNlist, 200);
  Results before = SearchBatch(b_->index, b_->queries, dim(), k, p.p);
  std::vector<uint64_t> deleted;
  for (int qi = 0; qi < kQueries; ++qi)
    for (int i = 0; i < 6; ++i) deleted.push_back(before.keys[qi * k + i]);
  deleted.push_back(deleted.front());  // duplicates are fine
  qv_row_filter* filter = nullptr;
  ASSERT_EQ(qv_row_filter_create(deleted.data(), static_cast<int64_t>(deleted.size()), &filter), QV_OK);
  for (int32_t refine : {0, 200}) {
    Params pr(kNlist, refine);
    Results after = SearchBatch(b_->index, b_->queries, dim(), k, pr.p, filter);
    for (size_t i = 0; i < after.keys.size(); ++i) {
      ASSERT_NE(after.keys[i], QV_NO_ROW);
      EXPECT_EQ(std::count(deleted.begin(), deleted.end(), after.keys[i]), 0);
    }
    if (refine > 0) {
      // The survivors are brute force's best live rows.
      for (int qi = 0; qi < kQueries; ++qi) {
        auto want = BruteForce(b_->corpus, b_->queries.data() + qi * dim(), GetParam());
        std::erase_if(want, [&](const auto& e) {
          return std::count(deleted.begin(), deleted.end(), e.second) > 0;
        });
        EXPECT_EQ(after.keys[qi * k], want[0].second);
      }
    }
  }
  qv_row_filter_destroy(filter);

  // Deleting every row leaves every slot empty.
  std::vector<uint64_t> all;
  for (size_t f = 0; f < b_->corpus.paths.size(); ++f)
    for (size_t r = 0; r < b_->corpus.status[f].size(); ++r) all.push_back(QV_ROW_KEY(f, r));
  ASSERT_EQ(qv_row_filter_create(all.data(), static_cast<int64_t>(all.size()), &filter), QV_OK);
  Results none = SearchBatch(b_->index, b_->queries, dim(), 4, p.p, filter);
  for (size_t i = 0; i < none.keys.size(); ++i) {
    EXPECT_EQ(none.keys[i], QV_NO_ROW);
    EXPECT_EQ(none.dists[i], std::numeric_limits<float>::infinity());
  }
  qv_row_filter_destroy(filter);
}

TEST_P(SearchApiTest, MoreThanTheRowsLeavesEmptySlots) {
  const int32_t k = static_cast<int32_t>(b_->corpus.usable) + 3;
  Params p(kNlist, 1);
  std::vector<float> q(b_->queries.begin(), b_->queries.begin() + dim());
  Results r = SearchBatch(b_->index, q, dim(), k, p.p);
  for (int i = 0; i < k; ++i) EXPECT_EQ(r.keys[i] == QV_NO_ROW, i >= b_->corpus.usable) << i;
}

TEST_P(SearchApiTest, IoCountersAndCacheBudget) {
  // A handle of its own, so the counters start at zero.
  qv_index* index = nullptr;
  ASSERT_EQ(qv_index_open((*b_->dir / "index").c_str(), 0, &index), QV_OK);
  qv_io_stats s{};
  ASSERT_EQ(qv_index_get_io_stats(index, &s), QV_OK);
  EXPECT_EQ(s.bytes_read, 0);
  ASSERT_EQ(qv_index_set_cache_budget(index, 64 << 20), QV_OK);
  Params p(2, 4);
  SearchBatch(index, b_->queries, dim(), 5, p.p);
  ASSERT_EQ(qv_index_get_io_stats(index, &s), QV_OK);
  EXPECT_GT(s.bytes_read, 0);
  EXPECT_GT(s.read_requests, 0);
  EXPECT_GT(s.pages_decoded, 0);
  // Warm: the same batch is served from the page cache.
  const qv_io_stats cold = s;
  SearchBatch(index, b_->queries, dim(), 5, p.p);
  ASSERT_EQ(qv_index_get_io_stats(index, &s), QV_OK);
  EXPECT_GT(s.page_cache_hits, cold.page_cache_hits);
  EXPECT_EQ(s.bytes_read, cold.bytes_read);
  EXPECT_EQ(qv_index_set_cache_budget(index, -1), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_index_set_cache_budget(index, 0), QV_OK);
  qv_index_close(index);
}

TEST_P(SearchApiTest, BadArgumentsAreClearErrors) {
  qv_index* index = b_->index;
  const int32_t d = dim();
  std::vector<float> q(b_->queries.begin(), b_->queries.begin() + d);
  uint64_t keys[4];
  float dists[4];
  auto expect_invalid = [&](qv_status st, const std::string& words) {
    EXPECT_EQ(st, QV_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(qv_last_error()).find(words), std::string::npos) << qv_last_error();
  };
  expect_invalid(qv_search(index, q.data(), d + 1, 4, nullptr, nullptr, keys, dists),
                 "query dimension 17 does not match the index dimension 16");
  expect_invalid(qv_search(index, q.data(), d, 0, nullptr, nullptr, keys, dists), "k must be >= 1");
  expect_invalid(qv_search(index, q.data(), d, -3, nullptr, nullptr, keys, dists), "k must be >= 1");
  expect_invalid(qv_search(nullptr, q.data(), d, 4, nullptr, nullptr, keys, dists), "index is NULL");
  expect_invalid(qv_search(index, nullptr, d, 4, nullptr, nullptr, keys, dists), "query is NULL");
  expect_invalid(qv_search(index, q.data(), d, 4, nullptr, nullptr, nullptr, dists), "out_keys is NULL");
  expect_invalid(qv_search(index, q.data(), d, 4, nullptr, nullptr, keys, nullptr),
                 "out_distances is NULL");
  std::vector<float> nan_q = q;
  nan_q[3] = std::nanf("");
  expect_invalid(qv_search(index, nan_q.data(), d, 4, nullptr, nullptr, keys, dists),
                 "query 0 holds a non-finite value");
  std::vector<float> two = b_->queries;
  two.resize(2 * d);
  two[d + 1] = -std::numeric_limits<float>::infinity();
  uint64_t keys2[8];
  float dists2[8];
  expect_invalid(qv_search_batch(index, two.data(), 2, d, 4, nullptr, nullptr, keys2, dists2),
                 "query 1 holds a non-finite value");
  expect_invalid(qv_search_batch(index, two.data(), -1, d, 4, nullptr, nullptr, keys2, dists2),
                 "number of queries must be >= 0");
  EXPECT_EQ(qv_search_batch(index, nullptr, 0, d, 4, nullptr, nullptr, nullptr, nullptr), QV_OK);

  qv_search_params* p = nullptr;
  ASSERT_EQ(qv_search_params_create(&p), QV_OK);
  expect_invalid(qv_search_params_set_nprobes(p, 0), "nprobes must be >= 1");
  expect_invalid(qv_search_params_set_refine_factor(p, -1), "refine_factor must be >= 0");
  expect_invalid(qv_search_params_set_threads(p, -2), "threads must be >= 0");
  expect_invalid(qv_search_params_set_io_gap_bytes(p, -1), "io_gap_bytes must be >= 0");
  expect_invalid(qv_search_params_set_io_concurrency(p, 0), "io_concurrency must be >= 1");
  expect_invalid(qv_search_params_set_nprobes(nullptr, 4), "search params is NULL");
  expect_invalid(qv_search_params_create(nullptr), "out is NULL");
  qv_search_params_destroy(p);
  qv_search_params_destroy(nullptr);

  qv_row_filter* f = nullptr;
  expect_invalid(qv_row_filter_create(nullptr, 3, &f), "keys is NULL");
  expect_invalid(qv_row_filter_create(keys, -1, &f), "number of keys must be >= 0");
  expect_invalid(qv_row_filter_create(keys, 0, nullptr), "out is NULL");
  ASSERT_EQ(qv_row_filter_create(nullptr, 0, &f), QV_OK);  // an empty filter
  EXPECT_EQ(qv_search(index, q.data(), d, 4, nullptr, f, keys, dists), QV_OK);
  qv_row_filter_destroy(f);
  qv_row_filter_destroy(nullptr);

  qv_io_stats s;
  expect_invalid(qv_index_get_io_stats(nullptr, &s), "index is NULL");
  expect_invalid(qv_index_get_io_stats(index, nullptr), "out is NULL");
  expect_invalid(qv_index_set_cache_budget(nullptr, 1), "index is NULL");
}

INSTANTIATE_TEST_SUITE_P(Metrics, SearchApiTest,
                         ::testing::Values(QV_METRIC_L2, QV_METRIC_COSINE, QV_METRIC_INNER_PRODUCT),
                         [](const auto& info) { return MetricName(info.param); });

TEST(SearchApi, ZeroQueryUnderCosineIsAnError) {
  Built& b = GetBuilt(QV_METRIC_COSINE);
  std::vector<float> zero(b.corpus.dim, 0.0f);
  uint64_t keys[3];
  float dists[3];
  EXPECT_EQ(qv_search(b.index, zero.data(), b.corpus.dim, 3, nullptr, nullptr, keys, dists),
            QV_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(qv_last_error()).find("zero vector"), std::string::npos) << qv_last_error();
}

// Fetch through the C stream interface: payload columns of several types for
// keys in any order with duplicates, across files; the stream outlives the
// index handle it came from.
TEST(SearchApi, FetchReturnsColumnsInCallerOrder) {
  Built& b = GetBuilt(QV_METRIC_L2);
  const int64_t per_file = static_cast<int64_t>(b.corpus.status[0].size());
  std::vector<uint64_t> keys = {QV_ROW_KEY(2, 399), QV_ROW_KEY(0, 0),  QV_ROW_KEY(1, 5),
                                QV_ROW_KEY(0, 0),   QV_ROW_KEY(2, 17), QV_ROW_KEY(1, 200),
                                QV_ROW_KEY(0, 36),  QV_ROW_KEY(1, 5)};
  // Then the rows a search found, as a caller would fetch them.
  std::vector<uint64_t> found(5);
  std::vector<float> dists(5);
  ASSERT_EQ(qv_search(b.index, b.queries.data(), b.corpus.dim, 5, nullptr, nullptr, found.data(), dists.data()),
            QV_OK);
  keys.insert(keys.end(), found.begin(), found.end());

  qv_index* index = nullptr;
  ASSERT_EQ(qv_index_open((*b.dir / "index").c_str(), 0, &index), QV_OK);
  const char* columns[] = {"name", "id", "tags", "info", "score", "embedding"};
  ArrowArrayStream stream;
  ASSERT_EQ(qv_fetch(index, keys.data(), static_cast<int64_t>(keys.size()), columns, 6, nullptr, &stream), QV_OK)
      << qv_last_error();
  qv_index_close(index);

  auto reader = arrow::ImportRecordBatchReader(&stream);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto table = (*reader)->ToTable();
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto t = (*table)->CombineChunks();
  ASSERT_TRUE(t.ok());
  ASSERT_EQ((*t)->num_rows(), static_cast<int64_t>(keys.size()));
  ASSERT_EQ((*t)->num_columns(), 6);
  EXPECT_EQ((*t)->schema()->field(0)->name(), "name");
  EXPECT_EQ((*t)->schema()->field(5)->name(), "embedding");
  auto name = std::static_pointer_cast<arrow::StringArray>((*t)->column(0)->chunk(0));
  auto id = std::static_pointer_cast<arrow::Int64Array>((*t)->column(1)->chunk(0));
  auto tags = std::static_pointer_cast<arrow::ListArray>((*t)->column(2)->chunk(0));
  auto info = std::static_pointer_cast<arrow::StructArray>((*t)->column(3)->chunk(0));
  auto score = std::static_pointer_cast<arrow::DoubleArray>((*t)->column(4)->chunk(0));
  auto embedding = std::static_pointer_cast<arrow::ListArray>((*t)->column(5)->chunk(0));
  auto info_a = std::static_pointer_cast<arrow::Int32Array>(info->GetFieldByName("a"));
  for (size_t i = 0; i < keys.size(); ++i) {
    const int64_t f = QV_ROW_KEY_FILE(keys[i]), r = QV_ROW_KEY_ROW(keys[i]);
    const int64_t g = f * per_file + r;
    EXPECT_EQ(id->Value(i), g) << i;
    EXPECT_EQ(name->GetString(i), "row-" + std::to_string(g)) << i;
    EXPECT_EQ(tags->value_length(i), g % 3) << i;
    EXPECT_EQ(info_a->Value(i), g * 3) << i;
    EXPECT_EQ(score->IsNull(i), g % 7 == 3) << i;
    if (b.corpus.status[f][r] == RowStatus::kOk) {
      ASSERT_EQ(embedding->value_length(i), b.corpus.dim) << i;
      auto values = std::static_pointer_cast<arrow::FloatArray>(embedding->values());
      for (int d = 0; d < b.corpus.dim; ++d) {
        EXPECT_EQ(values->Value(embedding->value_offset(i) + d), b.corpus.row(f, r)[d]);
      }
    }
  }
}

TEST(SearchApi, FetchBadArgumentsAreClearErrors) {
  Built& b = GetBuilt(QV_METRIC_L2);
  const char* columns[] = {"name"};
  const char* unknown[] = {"name", "no_such_column"};
  const char* null_name[] = {nullptr};
  uint64_t good[] = {QV_ROW_KEY(0, 1)};
  ArrowArrayStream stream;
  stream.release = nullptr;
  EXPECT_EQ(qv_fetch(b.index, good, 1, unknown, 2, nullptr, &stream), QV_ERR_NOT_FOUND);
  EXPECT_NE(std::string(qv_last_error()).find("no_such_column"), std::string::npos) << qv_last_error();
  uint64_t past_rows[] = {QV_ROW_KEY(0, 400)};
  EXPECT_EQ(qv_fetch(b.index, past_rows, 1, columns, 1, nullptr, &stream), QV_ERR_INVALID_ARGUMENT);
  uint64_t past_files[] = {QV_ROW_KEY(3, 0)};
  EXPECT_EQ(qv_fetch(b.index, past_files, 1, columns, 1, nullptr, &stream), QV_ERR_INVALID_ARGUMENT);
  uint64_t no_row[] = {QV_ROW_KEY(0, 1), QV_NO_ROW};
  EXPECT_EQ(qv_fetch(b.index, no_row, 2, columns, 1, nullptr, &stream), QV_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(qv_last_error()).find("QV_NO_ROW"), std::string::npos) << qv_last_error();
  EXPECT_EQ(qv_fetch(nullptr, good, 1, columns, 1, nullptr, &stream), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_fetch(b.index, nullptr, 1, columns, 1, nullptr, &stream), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_fetch(b.index, good, -1, columns, 1, nullptr, &stream), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_fetch(b.index, good, 1, nullptr, 1, nullptr, &stream), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_fetch(b.index, good, 1, columns, 0, nullptr, &stream), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_fetch(b.index, good, 1, null_name, 1, nullptr, &stream), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_fetch(b.index, good, 1, columns, 1, nullptr, nullptr), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(stream.release, nullptr);  // nothing was exported by a failing call

  // No keys: a valid stream with the columns and no rows.
  ASSERT_EQ(qv_fetch(b.index, nullptr, 0, columns, 1, nullptr, &stream), QV_OK) << qv_last_error();
  auto reader = arrow::ImportRecordBatchReader(&stream);
  ASSERT_TRUE(reader.ok());
  auto table = (*reader)->ToTable();
  ASSERT_TRUE(table.ok());
  EXPECT_EQ((*table)->num_rows(), 0);
  EXPECT_EQ((*table)->schema()->field(0)->name(), "name");
}

}  // namespace
}  // namespace quiver
