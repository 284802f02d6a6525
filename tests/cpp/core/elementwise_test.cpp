// Elementwise op families (unary, activation, arithmetic, comparison): C++-level behaviour
// the Python tests do not reach (op classes, attributes round trips, raw dtype rules).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/ops.h"
#include "core/ops/activation_ops.h"
#include "core/ops/arithmetic_ops.h"
#include "core/ops/comparison_ops.h"
#include "core/ops/unary_ops.h"

namespace ember {
namespace {

Tensor vec(std::vector<double> v, DType d = DType::Float32) {
  Tensor t = empty({static_cast<int64_t>(v.size())}, DType::Float64);
  for (size_t i = 0; i < v.size(); ++i) t.data<double>()[i] = v[i];
  return to_dtype(t, d);
}

std::vector<double> values(const Tensor& t) {
  std::vector<double> out;
  for (int64_t i = 0; i < t.numel(); ++i) out.push_back(read_as_double(t, i));
  return out;
}

TEST(Unary, FloatFunctionsPromoteIntegers) {
  Tensor i = vec({0, 1, 4}, DType::Int64);
  EXPECT_EQ(exp(i).dtype(), DType::Float32);
  EXPECT_EQ(values(sqrt(i)), (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(floor(i).dtype(), DType::Int64);
  EXPECT_EQ(abs(neg(i)).dtype(), DType::Int64);
  EXPECT_EQ(isnan(i).dtype(), DType::Bool);
  EXPECT_THROW(neg(vec({1}, DType::Bool)), TypeError);
}

TEST(Unary, InPlaceWritesStridedView) {
  Tensor base = vec({1, 4, 9, 16});
  Tensor v = make_view(base, {2}, {2}, 0);  // elements 0 and 2
  sqrt_(v);
  EXPECT_EQ(values(base), (std::vector<double>{1, 4, 3, 16}));
  Tensor i = vec({1, 2}, DType::Int32);
  EXPECT_THROW(exp_(i), TypeError);
}

TEST(Arithmetic, IntegerDivisionFamily) {
  Tensor a = vec({7, -7, 7, -7}, DType::Int64);
  Tensor b = vec({2, 2, -2, -2}, DType::Int64);
  EXPECT_EQ(values(floor_divide(a, b)), (std::vector<double>{3, -4, -4, 3}));
  EXPECT_EQ(values(div(a, b, "trunc")), (std::vector<double>{3, -3, -3, 3}));
  EXPECT_EQ(values(remainder(a, b)), (std::vector<double>{1, 1, -1, -1}));
  EXPECT_EQ(values(fmod(a, b)), (std::vector<double>{1, -1, 1, -1}));
  EXPECT_EQ(floor_divide(a, b).dtype(), DType::Int64);
  EXPECT_THROW(remainder(a, vec({1, 0, 1, 1}, DType::Int64)), Error);
  EXPECT_THROW(div(a, b, "round"), ValueError);
}

TEST(Arithmetic, PowScalarIsExactAndKeepsIntegers) {
  Tensor x = vec({1.1f, -3.3f, 0.7f});
  Tensor sq = pow(x, 2);
  for (int i = 0; i < 3; ++i) {
    float v = x.data<float>()[i];
    EXPECT_EQ(sq.data<float>()[i], v * v);
  }
  Tensor i = vec({-2, 3}, DType::Int32);
  EXPECT_EQ(pow(i, 3).dtype(), DType::Int32);
  EXPECT_EQ(values(pow(i, 3)), (std::vector<double>{-8, 27}));
  EXPECT_EQ(pow(i, 0.5).dtype(), DType::Float32);
  EXPECT_THROW(pow(i, -1), ValueError);
  EXPECT_EQ(values(pow(2, vec({0, 10}, DType::Int64))), (std::vector<double>{1, 1024}));
}

TEST(Arithmetic, ScalarOperandsKeepDoublePrecision) {
  Tensor d = vec({1.0}, DType::Float64);
  EXPECT_EQ(mul(d, 0.1).item<double>(), 0.1);
  EXPECT_EQ(mul(vec({1.0}, DType::Float16), 2.5).dtype(), DType::Float16);
}

TEST(Arithmetic, MaximumPropagatesNaN) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto v = values(maximum(vec({nan, 1}), vec({0, nan})));
  EXPECT_TRUE(std::isnan(v[0]) && std::isnan(v[1]));
}

TEST(Comparison, WhereBroadcastsAndPromotes) {
  Tensor c = gt(vec({1, -1}), 0);  // [2]
  Tensor a = vec({10, 20}, DType::Int64);
  Tensor out = where(reshape(c, {2, 1}), a, 0.5);  // [2, 2]
  EXPECT_EQ(out.shape(), (Shape{2, 2}));
  EXPECT_EQ(out.dtype(), DType::Float32);
  EXPECT_EQ(values(out), (std::vector<double>{10, 20, 0.5, 0.5}));
  EXPECT_THROW(where(vec({1}), a, a), TypeError);
}

TEST(Comparison, EqualAndAllclose) {
  Tensor a = vec({1, 2, 3});
  EXPECT_TRUE(equal(a, add(a, 0)));
  EXPECT_FALSE(equal(a, vec({1, 2})));
  EXPECT_TRUE(allclose(a, add(a, 1e-7)));
  EXPECT_FALSE(allclose(a, add(a, 1e-2)));
  EXPECT_THROW(bitwise_and(a, a), TypeError);
  EXPECT_EQ(values(bitwise_xor(vec({6}, DType::Int64), vec({3}, DType::Int64))),
            (std::vector<double>{5}));
}

TEST(Activation, ClampNumberAndTensorBounds) {
  Tensor x = vec({-2, 0.5, 3});
  EXPECT_EQ(values(clamp(x, Scalar(-1), Scalar(1))), (std::vector<double>{-1, 0.5, 1}));
  EXPECT_EQ(values(clamp_min(x, Scalar(0))), (std::vector<double>{0, 0.5, 3}));
  EXPECT_EQ(values(clamp(x, vec({0, 0, 0}), Tensor())), (std::vector<double>{0, 0.5, 3}));
  EXPECT_THROW(clamp(x, std::nullopt, std::nullopt), ValueError);
  EXPECT_EQ(clamp(vec({1, 5}, DType::Int64), Scalar(2.5), std::nullopt).dtype(), DType::Float32);
}

// Ops with attributes rebuild from (name, attributes), as the saved-graph loader does.
template <class OpT>
void expect_round_trip(const OpT& op) {
  Attrs attrs;
  op.attributes(attrs);
  std::unique_ptr<Op> rebuilt = make_op(op.name(), attrs);
  EXPECT_TRUE(rebuilt->is_equivalent(op)) << op.name();
  EXPECT_TRUE(rebuilt->is_elementwise()) << op.name();
}

TEST(Registry, ElementwiseOpsRoundTripThroughAttributes) {
  expect_round_trip(GeluOp(true));
  expect_round_trip(SoftplusOp(2.0, 5.0));
  expect_round_trip(LeakyReluOp(0.2));
  expect_round_trip(EluOp(0.5));
  expect_round_trip(HardtanhOp(-2.0, 2.0));
  expect_round_trip(ClampOp(Scalar(0), std::nullopt));
  expect_round_trip(PowScalarOp(Scalar(2.5)));
  expect_round_trip(IscloseOp(1e-3, 1e-6, true));
  expect_round_trip(ExpOp());
  expect_round_trip(WhereOp());
  EXPECT_FALSE(GeluOp(true).is_equivalent(GeluOp(false)));
  for (const char* name : {"neg", "abs", "sigmoid", "floor_divide", "remainder", "maximum",
                           "logical_xor", "bitwise_not", "isfinite", "erf"}) {
    EXPECT_TRUE(has_op(name)) << name;
  }
}

}  // namespace
}  // namespace ember
