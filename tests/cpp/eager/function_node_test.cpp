#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops.h"
#include "eager/autograd.h"
#include "eager/function_node.h"
#include "eager/grad_mode.h"

namespace ember {
namespace {

Tensor leaf(IntList shape, double v) {
  Tensor t = full(shape, v);
  set_requires_grad(t, true);
  return t;
}

// y = x^2 computed outside autograd, linked by a FunctionNode whose backward is 2 x g.
Tensor square_fn(const Tensor& x) {
  Tensor y;
  {
    NoGradGuard ng;
    y = mul(x, x);
  }
  Tensor in[] = {x}, out[] = {y};
  attach_function_node("SquareBackward", in, out,
                       [x](TensorList g) -> TensorList { return {mul(mul(x, g[0]), full({}, 2.0))}; });
  return y;
}

TEST(FunctionNode, LinksOutputsToInputs) {
  Tensor x = leaf({3}, 1.5);
  Tensor y = square_fn(x);
  ASSERT_TRUE(y.requires_grad());
  EXPECT_EQ(grad_fn(y)->name(), "SquareBackward");
  backward(sum(y));
  EXPECT_DOUBLE_EQ(read_as_double(grad_of(x), 0), 3.0);
}

TEST(FunctionNode, NoHistoryWithoutGradOrGradMode) {
  Tensor x = full({2}, 1.0);
  EXPECT_FALSE(square_fn(x).requires_grad());
  Tensor l = leaf({2}, 1.0);
  NoGradGuard ng;
  EXPECT_FALSE(square_fn(l).requires_grad());
}

TEST(FunctionNode, WrongGradientShapeOrCountRaises) {
  Tensor x = leaf({3}, 1.0);
  Tensor y;
  {
    NoGradGuard ng;
    y = mul(x, x);
  }
  Tensor in[] = {x}, out[] = {y};
  attach_function_node("BadBackward", in, out,
                       [](TensorList) -> TensorList { return {full({2}, 1.0)}; });
  EXPECT_THROW(backward(sum(y)), Error);

  Tensor y2;
  {
    NoGradGuard ng;
    y2 = mul(x, x);
  }
  Tensor out2[] = {y2};
  attach_function_node("CountBackward", in, out2,
                       [](TensorList) -> TensorList { return {}; });
  EXPECT_THROW(backward(sum(y2)), Error);
}

TEST(FunctionNode, SecondBackwardWithoutRetainGraphRaises) {
  Tensor x = leaf({1}, 2.0);
  Tensor y = sum(square_fn(x));
  backward(y, Tensor(), /*retain_graph=*/true);
  backward(y);
  EXPECT_DOUBLE_EQ(read_as_double(grad_of(x), 0), 8.0);
  EXPECT_THROW(backward(y), Error);
}

}  // namespace
}  // namespace ember
