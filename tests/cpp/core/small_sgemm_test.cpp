// cpu::small_sgemm against a float64 reference for every operand layout (row-major and
// transposed A and B, padded leading dimensions) and many sizes, odd ones included; and the
// layout invariance its header promises (C and (B^T A^T)^T are bit-identical).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/cpu/small_sgemm.h"

namespace ember::cpu {
namespace {

// A [rows, cols] matrix stored row-major or transposed, with a padded leading dimension.
struct Operand {
  std::vector<float> data;
  int64_t rs, cs;
  float at(int64_t i, int64_t j) const { return data[i * rs + j * cs]; }
};

Operand make_operand(int64_t rows, int64_t cols, bool trans, std::mt19937& rng) {
  std::normal_distribution<float> dist;
  const int64_t pad = 3;
  Operand o;
  if (trans) {
    o.rs = 1, o.cs = rows + pad;
    o.data.resize(cols * (rows + pad));
  } else {
    o.rs = cols + pad, o.cs = 1;
    o.data.resize(rows * (cols + pad));
  }
  for (float& x : o.data) x = dist(rng);
  return o;
}

TEST(SmallSgemm, MatchesFloat64ReferenceForAllLayouts) {
  std::mt19937 rng(7);
  const int64_t sizes[] = {1, 2, 3, 4, 7, 8, 9, 10, 15, 16, 17, 31, 32, 33, 48, 63, 64};
  int checked = 0;
  for (int64_t m : sizes) {
    for (int64_t n : sizes) {
      for (int64_t k : {1, 5, 8, 16, 17, 32, 63, 64}) {
        for (int layout = 0; layout < 4; ++layout) {
          const bool ta = layout & 1, tb = layout & 2;
          Operand a = make_operand(m, k, ta, rng), b = make_operand(k, n, tb, rng);
          const int64_t ldc = n + 2;
          std::vector<float> c(m * ldc, -7.0f);  // the padding must stay untouched
          small_sgemm(m, n, k, a.data.data(), a.rs, a.cs, b.data.data(), b.rs, b.cs, c.data(), ldc);
          for (int64_t i = 0; i < m; ++i) {
            for (int64_t j = 0; j < n; ++j) {
              double want = 0, scale = 0;
              for (int64_t p = 0; p < k; ++p) {
                want += static_cast<double>(a.at(i, p)) * b.at(p, j);
                scale += std::abs(static_cast<double>(a.at(i, p)) * b.at(p, j));
              }
              ASSERT_NEAR(c[i * ldc + j], want, 1e-6 * (1 + scale))
                  << m << "x" << n << "x" << k << " layout " << layout << " at " << i << "," << j;
            }
            for (int64_t j = n; j < ldc; ++j) ASSERT_EQ(c[i * ldc + j], -7.0f) << "wrote past row end";
          }
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 17 * 17 * 8 * 4);
}

TEST(SmallSgemm, TransposedProductIsBitIdentical) {
  std::mt19937 rng(11);
  for (int64_t m : {3, 16, 33}) {
    for (int64_t n : {4, 10, 32, 64}) {
      for (int64_t k : {7, 32}) {
        Operand a = make_operand(m, k, false, rng), b = make_operand(k, n, true, rng);
        std::vector<float> c(m * n), ct(n * m);
        small_sgemm(m, n, k, a.data.data(), a.rs, a.cs, b.data.data(), b.rs, b.cs, c.data(), n);
        // C^T = B^T A^T: B^T(j, p) = B(p, j), A^T(p, i) = A(i, p).
        small_sgemm(n, m, k, b.data.data(), b.cs, b.rs, a.data.data(), a.cs, a.rs, ct.data(), m);
        for (int64_t i = 0; i < m; ++i) {
          for (int64_t j = 0; j < n; ++j) ASSERT_EQ(c[i * n + j], ct[j * m + i]) << m << n << k;
        }
      }
    }
  }
}

TEST(SmallSgemm, FitsOnlySmallNonEmptyProducts) {
  EXPECT_TRUE(small_sgemm_fits(64, 64, 64));
  EXPECT_TRUE(small_sgemm_fits(1, 1, 1));
  EXPECT_FALSE(small_sgemm_fits(65, 8, 8));
  EXPECT_FALSE(small_sgemm_fits(8, 65, 8));
  EXPECT_FALSE(small_sgemm_fits(8, 8, 65));
  EXPECT_FALSE(small_sgemm_fits(0, 8, 8));
  EXPECT_FALSE(small_sgemm_fits(8, 8, 0));
}

}  // namespace
}  // namespace ember::cpu
