// Search with exact refinement over real Parquet files read back by the
// VectorReader: with every list probed and every row refined the results are
// brute force; batches, threads and deletes behave as without refinement.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "parquet/vector_reader.h"
#include "refine/exact_refine.h"
#include "search/index_searcher.h"
#include "search/row_filter.h"
#include "support/faiss_ivf_pq.h"
#include "support/temp_dir.h"
#include "support/vector_files.h"

namespace quiver {
namespace {

using testing::VectorFileOptions;
using testing::VectorLayoutKind;
using testing::VectorRow;

constexpr int32_t kDim = 24;
constexpr int32_t kNlist = 12;
constexpr int32_t kM = 6;
constexpr int32_t kQueries = 15;
const int64_t kFileRows[] = {900, 1100, 1000};
// A row that is null in its file but indexed anyway, as if the file had
// changed under the index without its fingerprint noticing.
const uint64_t kVanishedRow = QV_ROW_KEY(1, 17);

struct Corpus {
  std::vector<float> vectors;  // every row, file after file
  std::vector<uint64_t> keys;  // QV_NO_ROW where the file holds no vector
  std::vector<SourceFile> files;
  std::vector<float> queries;
};

// Three files in three layouts, compressed, with small pages and a page
// index in one of them, and a few null rows.
const Corpus& GetCorpus() {
  static const Corpus corpus = [] {
    Corpus c;
    // Per process (ctest runs tests in parallel), removed at exit.
    static testing::TempDir tmp("refine_corpus");
    const std::string dir = tmp.path();
    int64_t total = 0;
    for (int64_t n : kFileRows) total += n;
    c.vectors = testing::ClusteredData(total, kDim, 5);
    c.queries = testing::ClusteredData(kQueries, kDim, 6);
    const VectorLayoutKind kinds[] = {VectorLayoutKind::kSparkArray, VectorLayoutKind::kArrowFixedSizeList,
                                      VectorLayoutKind::kArrowList};
    int64_t at = 0;
    for (int f = 0; f < 3; ++f) {
      std::vector<VectorRow> rows;
      for (int64_t r = 0; r < kFileRows[f]; ++r, ++at) {
        const uint64_t key = QV_ROW_KEY(f, r);
        const bool null_row = (f == 0 && r % 97 == 3) || key == kVanishedRow;
        if (null_row) {
          rows.emplace_back();
        } else {
          std::vector<std::optional<float>> v(c.vectors.begin() + at * kDim,
                                              c.vectors.begin() + (at + 1) * kDim);
          rows.emplace_back(std::move(v));
        }
        c.keys.push_back(null_row && key != kVanishedRow ? QV_NO_ROW : key);
      }
      VectorFileOptions opt;
      opt.page_rows = 64;
      opt.row_group_rows = 500;
      opt.page_index = f != 2;
      opt.compression = parquet::Compression::SNAPPY;
      const std::string path = dir + "/part-" + std::to_string(f) + ".parquet";
      auto st = testing::WriteVectorFile(path, kinds[f], rows, kDim, opt);
      if (!st.ok()) throw std::runtime_error(st.ToString());
      auto file = testing::DescribeSourceFile(path);
      if (!file.ok()) throw std::runtime_error(file.status().ToString());
      c.files.push_back(*file);
    }
    return c;
  }();
  return corpus;
}

// Exact distances in double precision over every live row.
std::vector<std::pair<double, uint64_t>> BruteForce(const Corpus& c, const float* q, int32_t metric) {
  std::vector<std::pair<double, uint64_t>> all;
  double qn = 0;
  for (int d = 0; d < kDim; ++d) qn += double(q[d]) * q[d];
  for (size_t i = 0; i < c.keys.size(); ++i) {
    if (c.keys[i] == QV_NO_ROW || c.keys[i] == kVanishedRow) continue;
    const float* x = c.vectors.data() + i * kDim;
    double l2 = 0, dot = 0, xn = 0;
    for (int d = 0; d < kDim; ++d) {
      l2 += (double(q[d]) - x[d]) * (double(q[d]) - x[d]);
      dot += double(q[d]) * x[d];
      xn += double(x[d]) * x[d];
    }
    double dist = metric == QV_METRIC_L2 ? l2 : metric == QV_METRIC_INNER_PRODUCT ? -dot
                                                                                : 1 - dot / std::sqrt(qn * xn);
    all.emplace_back(dist, c.keys[i]);
  }
  std::sort(all.begin(), all.end());
  return all;
}

struct Results {
  std::vector<uint64_t> keys;
  std::vector<float> dists;
};

class RefineTest : public ::testing::TestWithParam<int32_t> {
 protected:
  void SetUp() override {
    const Corpus& c = GetCorpus();
    std::vector<float> data = c.vectors;
    // The vanished row's index entry sits exactly on the first query, so
    // the approximate stage ranks it first; refinement must drop it.
    const size_t vanished = kFileRows[0] + 17;
    std::copy(c.queries.begin(), c.queries.begin() + kDim, data.begin() + vanished * kDim);
    reader_ = std::make_unique<testing::FaissIvfPqReader>(data, c.keys, kDim, kNlist, kM, GetParam(),
                                                          c.files);
    vectors_ = VectorReader::Make(std::make_shared<SourceReader>(c.files), "v", kDim, 1 << 20, &pool_);
    searcher_ = std::make_unique<IndexSearcher>(*reader_, vectors_.get(), &pool_);
  }

  Results Search(const std::vector<float>& q, int32_t k, const SearchOptions& o,
                 const RowFilter* filter = nullptr) {
    const int64_t n = static_cast<int64_t>(q.size() / kDim);
    Results r{std::vector<uint64_t>(n * k), std::vector<float>(n * k)};
    Status st = searcher_->Search(q.data(), n, kDim, k, o, filter, r.keys.data(), r.dists.data());
    EXPECT_TRUE(st.ok()) << st.ToString();
    return r;
  }

  ThreadPool pool_;
  std::unique_ptr<testing::FaissIvfPqReader> reader_;
  std::unique_ptr<VectorReader> vectors_;
  std::unique_ptr<IndexSearcher> searcher_;
};

SearchOptions Options(int32_t nprobes, int32_t refine) {
  SearchOptions o;
  o.nprobes = nprobes;
  o.refine_factor = refine;
  return o;
}

TEST_P(RefineTest, EveryListAndEveryRowRefinedEqualsBruteForce) {
  const Corpus& c = GetCorpus();
  const int32_t k = 10;
  // k * refine_factor covers every row.
  Results got = Search(c.queries, k, Options(kNlist, 400));
  for (int qi = 0; qi < kQueries; ++qi) {
    auto want = BruteForce(c, c.queries.data() + qi * kDim, GetParam());
    for (int i = 0; i < k; ++i) {
      EXPECT_EQ(got.keys[qi * k + i], want[i].second) << "query " << qi << " rank " << i;
      EXPECT_NEAR(got.dists[qi * k + i], want[i].first, 1e-5 * std::abs(want[i].first) + 1e-6)
          << "query " << qi << " rank " << i;
    }
  }
}

TEST_P(RefineTest, VanishedRowIsDropped) {
  const Corpus& c = GetCorpus();
  std::vector<float> q(c.queries.begin(), c.queries.begin() + kDim);
  SearchOptions pq_only = Options(kNlist, 0);
  Results approx = Search(q, 5, pq_only);
  ASSERT_EQ(approx.keys[0], kVanishedRow);  // the setup works as intended
  Results exact = Search(q, 5, Options(kNlist, 4));
  for (uint64_t key : exact.keys) {
    EXPECT_NE(key, kVanishedRow);
    EXPECT_NE(key, QV_NO_ROW);
  }
}

TEST_P(RefineTest, BatchEqualsOneByOne) {
  const Corpus& c = GetCorpus();
  const int32_t k = 5;
  SearchOptions o = Options(3, 4);
  o.threads = 2;
  Results batch = Search(c.queries, k, o);
  for (int qi = 0; qi < kQueries; ++qi) {
    std::vector<float> q(c.queries.begin() + qi * kDim, c.queries.begin() + (qi + 1) * kDim);
    Results one = Search(q, k, o);
    EXPECT_TRUE(std::equal(one.keys.begin(), one.keys.end(), batch.keys.begin() + qi * k));
    EXPECT_TRUE(std::equal(one.dists.begin(), one.dists.end(), batch.dists.begin() + qi * k));
  }
}

// A Spark task given one core calls with threads = 1: the scan, the page
// reads and the refinement then all stay on the caller's thread.
TEST_P(RefineTest, ThreadsAskedForAreAllThatRun) {
  const Corpus& c = GetCorpus();
  SearchOptions o = Options(3, 8);
  o.threads = 1;
  Results one = Search(c.queries, 5, o);
  EXPECT_EQ(pool_.threads_started(), 0);
  o.threads = 2;
  vectors_->SetCacheBudget(0);  // every batch reads and decodes again
  for (int round = 0; round < 5; ++round) {
    Results two = Search(c.queries, 5, o);
    EXPECT_EQ(two.keys, one.keys);
  }
  EXPECT_EQ(pool_.threads_started(), 1);  // one helper, kept from call to call
}

TEST_P(RefineTest, EightConcurrentThreadsEqualSerial) {
  const Corpus& c = GetCorpus();
  const SearchOptions o = Options(4, 3);
  Results serial = Search(c.queries, 10, o);
  std::vector<Results> got(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      // Half the threads search one by one, half in a batch.
      if (t % 2 == 0) {
        got[t] = Search(c.queries, 10, o);
        return;
      }
      for (int qi = 0; qi < kQueries; ++qi) {
        std::vector<float> q(c.queries.begin() + qi * kDim, c.queries.begin() + (qi + 1) * kDim);
        Results one = Search(q, 10, o);
        got[t].keys.insert(got[t].keys.end(), one.keys.begin(), one.keys.end());
        got[t].dists.insert(got[t].dists.end(), one.dists.begin(), one.dists.end());
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) {
    EXPECT_EQ(serial.keys, got[t].keys) << "thread " << t;
    EXPECT_EQ(serial.dists, got[t].dists) << "thread " << t;
  }
}

TEST_P(RefineTest, DeletedRowsNeverAppearAndKStillComeBack) {
  const Corpus& c = GetCorpus();
  const int32_t k = 10;
  Results before = Search(c.queries, k, Options(kNlist, 400));
  std::vector<uint64_t> deleted;
  for (int qi = 0; qi < kQueries; ++qi)
    for (int i = 0; i < k; i += 2) deleted.push_back(before.keys[qi * k + i]);
  RowFilter filter(deleted.data(), static_cast<int64_t>(deleted.size()));
  Results after = Search(c.queries, k, Options(kNlist, 400), &filter);
  for (int qi = 0; qi < kQueries; ++qi) {
    auto want = BruteForce(c, c.queries.data() + qi * kDim, GetParam());
    want.erase(std::remove_if(want.begin(), want.end(),
                              [&](const auto& e) { return filter.Contains(e.second); }),
               want.end());
    for (int i = 0; i < k; ++i) EXPECT_EQ(after.keys[qi * k + i], want[i].second);
  }
  // Everything deleted: empty slots only.
  RowFilter all(c.keys.data(), static_cast<int64_t>(c.keys.size()));
  Results none = Search(c.queries, k, Options(kNlist, 8), &all);
  for (size_t i = 0; i < none.keys.size(); ++i) {
    EXPECT_EQ(none.keys[i], QV_NO_ROW);
    EXPECT_EQ(none.dists[i], std::numeric_limits<float>::infinity());
  }
}

TEST_P(RefineTest, RefinementReadsFromTheFiles) {
  const Corpus& c = GetCorpus();
  Search(c.queries, 10, Options(4, 8));
  const IoStats s = vectors_->stats();
  EXPECT_GT(s.bytes_read, 0);
  EXPECT_GT(s.pages_decoded, 0);
}

INSTANTIATE_TEST_SUITE_P(Metrics, RefineTest,
                         ::testing::Values(QV_METRIC_L2, QV_METRIC_COSINE, QV_METRIC_INNER_PRODUCT),
                         [](const auto& info) { return testing::MetricName(info.param); });

}  // namespace
}  // namespace quiver
