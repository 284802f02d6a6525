#include <gtest/gtest.h>

#include <cmath>

#include "core/ops.h"
#include "core/ops/norm.h"
#include "eager/autograd.h"
#include "nn/dropout.h"
#include "nn/norm.h"

namespace ember::nn {
namespace {

// L = sum(y * wy) + sum(mean * wm) + sum(var * wv): the backward of normalize_moments through
// all three outputs, against central differences.
double moments_loss(const Tensor& x, const Tensor& wy, const Tensor& wm, const Tensor& wv) {
  auto [y, m, v] = normalize_moments(x, 1e-5);
  return sum(add(add(sum(mul(y, wy)), sum(mul(m, wm))), sum(mul(v, wv)))).item<double>();
}

TEST(NormalizeMoments, GradientThroughAllOutputs) {
  Generator gen(3);
  Tensor x = randn({2, 3, 4}, DType::Float64, kCPU, &gen);
  Tensor wy = randn({2, 3, 4}, DType::Float64, kCPU, &gen),
         wm = randn({3}, DType::Float64, kCPU, &gen), wv = randn({3}, DType::Float64, kCPU, &gen);
  Tensor xg = detach(x);
  set_requires_grad(xg, true);
  auto [y, m, v] = normalize_moments(xg, 1e-5);
  backward(add(add(sum(mul(y, wy)), sum(mul(m, wm))), sum(mul(v, wv))));
  Tensor g = grad_of(xg);
  ASSERT_TRUE(g.defined());
  Tensor idx = reshape(arange(24), {2, 3, 4});
  const double h = 1e-6;
  for (int64_t k : {0, 5, 13, 23}) {
    Tensor d = where(eq(idx, k), h, 0.0);
    double num = (moments_loss(add(x, d), wy, wm, wv) - moments_loss(sub(x, d), wy, wm, wv)) / (2 * h);
    EXPECT_NEAR(read_as_double(g, k), num, 1e-5 * std::max(1.0, std::abs(num))) << "element " << k;
  }
}

TEST(NormalizeMoments, MomentsMatchReference) {
  Tensor x = reshape(arange(0, 12, 1, DType::Float32), {2, 2, 3});  // channel c: rows [a, c, :]
  auto [y, m, v] = normalize_moments(x, 0.0);
  // channel 0 holds 0,1,2,6,7,8: mean 4, biased var (16+9+4+4+9+16)/6 = 58/6
  EXPECT_NEAR(read_as_double(m, 0), 4.0, 1e-6);
  EXPECT_NEAR(read_as_double(v, 0), 58.0 / 6.0, 1e-5);
  EXPECT_NEAR(read_as_double(y, 0), -4.0 / std::sqrt(58.0 / 6.0), 1e-6);
  EXPECT_THROW(normalize_moments(ones({2, 3}), 1e-5), ValueError);
}

TEST(BatchNorm, RunningStatsAndEval) {
  BatchNorm1d bn(2, 1e-5, 0.5);
  Tensor x = reshape(arange(0, 8, 1, DType::Float32), {4, 2});  // ch0: 0,2,4,6  ch1: 1,3,5,7
  bn(x);
  EXPECT_NEAR(read_as_double(bn.buffer("running_mean"), 0), 1.5, 1e-6);   // 0.5 * 3
  EXPECT_NEAR(read_as_double(bn.buffer("running_var"), 1), 0.5 + 0.5 * 20.0 / 3.0, 1e-5);
  EXPECT_EQ(read_as_double(bn.buffer("num_batches_tracked"), 0), 1.0);
  bn.eval();
  Tensor y = bn(x);
  EXPECT_NEAR(read_as_double(y, 0), (0 - 1.5) / std::sqrt(read_as_double(bn.buffer("running_var"), 0) + 1e-5), 1e-5);
  EXPECT_THROW(bn(ones({4, 3})), ValueError);
}

TEST(Dropout, EvalIsIdentityAndBadProbabilityThrows) {
  Dropout d(0.3);
  d.eval();
  Tensor x = ones({5});
  EXPECT_EQ(d(x).data_ptr(), x.data_ptr());
  EXPECT_THROW(Dropout(1.5), ValueError);
}

}  // namespace
}  // namespace ember::nn
