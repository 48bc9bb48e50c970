// The build's nearest-code-word and nearest-centroid searches agree with FAISS's.
#include <gtest/gtest.h>

#include <faiss/impl/ProductQuantizer.h>

#include <limits>
#include <random>

#include "build/argmin.h"
#include "build/grouped_centroids.h"
#include "build/parallel_flat_index.h"
#include "build/pq_encoder.h"
#include "build/small_flat_index.h"

namespace quiver {
namespace {

TEST(PqEncoder, MatchesFaiss) {
  for (int32_t m : {4, 8, 16}) {
    const int32_t dim = 32;
    const int64_t n = 3000;
    std::mt19937_64 g(m);
    std::normal_distribution<float> z(0, 1);
    faiss::ProductQuantizer pq(dim, m, 8);
    // Code words drawn like the data (training is not what is tested).
    for (auto& v : pq.centroids) v = z(g);
    std::vector<float> x(n * dim);
    for (auto& v : x) v = z(g);
    std::vector<uint8_t> ours(n * m), theirs(n * m);
    PqEncoder(dim, m, pq.centroids.data()).Encode(x.data(), n, ours.data());
    pq.compute_codes(x.data(), theirs.data(), n);
    int64_t same = 0;
    for (int64_t i = 0; i < n * m; ++i) same += ours[i] == theirs[i];
    // Different summation orders may break near-ties differently.
    EXPECT_GE(same, n * m * 999 / 1000) << "m=" << m;
    std::vector<float> a(n * dim), b(n * dim);
    pq.decode(ours.data(), a.data(), n);
    pq.decode(theirs.data(), b.data(), n);
    double ea = 0, eb = 0;
    for (int64_t i = 0; i < n * dim; ++i) {
      ea += (a[i] - x[i]) * (a[i] - x[i]);
      eb += (b[i] - x[i]) * (b[i] - x[i]);
    }
    EXPECT_NEAR(ea, eb, 1e-4 * eb) << "m=" << m;
  }
}

TEST(ArgMin, FirstSmallest) {
  for (int n : {1, 5, 16, 17, 256, 300}) {
    std::vector<float> d(n);
    for (int i = 0; i < n; ++i) d[i] = static_cast<float>((i * 7919) % 101);
    int64_t want = std::min_element(d.begin(), d.end()) - d.begin();
    float mn = -1;
    EXPECT_EQ(ArgMin(d.data(), n, &mn), want) << n;
    EXPECT_EQ(mn, d[want]);
  }
}

// Ties in different lanes and blocks, NaNs and infinities: the first
// smallest finite value wins; NaN never does.
TEST(ArgMin, TiesNaNAndInfinity) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  std::vector<float> d(70, 5.0f);
  d[40] = 1.0f;  // block 2, lane 8
  d[21] = 1.0f;  // block 1, lane 5: earlier, so it wins
  d[3] = nan;
  d[66] = 1.0f;  // in the tail
  EXPECT_EQ(ArgMin(d.data(), 70), 21);
  d[67] = 0.5f;
  EXPECT_EQ(ArgMin(d.data(), 70), 67);
  std::vector<float> all_nan(20, nan);
  EXPECT_EQ(ArgMin(all_nan.data(), 20), 0);
  std::vector<float> infs(33, inf);
  infs[32] = -inf;
  float mn = 0;
  EXPECT_EQ(ArgMin(infs.data(), 33, &mn), 32);
  EXPECT_EQ(mn, -inf);
}

// Our k = 1 searches against FAISS's exact one: the same nearest for nearly
// every query (near-ties may break differently) and distances within `tol`.
void ExpectSameNearestAsFaiss(faiss::Index& ours, int d, int nb, int nq, uint64_t seed, float tol) {
  std::mt19937_64 g(seed);
  std::normal_distribution<float> z(0, 1);
  std::vector<float> xb(nb * d), xq(nq * d);
  for (auto& v : xb) v = z(g);
  for (auto& v : xq) v = z(g);
  faiss::IndexFlatL2 ref(d);
  ours.add(nb, xb.data());
  ref.add(nb, xb.data());
  std::vector<float> da(nq), db(nq);
  std::vector<faiss::idx_t> la(nq), lb(nq);
  ours.search(nq, xq.data(), 1, da.data(), la.data());
  ref.search(nq, xq.data(), 1, db.data(), lb.data());
  int same = 0;
  for (int i = 0; i < nq; ++i) {
    same += la[i] == lb[i];
    EXPECT_NEAR(da[i], db[i], tol * (1 + db[i]));
  }
  EXPECT_GE(same, nq * 999 / 1000);
}

TEST(SmallFlatL2, SameNearestAsFaiss) {
  SmallFlatL2 ours(4);
  ExpectSameNearestAsFaiss(ours, 4, 256, 2000, 1, 1e-4f);
}

TEST(ParallelFlatL2, SameNearestAsFaiss) {
  for (int threads : {1, 2}) {
    ParallelFlatL2 ours(24, threads);
    ExpectSameNearestAsFaiss(ours, 24, 300, 5000, 2, 1e-3f);
  }
}

// Clustered centroids and rows near them, as after k-means: the two-level
// search finds the exact nearest centroid for nearly every row, and a close
// one otherwise.
TEST(GroupedCentroids, NearlyAlwaysTheExactNearest) {
  std::mt19937_64 g(3);
  std::normal_distribution<float> z(0, 1);
  const int d = 32, nb = 2500, nq = 9000, clusters = 40;  // rows span several blocks
  std::vector<float> centres(clusters * d), xb(nb * d), xq(nq * d);
  for (auto& v : centres) v = 3 * z(g);
  for (int i = 0; i < nb; ++i) {
    for (int j = 0; j < d; ++j) xb[i * d + j] = centres[(i % clusters) * d + j] + z(g);
  }
  for (int i = 0; i < nq; ++i) {
    for (int j = 0; j < d; ++j) xq[i * d + j] = xb[(i * 7 % nb) * d + j] + 0.3f * z(g);
  }
  GroupedCentroids grouped(xb.data(), nb, d, 16);
  EXPECT_EQ(grouped.groups(), 50);
  faiss::IndexFlatL2 ref(d);
  ref.add(nb, xb.data());
  std::vector<float> da(nq), db(nq);
  std::vector<faiss::idx_t> la(nq), lb(nq);
  grouped.Nearest(xq.data(), nq, da.data(), la.data());
  ref.search(nq, xq.data(), 1, db.data(), lb.data());
  int exact = 0;
  for (int i = 0; i < nq; ++i) {
    ASSERT_GE(la[i], 0);
    ASSERT_LT(la[i], nb);
    exact += la[i] == lb[i];
    // FAISS's distances come from norms minus inner products: absolute
    // errors of about 1e-3 at these norms.
    EXPECT_GE(da[i], db[i] - 2e-3f) << "nothing is nearer than the nearest";
    EXPECT_LE(da[i], db[i] * 1.5f + 1e-3f);
  }
  EXPECT_GE(exact, nq * 98 / 100);

  // With every group probed it is exact.
  GroupedCentroids all(xb.data(), nb, d, 1000);
  all.Nearest(xq.data(), nq, da.data(), la.data());
  for (int i = 0; i < nq; ++i) EXPECT_NEAR(da[i], db[i], 2e-3f);
}

}  // namespace
}  // namespace quiver
