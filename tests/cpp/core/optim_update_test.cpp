// The fused optimizer ops (axpby, adam_update_) against hand-computed values, in both the
// vectorized float32 path and the generic (float64, strided) one, and their errors.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/cpu/sgemm.h"
#include "core/ops.h"
#include "core/ops/optim_update.h"

namespace ember {
namespace {

Tensor seq(int64_t n, double scale, DType dt) {
  Tensor t = Tensor::empty({n}, DType::Float64);
  for (int64_t i = 0; i < n; ++i) t.data<double>()[i] = scale * (i % 17 - 8) / 7.0;
  return to_dtype(t, dt);
}

Tensor s64(double v) { return scalar_tensor(v, DType::Float64); }

TEST(OptimUpdate, AxpbyBothPathsMatchFormula) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    for (bool sq : {false, true}) {
      const int64_t n = 40000;  // above the parallel grain
      Tensor y = seq(n, 1.0, dt), x = seq(n, -2.5, dt);
      Tensor y0 = clone(y);
      axpby_(y, x, s64(0.9), s64(0.1), sq);
      for (int64_t i = 0; i < n; i += 997) {
        const double xv = read_as_double(x, i);
        const double want = 0.9 * read_as_double(y0, i) + 0.1 * (sq ? xv * xv : xv);
        EXPECT_NEAR(read_as_double(y, i), want, 1e-6 * (1 + std::abs(want)));
      }
    }
  }
}

TEST(OptimUpdate, AxpbyStridedOperand) {
  Tensor base = reshape(seq(12, 1.0, DType::Float32), {3, 4});
  Tensor x = transpose(reshape(seq(12, 2.0, DType::Float32), {4, 3}), 0, 1);  // [3, 4], strided
  Tensor out = axpby(base, x, s64(2.0), s64(-1.0));
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 4; ++j)
      EXPECT_FLOAT_EQ(read_as_double(out, i * 4 + j),
                      static_cast<float>(2.0 * read_as_double(base, i * 4 + j) -
                                         read_as_double(x, i * 4 + j)));
}

TEST(OptimUpdate, AdamUpdateMatchesFormula) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    for (bool decoupled : {false, true}) {
      const int64_t n = 50000;
      Tensor p = seq(n, 1.0, dt), m = seq(n, 0.1, dt), v = abs(seq(n, 0.01, dt));
      Tensor p0 = clone(p);
      const double step = 3, lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
      adam_update_(p, m, v, s64(step), s64(lr), s64(b1), s64(b2), s64(eps), s64(wd), decoupled);
      for (int64_t i = 0; i < n; i += 1013) {
        double w = read_as_double(p0, i);
        if (decoupled) w *= 1 - lr * wd;
        const double denom = std::sqrt(read_as_double(v, i)) / std::sqrt(1 - std::pow(b2, step)) + eps;
        w -= lr / (1 - std::pow(b1, step)) * read_as_double(m, i) / denom;
        EXPECT_NEAR(read_as_double(p, i), w, 1e-5 * (1 + std::abs(w)));
      }
    }
  }
}

TEST(OptimUpdate, ErrorsNameTheOp) {
  Tensor y = zeros({3}), x = zeros({4});
  try {
    axpby_(y, x, s64(1), s64(1));
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("[axpby]"), std::string::npos) << e.what();
  }
  try {
    axpby_(y, zeros({3}), zeros({2}), s64(1));
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("alpha"), std::string::npos) << e.what();
  }
  try {
    adam_update_(y, zeros({3}), zeros({2}), s64(1), s64(1), s64(1), s64(1), s64(1), s64(0), false);
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("[adam_update]"), std::string::npos) << e.what();
  }
}

// The raw SGEMM entry point with beta (conv accumulates weight gradients with beta = 1).
TEST(Sgemm, BetaAndTransposes) {
  const int64_t m = 37, n = 45, k = 300;
  std::vector<float> a(m * k), b(k * n), c(m * n, 2.0f);
  for (size_t i = 0; i < a.size(); ++i) a[i] = (static_cast<int>(i * 7 % 13) - 6) / 5.0f;
  for (size_t i = 0; i < b.size(); ++i) b[i] = (static_cast<int>(i * 5 % 11) - 5) / 4.0f;
  for (float beta : {0.0f, 1.0f, 0.5f}) {
    std::vector<float> out(c);
    // A stored transposed ([k, m], lda = m), B as is.
    std::vector<float> at(k * m);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t p = 0; p < k; ++p) at[p * m + i] = a[i * k + p];
    cpu::sgemm(true, false, m, n, k, at.data(), m, b.data(), n, beta, out.data(), n);
    for (int64_t i = 0; i < m; i += 5) {
      for (int64_t j = 0; j < n; j += 3) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p) s += double(a[i * k + p]) * b[p * n + j];
        EXPECT_NEAR(out[i * n + j], s + beta * 2.0, 1e-3) << i << "," << j << " beta " << beta;
      }
    }
  }
}

}  // namespace
}  // namespace ember
