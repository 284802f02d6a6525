#include <gtest/gtest.h>

#include "core/ops.h"
#include "eager/autograd.h"

namespace ember {
namespace {

Tensor leaf(IntList shape, double v) {
  Tensor t = full(shape, v);
  set_requires_grad(t, true);
  return t;
}

TEST(Autograd, MulAddBackward) {
  Tensor x = leaf({3}, 2.0), y = leaf({3}, 5.0);
  Tensor z = sum(add(mul(x, y), x));
  backward(z);
  EXPECT_DOUBLE_EQ(read_as_double(grad_of(x), 0), 6.0);  // y + 1
  EXPECT_DOUBLE_EQ(read_as_double(grad_of(y), 0), 2.0);  // x
}

TEST(Autograd, BroadcastGradientIsReduced) {
  Tensor x = leaf({2, 3}, 1.0), b = leaf({3}, 0.0);
  backward(sum(add(x, b)));
  EXPECT_EQ(grad_of(b).shape(), (Shape{3}));
  EXPECT_DOUBLE_EQ(read_as_double(grad_of(b), 0), 2.0);
}

TEST(Autograd, AccumulatesAcrossBackwardCalls) {
  Tensor x = leaf({1}, 3.0);
  backward(sum(mul(x, x)));
  backward(sum(mul(x, x)));
  EXPECT_DOUBLE_EQ(read_as_double(grad_of(x), 0), 12.0);
}

TEST(Autograd, SecondBackwardWithoutRetainGraphFails) {
  Tensor x = leaf({1}, 3.0);
  Tensor y = sum(mul(x, x));
  backward(y);
  EXPECT_THROW(backward(y), Error);
}

TEST(Autograd, InPlaceModificationOfSavedTensorIsAnError) {
  Tensor x = leaf({2}, 1.0);
  Tensor a = mul(x, Scalar(2.0));
  Tensor b = mul(a, a);  // saves a
  {
    add_(a, ones({2}));
  }
  EXPECT_THROW(backward(sum(b)), Error);
}

TEST(Autograd, NoGradRecordsNothing) {
  Tensor x = leaf({2}, 1.0);
  NoGradGuard g;
  Tensor y = mul(x, x);
  EXPECT_FALSE(y.requires_grad());
}

TEST(Autograd, DoubleBackward) {
  Tensor x = leaf({1}, 3.0);
  Tensor y = sum(mul(mul(x, x), x));  // x^3
  auto g = grad(std::span<const Tensor>(&y, 1), std::span<const Tensor>(&x, 1), {}, true, true);
  EXPECT_DOUBLE_EQ(read_as_double(g[0], 0), 27.0);  // 3x^2
  backward(sum(g[0]));
  EXPECT_DOUBLE_EQ(read_as_double(grad_of(x), 0), 18.0);  // 6x
}

TEST(Autograd, ExpUsesSavedOutput) {
  Tensor x = leaf({1}, 0.5);
  backward(sum(exp(x)));
  EXPECT_NEAR(read_as_double(grad_of(x), 0), std::exp(0.5), 1e-6);
}

TEST(Autograd, LeafInPlaceUnderGradIsAnError) {
  Tensor x = leaf({2}, 1.0);
  EXPECT_THROW(add_(x, ones({2})), Error);
}

}  // namespace
}  // namespace ember
