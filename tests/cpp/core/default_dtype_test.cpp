#include <gtest/gtest.h>

#include "core/default_dtype.h"
#include "core/ops.h"

namespace ember {
namespace {

// Sets the default dtype for one test and always restores float32, so other tests in this
// binary see the start-up default even when an expectation fails.
class DefaultDTypeTest : public ::testing::Test {
 protected:
  void TearDown() override { set_default_dtype(DType::Float32); }
};

TEST_F(DefaultDTypeTest, StartsAsFloat32) { EXPECT_EQ(default_dtype(), DType::Float32); }

TEST_F(DefaultDTypeTest, FactoriesFollowTheDefault) {
  set_default_dtype(DType::Float64);
  EXPECT_EQ(default_dtype(), DType::Float64);
  EXPECT_EQ(default_float_dtype(), DType::Float64);
  EXPECT_EQ(zeros({2}).dtype(), DType::Float64);
  EXPECT_EQ(ones({2}).dtype(), DType::Float64);
  EXPECT_EQ(empty({2}).dtype(), DType::Float64);
  EXPECT_EQ(eye(3).dtype(), DType::Float64);
  EXPECT_EQ(full({2}, 0.5).dtype(), DType::Float64);
  EXPECT_EQ(full({2}, 3).dtype(), DType::Int64);  // an int fill keeps int64, as PyTorch
  EXPECT_EQ(arange(0.0, 1.0, 0.25).dtype(), DType::Float64);
  EXPECT_EQ(arange(4).dtype(), DType::Int64);
  EXPECT_EQ(linspace(0, 1, 5).dtype(), DType::Float64);
  EXPECT_EQ(logspace(0, 1, 5).dtype(), DType::Float64);
  EXPECT_EQ(rand({3}).dtype(), DType::Float64);
  EXPECT_EQ(randn({3}).dtype(), DType::Float64);
  EXPECT_EQ(uniform({3}, -1, 1).dtype(), DType::Float64);
  EXPECT_EQ(normal(0.0, 1.0, {3}).dtype(), DType::Float64);
  EXPECT_EQ(randint(0, 5, {3}).dtype(), DType::Int64);
  EXPECT_EQ(scalar_tensor(Scalar(2.5)).dtype(), DType::Float64);
  EXPECT_EQ(Tensor::empty({2, 3}).dtype(), DType::Float64);  // the low-level factory too
  EXPECT_EQ(arange(0, 3, 0.5).dtype(), DType::Float64);      // one float bound is enough
  EXPECT_EQ(full({2}, true).dtype(), DType::Bool);
  // An explicit dtype still wins.
  EXPECT_EQ(zeros({2}, DType::Float32).dtype(), DType::Float32);
  EXPECT_EQ(randn({2}, DType::Float16).dtype(), DType::Float16);
}

TEST_F(DefaultDTypeTest, LikeFactoriesKeepTheirInputsDtype) {
  Tensor f32 = ones({2}, DType::Float32);
  set_default_dtype(DType::Float64);
  EXPECT_EQ(zeros_like(f32).dtype(), DType::Float32);
  EXPECT_EQ(rand_like(f32).dtype(), DType::Float32);
  EXPECT_EQ(full_like(arange(3), 1.5).dtype(), DType::Int64);  // PyTorch keeps the input's
}

TEST_F(DefaultDTypeTest, TheDefaultIsReadAtEachCall) {
  Tensor before = Tensor::empty({1});
  set_default_dtype(DType::Float64);
  Tensor during = Tensor::empty({1});
  set_default_dtype(DType::Float32);
  EXPECT_EQ(before.dtype(), DType::Float32);
  EXPECT_EQ(during.dtype(), DType::Float64);
  EXPECT_EQ(Tensor::empty({1}).dtype(), DType::Float32);
}

TEST_F(DefaultDTypeTest, IntTimesFloatScalarPromotesToTheDefault) {
  set_default_dtype(DType::Float64);
  Tensor i = arange(3);  // int64
  Tensor y = mul(i, Scalar(0.1));
  ASSERT_EQ(y.dtype(), DType::Float64);
  // Computed in double: 2 * 0.1 exactly as a double product, not a float32 one.
  EXPECT_EQ(read_as_double(y, 2), 2 * 0.1);
  EXPECT_EQ(sqrt(i).dtype(), DType::Float64);  // int -> float ops use the default too
  // A float32 tensor is not raised by a Python-style scalar.
  EXPECT_EQ(mul(ones({2}, DType::Float32), Scalar(0.1)).dtype(), DType::Float32);
}

TEST_F(DefaultDTypeTest, Float64RangesMatchDoubleArithmetic) {
  set_default_dtype(DType::Float64);
  Tensor l = linspace(0, 1, 11);
  for (int64_t k = 0; k <= 10; ++k) EXPECT_NEAR(read_as_double(l, k), k / 10.0, 1e-15);
  Tensor a = arange(0.0, 1.0, 0.1);
  ASSERT_EQ(a.numel(), 10);
  for (int64_t k = 0; k < 10; ++k) EXPECT_NEAR(read_as_double(a, k), k * 0.1, 1e-15);
}

TEST_F(DefaultDTypeTest, OtherFloatTypesAreAllowed) {
  set_default_dtype(DType::BFloat16);
  EXPECT_EQ(zeros({1}).dtype(), DType::BFloat16);
  set_default_dtype(DType::Float16);
  EXPECT_EQ(randn({1}).dtype(), DType::Float16);
}

TEST_F(DefaultDTypeTest, NonFloatingDtypesRaiseAndKeepTheDefault) {
  set_default_dtype(DType::Float64);
  for (DType d : {DType::Int64, DType::Int32, DType::Bool, DType::UInt8}) {
    try {
      set_default_dtype(d);
      FAIL() << "set_default_dtype accepted " << dtype_name(d);
    } catch (const TypeError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("[set_default_dtype]"), std::string::npos) << msg;
      EXPECT_NE(msg.find("float64"), std::string::npos) << msg;
      EXPECT_NE(msg.find(std::string(dtype_name(d))), std::string::npos) << msg;
    }
    EXPECT_EQ(default_dtype(), DType::Float64);
  }
}

}  // namespace
}  // namespace ember
