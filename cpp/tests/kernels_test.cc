#include "kernels/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace quiver {
namespace {

std::vector<float> RandomFloats(std::mt19937& rng, size_t n) {
  std::normal_distribution<float> dist(0.0f, 3.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

std::vector<const Kernels*> Tables() {
  const Kernels* all[8];
  int n = AvailableKernels(all, 8);
  return {all, all + n};
}

// Bit-for-bit equality: every table must rank candidates exactly as the
// scalar reference does.
void ExpectSameBits(const std::vector<float>& want, const std::vector<float>& got,
                    const std::string& what) {
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(0, std::memcmp(&want[i], &got[i], sizeof(float)))
        << what << " differs at " << i << ": " << want[i] << " vs " << got[i];
  }
}

TEST(Kernels, ScalarIsAvailableAndActiveIsOneOfThem) {
  auto tables = Tables();
  ASSERT_FALSE(tables.empty());
  EXPECT_STREQ(tables.back()->name, "scalar");
  bool found = false;
  for (auto* t : tables) found |= (t == &ActiveKernels());
  EXPECT_TRUE(found);
}

#if defined(__aarch64__)
// Advanced SIMD is part of every Linux aarch64 CPU: the NEON table must be
// there, first, so that the comparisons below cover it.
TEST(Kernels, NeonIsChosenOnAarch64) {
  auto tables = Tables();
  ASSERT_GE(tables.size(), 2u);
  EXPECT_STREQ(tables.front()->name, "neon");
}
#endif

TEST(Kernels, ScalarMatchesPlainArithmetic) {
  std::mt19937 rng(1);
  const int dim = 37, n = 5;
  auto q = RandomFloats(rng, dim), x = RandomFloats(rng, n * dim);
  std::vector<float> l2(n), dot(n);
  ScalarKernels().l2_sqr_batch(q.data(), x.data(), n, dim, l2.data());
  ScalarKernels().dot_batch(q.data(), x.data(), n, dim, dot.data());
  for (int i = 0; i < n; ++i) {
    double el2 = 0, edot = 0;
    for (int d = 0; d < dim; ++d) {
      double diff = double(q[d]) - x[i * dim + d];
      el2 += diff * diff;
      edot += double(q[d]) * x[i * dim + d];
    }
    EXPECT_NEAR(l2[i], el2, 1e-4 * el2);
    EXPECT_NEAR(dot[i], edot, 1e-3 * (std::abs(edot) + 1));
  }
}

TEST(Kernels, DistanceBatchesEqualScalar) {
  std::mt19937 rng(2);
  for (int dim : {1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 33, 64, 100, 128, 129, 300}) {
    for (int n : {0, 1, 3, 4, 5, 9, 33}) {
      auto q = RandomFloats(rng, dim), x = RandomFloats(rng, size_t(n) * dim);
      std::vector<float> want_l2(n), want_dot(n);
      ScalarKernels().l2_sqr_batch(q.data(), x.data(), n, dim, want_l2.data());
      ScalarKernels().dot_batch(q.data(), x.data(), n, dim, want_dot.data());
      for (auto* t : Tables()) {
        std::vector<float> l2(n), dot(n);
        t->l2_sqr_batch(q.data(), x.data(), n, dim, l2.data());
        t->dot_batch(q.data(), x.data(), n, dim, dot.data());
        std::string what = std::string(t->name) + " dim=" + std::to_string(dim) +
                           " n=" + std::to_string(n);
        ExpectSameBits(want_l2, l2, what + " l2");
        ExpectSameBits(want_dot, dot, what + " dot");
      }
    }
  }
}

TEST(Kernels, TransposedEqualsScalarAndRowMajor) {
  std::mt19937 rng(3);
  for (int dim : {1, 2, 4, 5, 8, 16}) {
    for (int n : {1, 7, 16, 17, 255, 256}) {
      auto q = RandomFloats(rng, dim), xt = RandomFloats(rng, size_t(n) * dim);
      std::vector<float> want_l2(n), want_dot(n);
      ScalarKernels().l2_sqr_transposed(q.data(), xt.data(), n, dim, want_l2.data());
      ScalarKernels().dot_transposed(q.data(), xt.data(), n, dim, want_dot.data());
      // Sums over d in order are what the row-major kernels give for dim <= 16.
      std::vector<float> x(size_t(n) * dim), rm(n);
      for (int i = 0; i < n; ++i)
        for (int d = 0; d < dim; ++d) x[i * dim + d] = xt[d * n + i];
      ScalarKernels().l2_sqr_batch(q.data(), x.data(), n, dim, rm.data());
      for (int i = 0; i < n; ++i) EXPECT_NEAR(rm[i], want_l2[i], 1e-5 * (rm[i] + 1));
      for (auto* t : Tables()) {
        std::vector<float> l2(n), dot(n);
        t->l2_sqr_transposed(q.data(), xt.data(), n, dim, l2.data());
        t->dot_transposed(q.data(), xt.data(), n, dim, dot.data());
        std::string what = std::string(t->name) + " dim=" + std::to_string(dim) +
                           " n=" + std::to_string(n);
        ExpectSameBits(want_l2, l2, what + " l2t");
        ExpectSameBits(want_dot, dot, what + " dott");
      }
    }
  }
}

TEST(Kernels, AdcScanEqualsScalar) {
  std::mt19937 rng(4);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int m : {1, 3, 4, 8, 12, 16, 32, 64}) {
    for (int n : {0, 1, 7, 8, 15, 16, 17, 100}) {
      auto lut = RandomFloats(rng, size_t(m) * 256);
      std::vector<uint8_t> codes(size_t(n) * m);
      for (auto& c : codes) c = uint8_t(byte(rng));
      std::vector<float> want(n);
      ScalarKernels().adc_scan(codes.data(), n, m, lut.data(), 1.25f, want.data());
      for (int i = 0; i < n; ++i) {
        float s = 1.25f;
        for (int j = 0; j < m; ++j) s += lut[j * 256 + codes[i * m + j]];
        EXPECT_EQ(s, want[i]);
      }
      for (auto* t : Tables()) {
        std::vector<float> got(n);
        t->adc_scan(codes.data(), n, m, lut.data(), 1.25f, got.data());
        ExpectSameBits(want, got, std::string(t->name) + " adc m=" + std::to_string(m) +
                                      " n=" + std::to_string(n));
      }
    }
  }
}

}  // namespace
}  // namespace quiver
