// The approximate stage of search against an IVF-PQ index trained by FAISS in
// memory: ADC distances follow their definition exactly, the row filter acts
// before top-k, batches and threads change nothing, bad requests are refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <thread>
#include <vector>

#include "index/index_reader.h"
#include "search/index_searcher.h"
#include "kernels/kernels.h"
#include "search/row_filter.h"
#include "support/faiss_ivf_pq.h"

namespace quiver {
namespace {

constexpr int kDim = 32;
constexpr int kRows = 3000;
constexpr int kNlist = 16;
constexpr int kM = 8;
constexpr int kRowsPerFile = 1000;

using testing::ClusteredData;
using FaissIndexReader = testing::FaissIvfPqReader;

uint64_t KeyOf(int64_t row) { return QV_ROW_KEY(row / kRowsPerFile, row % kRowsPerFile); }

void Normalize(std::vector<float>& x, int dim) { testing::NormalizeRows(x, dim); }

std::unique_ptr<FaissIndexReader> MakeReader(int32_t metric) {
  std::vector<uint64_t> keys(kRows);
  for (int64_t r = 0; r < kRows; ++r) keys[r] = KeyOf(r);
  return std::make_unique<FaissIndexReader>(ClusteredData(kRows, kDim, 11), keys, kDim, kNlist, kM,
                                            metric);
}

SearchOptions PqOnly(int32_t nprobes) {
  SearchOptions o;
  o.nprobes = nprobes;
  o.refine_factor = 0;
  return o;
}

struct Results {
  std::vector<uint64_t> keys;
  std::vector<float> dists;
};

Results RunSearch(const IndexSearcher& s, const std::vector<float>& q, int32_t k, const SearchOptions& o,
            const RowFilter* filter = nullptr) {
  int64_t n = static_cast<int64_t>(q.size() / kDim);
  Results r{std::vector<uint64_t>(n * k), std::vector<float>(n * k)};
  Status st = s.Search(q.data(), n, kDim, k, o, filter, r.keys.data(), r.dists.data());
  EXPECT_TRUE(st.ok()) << st.ToString();
  return r;
}

class SearchPq : public ::testing::TestWithParam<int32_t> {
 protected:
  void SetUp() override {
    // Trained once per metric for the whole suite.
    static std::unique_ptr<FaissIndexReader> readers[3];
    queries_ = ClusteredData(20, kDim, 12);
    auto& reader = readers[GetParam()];
    if (!reader) reader = MakeReader(GetParam());
    reader_ = reader.get();
    searcher_ = std::make_unique<IndexSearcher>(*reader_, nullptr);
  }
  std::vector<float> queries_;
  FaissIndexReader* reader_ = nullptr;
  std::unique_ptr<IndexSearcher> searcher_;
};

// With every list probed, the PQ stage returns the rows whose reconstruction
// is nearest under the metric, with the ADC distance of that reconstruction.
TEST_P(SearchPq, AllListsEqualBruteForceOverReconstructions) {
  const int32_t metric = GetParam();
  const int k = 10;
  auto recon = reader_->Reconstructions();
  Results got = RunSearch(*searcher_, queries_, k, PqOnly(kNlist));
  for (int qi = 0; qi < 20; ++qi) {
    std::vector<float> q(queries_.begin() + qi * kDim, queries_.begin() + (qi + 1) * kDim);
    if (metric == QV_METRIC_COSINE) Normalize(q, kDim);
    std::vector<std::pair<double, uint64_t>> all;
    for (auto& [key, r] : recon) {
      double l2 = 0, dot = 0;
      for (int d = 0; d < kDim; ++d) {
        l2 += (double(q[d]) - r[d]) * (double(q[d]) - r[d]);
        dot += double(q[d]) * r[d];
      }
      all.emplace_back(metric == QV_METRIC_L2 ? l2 : metric == QV_METRIC_COSINE ? 1 - dot : -dot, key);
    }
    std::sort(all.begin(), all.end());
    for (int i = 0; i < k; ++i) {
      const double want = all[i].first;
      const double tol = 1e-4 * std::max(1.0, std::abs(want));
      EXPECT_NEAR(got.dists[qi * k + i], want, tol) << "query " << qi << " rank " << i;
      // Keys must agree unless the brute-force neighbours tie within rounding.
      bool tie = (i > 0 && all[i].first - all[i - 1].first < tol) ||
                 (all[i + 1].first - all[i].first < tol);
      if (!tie) EXPECT_EQ(got.keys[qi * k + i], all[i].second) << "query " << qi << " rank " << i;
    }
  }
}

// FAISS's own IVFPQ search over the same index finds the same rows.
TEST_P(SearchPq, AgreesWithFaissSearch) {
  const int32_t metric = GetParam();
  const int k = 10, nprobe = 4;
  std::vector<float> q = queries_;
  if (metric == QV_METRIC_COSINE) Normalize(q, kDim);
  std::vector<float> fd(20 * k);
  std::vector<faiss::idx_t> fi(20 * k);
  faiss::SearchParametersIVF sp;
  sp.nprobe = nprobe;
  reader_->faiss_index().search(20, q.data(), k, fd.data(), fi.data(), &sp);
  Results got = RunSearch(*searcher_, queries_, k, PqOnly(nprobe));
  int same = 0;
  for (int qi = 0; qi < 20; ++qi) {
    for (int i = 0; i < k; ++i) {
      for (int j = 0; j < k; ++j) same += got.keys[qi * k + i] == KeyOf(fi[qi * k + j]);
      // FAISS reports L2 as squared distance and IP as the similarity.
      float want = metric == QV_METRIC_L2 ? fd[qi * k + i]
                   : metric == QV_METRIC_COSINE ? 1 - fd[qi * k + i] : -fd[qi * k + i];
      EXPECT_NEAR(got.dists[qi * k + i], want, 1e-3 * std::max(1.0f, std::abs(want)));
    }
  }
  EXPECT_GE(same, 20 * k * 95 / 100);
}

TEST_P(SearchPq, EveryKernelTableGivesTheSameResults) {
  const Kernels* all[8];
  int n = AvailableKernels(all, 8);
  Results want = RunSearch(IndexSearcher(*reader_, nullptr, nullptr, ScalarKernels()), queries_, 10, PqOnly(4));
  for (int i = 0; i < n; ++i) {
    Results got = RunSearch(IndexSearcher(*reader_, nullptr, nullptr, *all[i]), queries_, 10, PqOnly(4));
    EXPECT_EQ(want.keys, got.keys) << all[i]->name;
    EXPECT_EQ(want.dists, got.dists) << all[i]->name;
  }
}

TEST_P(SearchPq, BatchEqualsOneByOne) {
  const int k = 7;
  SearchOptions o = PqOnly(3);
  o.threads = 2;
  Results batch = RunSearch(*searcher_, queries_, k, o);
  for (int qi = 0; qi < 20; ++qi) {
    std::vector<float> q(queries_.begin() + qi * kDim, queries_.begin() + (qi + 1) * kDim);
    Results one = RunSearch(*searcher_, q, k, o);
    EXPECT_TRUE(std::equal(one.keys.begin(), one.keys.end(), batch.keys.begin() + qi * k));
    EXPECT_TRUE(std::equal(one.dists.begin(), one.dists.end(), batch.dists.begin() + qi * k));
  }
}

TEST_P(SearchPq, ConcurrentSearchesEqualSerial) {
  const int k = 10;
  Results serial = RunSearch(*searcher_, queries_, k, PqOnly(5));
  std::vector<Results> got(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 5; ++rep) got[t] = RunSearch(*searcher_, queries_, k, PqOnly(5));
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) {
    EXPECT_EQ(serial.keys, got[t].keys);
    EXPECT_EQ(serial.dists, got[t].dists);
  }
}

TEST_P(SearchPq, FilteredRowsNeverAppearAndKStillComeBack) {
  const int k = 10;
  Results before = RunSearch(*searcher_, queries_, k, PqOnly(kNlist));
  // Delete the first five hits of every query.
  std::vector<uint64_t> deleted;
  for (int qi = 0; qi < 20; ++qi)
    for (int i = 0; i < 5; ++i) deleted.push_back(before.keys[qi * k + i]);
  RowFilter filter(deleted.data(), static_cast<int64_t>(deleted.size()));
  Results after = RunSearch(*searcher_, queries_, k, PqOnly(kNlist), &filter);
  for (int qi = 0; qi < 20; ++qi) {
    for (int i = 0; i < k; ++i) {
      EXPECT_NE(after.keys[qi * k + i], QV_NO_ROW);
      EXPECT_FALSE(filter.Contains(after.keys[qi * k + i]));
    }
    // The surviving hits move up.
    for (int i = 5; i < k; ++i) {
      EXPECT_EQ(std::count(after.keys.begin() + qi * k, after.keys.begin() + (qi + 1) * k,
                           before.keys[qi * k + i]),
                filter.Contains(before.keys[qi * k + i]) ? 0 : 1);
    }
  }
}

TEST_P(SearchPq, DeletingEverythingGivesEmptySlots) {
  std::vector<uint64_t> all;
  for (int64_t r = 0; r < kRows; ++r) all.push_back(KeyOf(r));
  RowFilter filter(all.data(), kRows);
  Results r = RunSearch(*searcher_, queries_, 5, PqOnly(kNlist), &filter);
  for (size_t i = 0; i < r.keys.size(); ++i) {
    EXPECT_EQ(r.keys[i], QV_NO_ROW);
    EXPECT_EQ(r.dists[i], std::numeric_limits<float>::infinity());
  }
}

TEST_P(SearchPq, MoreThanAllRowsFillsTheRestWithEmptySlots) {
  std::vector<float> q(queries_.begin(), queries_.begin() + kDim);
  Results r = RunSearch(*searcher_, q, kRows + 5, PqOnly(kNlist));
  for (int i = 0; i < kRows; ++i) ASSERT_NE(r.keys[i], QV_NO_ROW);
  for (int i = kRows; i < kRows + 5; ++i) {
    EXPECT_EQ(r.keys[i], QV_NO_ROW);
    EXPECT_EQ(r.dists[i], std::numeric_limits<float>::infinity());
  }
  EXPECT_TRUE(std::is_sorted(r.dists.begin(), r.dists.end()));
}

TEST_P(SearchPq, BadRequestsAreClearErrors) {
  std::vector<uint64_t> keys(10);
  std::vector<float> dists(10);
  auto search = [&](const float* q, int32_t dim, int32_t k, SearchOptions o) {
    return searcher_->Search(q, 1, dim, k, o, nullptr, keys.data(), dists.data());
  };
  std::vector<float> q(queries_.begin(), queries_.begin() + kDim);
  Status st = search(q.data(), kDim - 1, 10, PqOnly(4));
  EXPECT_TRUE(st.IsInvalid());
  EXPECT_NE(st.message().find("dimension 31 does not match the index dimension 32"), std::string::npos)
      << st.message();
  EXPECT_TRUE(search(q.data(), kDim, 0, PqOnly(4)).IsInvalid());
  EXPECT_TRUE(search(q.data(), kDim, 10, PqOnly(0)).IsInvalid());
  SearchOptions neg = PqOnly(4);
  neg.refine_factor = -1;
  EXPECT_TRUE(search(q.data(), kDim, 10, neg).IsInvalid());
  EXPECT_TRUE(search(nullptr, kDim, 10, PqOnly(4)).IsInvalid());
  EXPECT_TRUE(searcher_->Search(q.data(), 1, kDim, 10, PqOnly(4), nullptr, nullptr, dists.data()).IsInvalid());
  q[5] = std::numeric_limits<float>::quiet_NaN();
  st = search(q.data(), kDim, 10, PqOnly(4));
  EXPECT_TRUE(st.IsInvalid());
  EXPECT_NE(st.message().find("query 0 holds a non-finite value"), std::string::npos) << st.message();
  q[5] = std::numeric_limits<float>::infinity();
  EXPECT_TRUE(search(q.data(), kDim, 10, PqOnly(4)).IsInvalid());
  // Refinement without a vector source is refused, not attempted.
  SearchOptions refine = PqOnly(4);
  refine.refine_factor = 2;
  q[5] = 0;
  EXPECT_TRUE(search(q.data(), kDim, 10, refine).IsInvalid());
}

INSTANTIATE_TEST_SUITE_P(Metrics, SearchPq,
                         ::testing::Values(QV_METRIC_L2, QV_METRIC_COSINE, QV_METRIC_INNER_PRODUCT),
                         [](const auto& info) { return testing::MetricName(info.param); });

}  // namespace
}  // namespace quiver
