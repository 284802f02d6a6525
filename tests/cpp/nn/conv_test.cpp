#include <gtest/gtest.h>

#include "core/ops.h"
#include "eager/autograd.h"
#include "nn/containers.h"
#include "nn/conv.h"
#include "nn/pool.h"

namespace ember::nn {
namespace {

TEST(Conv, OnesKernelSumsWindows) {
  // x = 0..15 as [1, 1, 4, 4]; a 2x2 ones kernel sums each 2x2 window.
  Tensor x = reshape(arange(16, DType::Float32), {1, 1, 4, 4});
  Tensor w = ones({1, 1, 2, 2});
  Tensor y = conv2d(x, w, Tensor(), {2, 2});
  ASSERT_EQ(y.shape(), (Shape{1, 1, 2, 2}));
  EXPECT_DOUBLE_EQ(read_as_double(y, 0), 0 + 1 + 4 + 5);
  EXPECT_DOUBLE_EQ(read_as_double(y, 3), 10 + 11 + 14 + 15);
  Tensor yp = conv2d(x, w, ones({1}), {1, 1}, {1, 1});
  ASSERT_EQ(yp.shape(), (Shape{1, 1, 5, 5}));
  EXPECT_DOUBLE_EQ(read_as_double(yp, 0), 0 + 1);  // corner: only x[0, 0] plus bias
}

TEST(Conv, TransposeIsAdjointOfConv) {
  // <conv(x, w), y> == <x, conv_transpose(y, w)>
  Tensor x = randn({2, 3, 7, 6}, DType::Float64), w = randn({4, 3, 3, 2}, DType::Float64);
  Tensor y = randn({2, 4, 4, 4}, DType::Float64);
  Tensor cx = conv2d(x, w, Tensor(), {2, 2}, {1, 1});
  ASSERT_EQ(cx.shape(), y.shape());
  Tensor ty = conv_transpose2d(y, w, Tensor(), {2, 2}, {1, 1}, {0, 0});
  ASSERT_EQ(ty.shape(), x.shape());
  EXPECT_NEAR(sum(mul(cx, y)).item<double>(), sum(mul(x, ty)).item<double>(), 1e-9);
}

TEST(Conv, ModuleBackwardFillsGrads) {
  Conv2d c(2, 3, {3, 3}, {1, 1}, {1, 1});
  EXPECT_EQ(c.repr(), "Conv2d(2, 3, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))");
  Tensor x = randn({4, 2, 5, 5});
  Tensor y = c(x);
  ASSERT_EQ(y.shape(), (Shape{4, 3, 5, 5}));
  backward(sum(y));
  ASSERT_TRUE(grad_of(c.parameter("weight")).defined());
  // d sum / d bias = number of output positions per channel.
  EXPECT_DOUBLE_EQ(read_as_double(grad_of(c.parameter("bias")), 0), 4 * 25);
}

TEST(Conv, ErrorsNameModuleAndShapes) {
  Conv2d c(3, 4, {3, 3});
  try {
    c(zeros({1, 2, 8, 8}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("[Conv2d]"), std::string::npos) << m;
    EXPECT_NE(m.find("[1, 2, 8, 8]"), std::string::npos) << m;
  }
  EXPECT_THROW(conv2d(zeros({1, 3, 2, 2}), zeros({4, 3, 3, 3})), Error);
  EXPECT_THROW(conv2d(zeros({3, 2}), zeros({4, 3, 3, 3})), Error);
}

TEST(Pool, MaxAvgAdaptive) {
  Tensor x = reshape(arange(16, DType::Float32), {1, 1, 4, 4});
  auto [v, i] = max_pool2d_with_indices(x, {2, 2});
  EXPECT_DOUBLE_EQ(read_as_double(v, 0), 5);
  EXPECT_DOUBLE_EQ(read_as_double(i, 3), 15);
  EXPECT_DOUBLE_EQ(read_as_double(avg_pool2d(x, {2, 2}), 0), 2.5);
  EXPECT_DOUBLE_EQ(read_as_double(adaptive_avg_pool2d(x, {1, 1}), 0), 7.5);
  MaxPool2d mp({2});
  EXPECT_EQ(mp.repr(),
            "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
  Tensor xg = randn({2, 3, 6, 6});
  set_requires_grad(xg, true);
  backward(sum(mp(xg)));
  // Each 2x2 window passes its gradient to exactly one element.
  EXPECT_DOUBLE_EQ(sum(grad_of(xg)).item<double>(), 2 * 3 * 9);
}

}  // namespace
}  // namespace ember::nn
