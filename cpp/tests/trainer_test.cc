// Training on vectors made in memory: reproducible, centroids that fit the
// data, and PQ codebooks far better than random ones.
#include <gtest/gtest.h>

#include <faiss/impl/ProductQuantizer.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "build/blas_threads.h"
#include "build/build_params.h"
#include "build/trainer.h"
#include "build/two_level_kmeans.h"

namespace quiver {
namespace {

std::vector<float> Clustered(int64_t n, int32_t dim, int clusters, uint64_t seed) {
  std::mt19937_64 g(seed);
  std::normal_distribution<float> z(0, 1);
  std::vector<float> centers(clusters * dim);
  for (auto& c : centers) c = 4 * z(g);
  std::vector<float> x(n * dim);
  for (int64_t i = 0; i < n; ++i) {
    const float* c = centers.data() + (g() % clusters) * dim;
    for (int j = 0; j < dim; ++j) x[i * dim + j] = c[j] + 0.5f * z(g);
  }
  return x;
}

TrainOptions Options() {
  TrainOptions o;
  o.dim = 32;
  o.nlist = 16;
  o.pq_m = 8;
  o.metric = Metric::kL2;
  o.seed = 5;
  o.threads = 2;
  return o;
}

double ReconstructionError(const std::vector<float>& x, int64_t n, const TrainOptions& o,
                           const std::vector<float>& centroids, const std::vector<float>& codebooks) {
  std::vector<int64_t> lists(n);
  AssignToLists(centroids.data(), o.nlist, o.dim, x.data(), n, o.threads, lists.data());
  faiss::ProductQuantizer pq(o.dim, o.pq_m, 8);
  pq.centroids = codebooks;
  std::vector<float> r(n * o.dim), back(n * o.dim);
  for (int64_t i = 0; i < n; ++i) {
    for (int j = 0; j < o.dim; ++j) r[i * o.dim + j] = x[i * o.dim + j] - centroids[lists[i] * o.dim + j];
  }
  std::vector<uint8_t> codes(n * o.pq_m);
  pq.compute_codes(r.data(), codes.data(), n);
  pq.decode(codes.data(), back.data(), n);
  double err = 0;
  for (int64_t i = 0; i < n * o.dim; ++i) err += (r[i] - back[i]) * (r[i] - back[i]);
  return err / n;
}

TEST(Trainer, ReproducibleAndBetterThanRandomCodebooks) {
  SingleThreadedBlas blas;
  const int64_t n = 6000;
  TrainOptions o = Options();
  auto x = Clustered(n, o.dim, 16, 1);
  auto a = Train(x.data(), n, o, nullptr);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = Train(x.data(), n, o, nullptr);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->centroids, b->centroids);
  EXPECT_EQ(a->codebooks, b->codebooks);
  ASSERT_EQ(a->centroids.size(), 16u * 32);
  ASSERT_EQ(a->codebooks.size(), 8u * 256 * 4);

  // Random code words drawn from the residuals' range.
  std::mt19937_64 g(3);
  std::normal_distribution<float> z(0, 0.5f);
  std::vector<float> random(a->codebooks.size());
  for (auto& v : random) v = z(g);
  auto test = Clustered(2000, o.dim, 16, 1);  // same clusters, new draws
  double trained = ReconstructionError(test, 2000, o, a->centroids, a->codebooks);
  double baseline = ReconstructionError(test, 2000, o, a->centroids, random);
  EXPECT_LT(trained, 0.5 * baseline) << trained << " vs random " << baseline;
}

TEST(Trainer, CosineCentroidsAreUnitVectors) {
  SingleThreadedBlas blas;
  TrainOptions o = Options();
  o.metric = Metric::kCosine;
  auto x = Clustered(3000, o.dim, 16, 2);
  for (int64_t i = 0; i < 3000; ++i) {
    double s = 0;
    for (int j = 0; j < o.dim; ++j) s += x[i * o.dim + j] * x[i * o.dim + j];
    for (int j = 0; j < o.dim; ++j) x[i * o.dim + j] /= std::sqrt(s);
  }
  auto q = Train(x.data(), 3000, o, nullptr);
  ASSERT_TRUE(q.ok());
  for (int l = 0; l < o.nlist; ++l) {
    double s = 0;
    for (int j = 0; j < o.dim; ++j) s += q->centroids[l * o.dim + j] * q->centroids[l * o.dim + j];
    EXPECT_NEAR(s, 1.0, 1e-4);
  }
}

TEST(Trainer, TinySamplesAndCancellation) {
  TrainOptions o = Options();
  o.nlist = 3;
  auto x = Clustered(5, o.dim, 2, 3);
  auto q = Train(x.data(), 5, o, nullptr);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->codebooks.size(), 8u * 256 * 4);
  o.nlist = 6;
  EXPECT_FALSE(Train(x.data(), 5, o, nullptr).ok());

  o = Options();
  auto big = Clustered(4000, o.dim, 16, 4);
  int calls = 0;
  auto c = Train(big.data(), 4000, o, [&](int64_t done, int64_t total) {
    EXPECT_LE(done, total);
    return ++calls == 3 ? Cancelled("stop") : Status::OK();
  });
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(ToQvStatus(c.status()), QV_ERR_CANCELLED);
}

TEST(ShareCentroids, ProportionalAtLeastOneNeverMoreThanTheRows) {
  auto sum = [](const std::vector<int32_t>& v) { return std::accumulate(v.begin(), v.end(), 0); };
  EXPECT_EQ(ShareCentroids({100, 0, 50, 1}, 10), (std::vector<int32_t>{6, 0, 3, 1}));
  EXPECT_EQ(ShareCentroids({100, 0, 50, 1}, 151), (std::vector<int32_t>{100, 0, 50, 1}));
  EXPECT_EQ(ShareCentroids({1, 1, 1, 1, 100}, 5), (std::vector<int32_t>{1, 1, 1, 1, 1}));
  std::mt19937_64 g(9);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<int64_t> sizes(1 + g() % 40);
    int64_t n = 0, nonempty = 0;
    for (auto& s : sizes) {
      s = g() % 3 == 0 ? 0 : static_cast<int64_t>(g() % 500);
      n += s;
      nonempty += s > 0;
    }
    if (n == 0) continue;
    const int32_t k = static_cast<int32_t>(std::max<int64_t>(nonempty, 1 + g() % n));
    auto share = ShareCentroids(sizes, k);
    EXPECT_EQ(sum(share), k);
    for (size_t i = 0; i < sizes.size(); ++i) {
      EXPECT_LE(share[i], sizes[i]);
      EXPECT_EQ(share[i] > 0, sizes[i] > 0);
    }
  }
}

double MeanSquaredDistanceToNearest(const std::vector<float>& x, int64_t n, int32_t dim, int32_t nlist,
                                    const std::vector<float>& centroids) {
  std::vector<int64_t> lists(n);
  AssignToLists(centroids.data(), nlist, dim, x.data(), n, 1, lists.data());
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    for (int j = 0; j < dim; ++j) {
      const double d = x[i * dim + j] - centroids[lists[i] * dim + j];
      sum += d * d;
    }
  }
  return sum / n;
}

// Many lists: the coarse quantizer is trained in two levels; reproducible,
// every list used, and nearly as tight as one k-means over all lists.
TEST(Trainer, TwoLevelCoarseTraining) {
  SingleThreadedBlas blas;
  const int64_t n = 8000;
  TrainOptions o = Options();
  o.nlist = 100;
  auto x = Clustered(n, o.dim, 40, 6);
  o.two_level_min_lists = 100;
  std::vector<int64_t> seen;
  auto a = Train(x.data(), n, o, [&](int64_t done, int64_t total) {
    EXPECT_EQ(total, 10 + 10 + o.pq_m);  // first-level iterations, groups, sub-quantizers
    EXPECT_TRUE(seen.empty() || done >= seen.back());
    seen.push_back(done);
    return Status::OK();
  });
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(seen.back(), 10 + 10 + o.pq_m);
  auto b = Train(x.data(), n, o, nullptr);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->centroids, b->centroids);
  ASSERT_EQ(a->centroids.size(), 100u * 32);
  for (float v : a->centroids) ASSERT_TRUE(std::isfinite(v));
  std::vector<int64_t> lists(n);
  AssignToLists(a->centroids.data(), o.nlist, o.dim, x.data(), n, 1, lists.data());
  std::vector<int64_t> used(o.nlist, 0);
  for (int64_t l : lists) ++used[l];
  EXPECT_EQ(std::count(used.begin(), used.end(), 0), 0) << "empty lists";

  o.two_level_min_lists = 1 << 30;
  auto flat = Train(x.data(), n, o, nullptr);
  ASSERT_TRUE(flat.ok());
  const double two = MeanSquaredDistanceToNearest(x, n, o.dim, o.nlist, a->centroids);
  const double one = MeanSquaredDistanceToNearest(x, n, o.dim, o.nlist, flat->centroids);
  EXPECT_LT(two, 1.1 * one) << "two-level " << two << " vs flat " << one;

  // Cancelled from the second level.
  o.two_level_min_lists = 100;
  auto c = Train(x.data(), n, o, [&](int64_t done, int64_t) { return done == 13 ? Cancelled("stop") : Status::OK(); });
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(ToQvStatus(c.status()), QV_ERR_CANCELLED);

  // Cosine: unit centroids at both levels.
  o.metric = Metric::kCosine;
  for (int64_t i = 0; i < n; ++i) {
    double s = 0;
    for (int j = 0; j < o.dim; ++j) s += x[i * o.dim + j] * x[i * o.dim + j];
    for (int j = 0; j < o.dim; ++j) x[i * o.dim + j] /= std::sqrt(s);
  }
  auto cos = Train(x.data(), n, o, nullptr);
  ASSERT_TRUE(cos.ok());
  for (int l = 0; l < o.nlist; ++l) {
    double s = 0;
    for (int j = 0; j < o.dim; ++j) s += cos->centroids[l * o.dim + j] * cos->centroids[l * o.dim + j];
    EXPECT_NEAR(s, 1.0, 1e-4);
  }
}

TEST(BuildParams, Defaults) {
  EXPECT_EQ(DefaultNlist(1), 1);
  EXPECT_EQ(DefaultNlist(1000000), 4000);
  EXPECT_EQ(DefaultNlist(3), 3);
  EXPECT_EQ(DefaultPqM(128), 32);
  EXPECT_EQ(DefaultPqM(768), 64);
  EXPECT_EQ(DefaultPqM(3), 1);
  EXPECT_EQ(DefaultPqM(100), 25);
  EXPECT_EQ(DefaultPqM(30), 6);
  EXPECT_EQ(DefaultTrainSample(4000, 1000000), 128000);
  EXPECT_EQ(DefaultTrainSample(10, 500), 500);
  BuildParams p;
  EXPECT_TRUE(ValidateBuildParams(p).ok());
  p.pq_bits = 4;
  EXPECT_EQ(ToQvStatus(ValidateBuildParams(p)), QV_ERR_UNSUPPORTED);
  EXPECT_EQ(ToQvStatus(MetricFromCode(7).status()), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(MetricFromCode(QV_METRIC_COSINE).ValueOrDie(), Metric::kCosine);
  EXPECT_EQ(MetricFromName("INNER_PRODUCT").ValueOrDie(), Metric::kInnerProduct);
  EXPECT_FALSE(MetricFromName("Manhattan").ok());
  for (Metric m : kMetrics) {
    EXPECT_EQ(MetricFromName(MetricName(m)).ValueOrDie(), m);
    EXPECT_EQ(MetricFromCode(MetricCode(m)).ValueOrDie(), m);
  }
}

}  // namespace
}  // namespace quiver
