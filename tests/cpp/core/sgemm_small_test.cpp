// sgemm_small (products under kSmallGemmWork multiply-adds, no BLAS) against a float64
// reference, for every transpose combination, padded leading dims and beta 0 / 1 / other.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "core/cpu/sgemm.h"
#include "core/cpu/sgemm_small.h"

namespace ember::cpu {
namespace {

TEST(SgemmSmall, MatchesFloat64Reference) {
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (auto [m, n, k] : {std::tuple{16, 32, 16}, {1, 1, 1}, {7, 3, 5}, {16, 4, 32}, {32, 32, 32}}) {
    for (int ta = 0; ta < 2; ++ta) {
      for (int tb = 0; tb < 2; ++tb) {
        for (float beta : {0.f, 1.f, 0.5f}) {
          // Stored shapes: A is m x k (k x m if transposed); leading dims padded by 3.
          const int64_t lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 3, ldc = n + 3;
          std::vector<float> a((ta ? k : m) * lda), b((tb ? n : k) * ldb), c(m * ldc);
          for (float& x : a) x = u(rng);
          for (float& x : b) x = u(rng);
          for (float& x : c) x = beta == 0.f ? std::numeric_limits<float>::quiet_NaN() : u(rng);
          std::vector<float> c0 = c;
          ASSERT_TRUE(sgemm_small(ta, tb, m, n, k, a.data(), lda, b.data(), ldb, beta, c.data(), ldc));
          for (int64_t i = 0; i < m; ++i) {
            for (int64_t j = 0; j < n; ++j) {
              double want = beta == 0.f ? 0.0 : double(beta) * c0[i * ldc + j];
              for (int64_t p = 0; p < k; ++p) {
                want += double(ta ? a[p * lda + i] : a[i * lda + p]) * double(tb ? b[j * ldb + p] : b[p * ldb + j]);
              }
              EXPECT_NEAR(c[i * ldc + j], want, 1e-5 * (1 + k)) << m << "x" << n << "x" << k << " ta=" << ta
                                                              << " tb=" << tb << " beta=" << beta;
            }
            for (int64_t j = n; j < ldc; ++j) {  // padding untouched
              if (beta != 0.f) EXPECT_EQ(c[i * ldc + j], c0[i * ldc + j]);
            }
          }
        }
      }
    }
  }
}

TEST(SgemmSmall, LargeOrEmptyProductsAreLeftToBlas) {
  std::vector<float> a(64 * 64, 1.f), b(64 * 64, 1.f), c(64 * 64, 0.f);
  EXPECT_FALSE(sgemm_small(false, false, 64, 64, 64, a.data(), 64, b.data(), 64, 0.f, c.data(), 64));
  EXPECT_FALSE(sgemm_small(false, false, 4, 4, 0, a.data(), 1, b.data(), 4, 0.f, c.data(), 4));
  // Through sgemm: the same answer either way (all ones: each entry is k).
  sgemm(false, false, 64, 64, 64, a.data(), 64, b.data(), 64, 0.f, c.data(), 64);
  EXPECT_EQ(c[0], 64.f);
  sgemm(false, false, 8, 8, 8, a.data(), 8, b.data(), 8, 0.f, c.data(), 8);
  EXPECT_EQ(c[0], 8.f);
}

}  // namespace
}  // namespace ember::cpu
