// atan2's backward: analytic gradients against central finite differences in float64, with
// broadcasting (the gradient of a broadcast input is summed back to its shape) and a
// second derivative through create_graph.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/ops.h"
#include "eager/autograd.h"

namespace ember {
namespace {

Tensor from(const std::vector<double>& v, IntList shape) {
  Tensor t = Tensor::empty(shape, DType::Float64);
  for (size_t i = 0; i < v.size(); ++i) t.data<double>()[i] = v[i];
  return t;
}

// sum(atan2(y, x) * w) for fixed weights w, so every output element matters.
double objective(const Tensor& y, const Tensor& x, const Tensor& w) {
  return sum(mul(atan2(y, x), w)).item<double>();
}

// d objective / d t[k] by central differences (t is y or x, changed in place).
std::vector<double> numeric_grad(const Tensor& y, const Tensor& x, const Tensor& w,
                                 const Tensor& t) {
  const double eps = 1e-6;
  std::vector<double> g(t.numel());
  for (int64_t k = 0; k < t.numel(); ++k) {
    double& v = t.data<double>()[k];
    const double old = v;
    v = old + eps;
    const double up = objective(y, x, w);
    v = old - eps;
    const double down = objective(y, x, w);
    v = old;
    g[k] = (up - down) / (2 * eps);
  }
  return g;
}

TEST(Atan2Grad, MatchesFiniteDifferencesWithBroadcasting) {
  // y (3, 1) against x (4): both gradients are reduced over the broadcast dims.
  Tensor y = from({0.7, -1.3, 2.1}, {3, 1});
  Tensor x = from({-0.4, 1.5, -2.2, 0.9}, {4});
  Tensor w = from({0.5, 1.2, -0.7, 1.1, 0.3, -1.4, 0.8, 1.9, -0.6, 0.2, 1.3, -0.9}, {3, 4});
  const std::vector<double> gy_num = numeric_grad(y, x, w, y);
  const std::vector<double> gx_num = numeric_grad(y, x, w, x);
  set_requires_grad(y, true);
  set_requires_grad(x, true);
  backward(sum(mul(atan2(y, x), w)));
  const Tensor gy = grad_of(y), gx = grad_of(x);
  ASSERT_EQ(gy.shape(), y.shape());
  ASSERT_EQ(gx.shape(), x.shape());
  for (int64_t k = 0; k < 3; ++k) EXPECT_NEAR(read_as_double(gy, k), gy_num[k], 1e-7) << k;
  for (int64_t k = 0; k < 4; ++k) EXPECT_NEAR(read_as_double(gx, k), gx_num[k], 1e-7) << k;
}

TEST(Atan2Grad, ClosedFormAndOnlyTheInputsThatNeedIt) {
  Tensor y = from({3.0}, {1}), x = from({-4.0}, {1});
  set_requires_grad(y, true);
  backward(sum(atan2(y, x)));
  EXPECT_DOUBLE_EQ(read_as_double(grad_of(y), 0), -4.0 / 25.0);  // x / (x^2 + y^2)
  EXPECT_FALSE(grad_of(x).defined());
  set_requires_grad(x, true);
  backward(sum(atan2(y, x)));
  EXPECT_DOUBLE_EQ(read_as_double(grad_of(x), 0), -3.0 / 25.0);  // -y / (x^2 + y^2)
}

TEST(Atan2Grad, SecondDerivativeThroughCreateGraph) {
  // d/dy atan2(y, x) = x / (x^2 + y^2); d/dy of that = -2xy / (x^2 + y^2)^2.
  const double yv = 0.8, xv = 1.7, r2 = xv * xv + yv * yv;
  Tensor y = from({yv}, {1}), x = from({xv}, {1});
  set_requires_grad(y, true);
  const Tensor out[] = {sum(atan2(y, x))};
  const Tensor wrt[] = {y};
  std::vector<Tensor> g = grad(out, wrt, {}, std::nullopt, /*create_graph=*/true);
  EXPECT_NEAR(read_as_double(g[0], 0), xv / r2, 1e-14);
  const Tensor g_out[] = {sum(g[0])};
  std::vector<Tensor> gg = grad(g_out, wrt);
  EXPECT_NEAR(read_as_double(gg[0], 0), -2 * xv * yv / (r2 * r2), 1e-14);
}

}  // namespace
}  // namespace ember
