#include <gtest/gtest.h>

#include "core/dispatch.h"
#include "core/op_registry.h"
#include "core/ops.h"
#include "core/ops/creation_ops.h"

namespace ember {
namespace {

std::vector<double> values(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[i] = read_as_double(t, i);
  return v;
}

TEST(Creation, ArangeLengthsAndDtypes) {
  EXPECT_EQ(arange(5).dtype(), DType::Int64);
  EXPECT_EQ(values(arange(5)), (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_EQ(values(arange(10, 0, -3)), (std::vector<double>{10, 7, 4, 1}));
  EXPECT_EQ(values(arange(0, 10, 3)), (std::vector<double>{0, 3, 6, 9}));
  Tensor f = arange(0.0, 1.0, 0.1);
  EXPECT_EQ(f.dtype(), DType::Float32);
  EXPECT_EQ(f.numel(), 10);
  EXPECT_EQ(arange(1.0, 2.0, 0.3).numel(), 4);  // ceil(1 / 0.3)
  EXPECT_EQ(arange(3, 3).numel(), 0);
  EXPECT_THROW(arange(0, 5, 0), ValueError);
  EXPECT_THROW(arange(5, 0, 1), ValueError);
  EXPECT_THROW(arange(0, 5, 1, DType::Bool), TypeError);
}

TEST(Creation, LinspaceEndpointsExact) {
  Tensor t = linspace(-1.0, 1.0, 7, DType::Float64);
  auto v = values(t);
  EXPECT_EQ(v.front(), -1.0);
  EXPECT_EQ(v.back(), 1.0);
  EXPECT_DOUBLE_EQ(v[3], 0.0);
  EXPECT_EQ(linspace(2.0, 3.0, 1).numel(), 1);
  EXPECT_EQ(values(linspace(2.0, 3.0, 1)), std::vector<double>{2.0});
  EXPECT_EQ(linspace(0.0, 1.0, 0).numel(), 0);
  EXPECT_THROW(linspace(0.0, 1.0, -1), ValueError);
  EXPECT_EQ(values(logspace(0.0, 3.0, 4, 10.0, DType::Float64)),
            (std::vector<double>{1, 10, 100, 1000}));
}

TEST(Creation, EyeAndFull) {
  EXPECT_EQ(values(eye(2, 3)), (std::vector<double>{1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(eye(3).shape(), (Shape{3, 3}));
  EXPECT_THROW(eye(-1), ValueError);
  EXPECT_EQ(full({2}, int64_t{3}).dtype(), DType::Int64);
  EXPECT_EQ(full({2}, true).dtype(), DType::Bool);
  EXPECT_THROW(zeros({2, -1}), ValueError);
  EXPECT_THROW(empty({-3}), ValueError);
}

TEST(Creation, FillAndZeroInPlace) {
  Tensor t = zeros({2, 3}, DType::Int32);
  fill_(t, 7);
  EXPECT_EQ(values(t), std::vector<double>(6, 7));
  zero_(t);
  EXPECT_EQ(values(t), std::vector<double>(6, 0));
}

TEST(Creation, OpsRebuildFromAttributes) {
  ArangeOp op(Scalar(1.0), Scalar(2.0), Scalar(0.25), DType::Float64, kCPU);
  Attrs a;
  op.attributes(a);
  auto rebuilt = make_op("arange", a);
  EXPECT_TRUE(rebuilt->is_equivalent(op));
  EXPECT_EQ(values(run_op(*rebuilt, {})[0]), (std::vector<double>{1, 1.25, 1.5, 1.75}));
  for (const char* name : {"linspace", "logspace", "eye", "full"})
    EXPECT_TRUE(has_op(name)) << name;
}

}  // namespace
}  // namespace ember
