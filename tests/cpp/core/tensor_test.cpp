#include <gtest/gtest.h>

#include "core/ops.h"

namespace ember {
namespace {

TEST(Tensor, EmptyHasContiguousStrides) {
  Tensor t = Tensor::empty({2, 3, 4});
  EXPECT_EQ(t.dim(), 3);
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.strides(), (Strides{12, 4, 1}));
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_EQ(t.dtype(), DType::Float32);
}

TEST(Tensor, FullAndItem) {
  Tensor t = full({2, 2}, 3.5);
  EXPECT_EQ(t.dtype(), DType::Float32);
  EXPECT_DOUBLE_EQ(read_as_double(t, 3), 3.5);
  EXPECT_THROW(t.item<double>(), ValueError);
  EXPECT_DOUBLE_EQ(sum(t).item<double>(), 14.0);
}

TEST(Tensor, TransposeIsAViewSharingStorage) {
  Tensor t = zeros({2, 3});
  Tensor u = transpose(t, 0, 1);
  EXPECT_EQ(u.shape(), (Shape{3, 2}));
  EXPECT_FALSE(u.is_contiguous());
  EXPECT_EQ(u.storage().get(), t.storage().get());
  Tensor c = contiguous(u);
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_NE(c.storage().get(), t.storage().get());
}

TEST(Tensor, ReshapeOfNonContiguousCopies) {
  Tensor t = add(zeros({2, 3}), full({3}, 1.0));
  Tensor u = transpose(t, 0, 1);
  EXPECT_THROW(view(u, {6}), ValueError);
  Tensor r = reshape(u, {6});
  EXPECT_EQ(r.shape(), (Shape{6}));
}

TEST(Tensor, BroadcastAddAndPromotion) {
  Tensor a = full({2, 1}, 1, DType::Int32);
  Tensor b = full({3}, 0.5);
  Tensor c = add(a, b);
  EXPECT_EQ(c.shape(), (Shape{2, 3}));
  EXPECT_EQ(c.dtype(), DType::Float32);
  EXPECT_DOUBLE_EQ(read_as_double(c, 5), 1.5);
  // A Python-number scalar does not promote a float16 tensor.
  Tensor h = full({2}, 1.0, DType::Float16);
  EXPECT_EQ(mul(h, Scalar(2.5)).dtype(), DType::Float16);
  // But an int tensor times a float scalar becomes float32.
  EXPECT_EQ(mul(a, Scalar(2.5)).dtype(), DType::Float32);
}

TEST(Tensor, BroadcastErrorNamesOpAndShapes) {
  try {
    add(zeros({2, 3}), zeros({4}));
    FAIL();
  } catch (const ValueError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("[add]"), std::string::npos) << m;
    EXPECT_NE(m.find("[2, 3]"), std::string::npos) << m;
    EXPECT_NE(m.find("[4]"), std::string::npos) << m;
  }
}

TEST(Tensor, SumOverDims) {
  Tensor t = reshape(add(zeros({6}), full({6}, 1.0)), {2, 3});
  EXPECT_EQ(sum(t, {0}).shape(), (Shape{3}));
  EXPECT_EQ(sum(t, {1}, true).shape(), (Shape{2, 1}));
  EXPECT_DOUBLE_EQ(read_as_double(sum(t, {0}), 0), 2.0);
  EXPECT_DOUBLE_EQ(read_as_double(sum(transpose(t, 0, 1), {1}), 2), 2.0);
}

TEST(Tensor, HalfRoundTrip) {
  for (float f : {0.0f, 1.0f, -2.5f, 65504.0f, 1e-5f, 3.14159f}) {
    EXPECT_NEAR(static_cast<float>(Half(f)), f, std::abs(f) * 1e-3 + 1e-7);
    EXPECT_NEAR(static_cast<float>(BFloat16(f)), f, std::abs(f) * 1e-2 + 1e-7);
  }
}

TEST(Tensor, Repr) {
  EXPECT_EQ(full({2}, 1.0).str(), "tensor([1., 1.])");
  EXPECT_EQ(full({2}, 1, DType::Int32).str(), "tensor([1, 1], dtype=ember.int32)");
}

}  // namespace
}  // namespace ember
