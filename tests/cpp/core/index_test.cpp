// Indexing (IndexSpec), index_put_, and the index ops from C++.
#include <gtest/gtest.h>

#include <numeric>

#include "core/ops.h"

namespace ember {
namespace {

Tensor iota(IntList shape, DType dtype = DType::Float32) {
  Tensor t = Tensor::empty(shape, DType::Float64);
  double* p = t.data<double>();
  std::iota(p, p + t.numel(), 0.0);
  return to_dtype(t, dtype);
}

Tensor ints(std::vector<int64_t> v) {
  Tensor t = Tensor::empty({static_cast<int64_t>(v.size())}, DType::Int64);
  std::copy(v.begin(), v.end(), t.data<int64_t>());
  return t;
}

std::vector<double> values(const Tensor& t) {
  std::vector<double> out(t.numel());
  for (int64_t i = 0; i < t.numel(); ++i) out[i] = read_as_double(t, i);
  return out;
}

using TI = TensorIndex;

TEST(Index, BasicSpecIsAView) {
  Tensor t = iota({3, 4});
  Tensor v = index(t, {TI::integer(1), TI::slice(1, std::nullopt, 2)});
  EXPECT_EQ(v.shape(), (Shape{2}));
  EXPECT_EQ(v.storage().get(), t.storage().get());
  EXPECT_EQ(values(v), (std::vector<double>{5, 7}));
  Tensor n = index(t, {TI::none(), TI::ellipsis(), TI::none()});
  EXPECT_EQ(n.shape(), (Shape{1, 3, 4, 1}));
}

TEST(Index, AdvancedAdjacentAndSeparated) {
  Tensor t = iota({2, 3, 4});
  Tensor a = index(t, {TI::slice(), TI::of(ints({0, 2})), TI::of(ints({1, 3}))});
  EXPECT_EQ(a.shape(), (Shape{2, 2}));
  EXPECT_EQ(values(a), (std::vector<double>{1, 11, 13, 23}));
  // Separated by a slice: the broadcast index dims go first.
  Tensor s = index(t, {TI::of(ints({0, 1})), TI::slice(), TI::of(ints({3, 0}))});
  EXPECT_EQ(s.shape(), (Shape{2, 3}));
  EXPECT_EQ(values(s), (std::vector<double>{3, 7, 11, 12, 16, 20}));
  Tensor mask = to_dtype(ints({1, 0}), DType::Bool);
  EXPECT_EQ(index(t, {TI::of(mask)}).shape(), (Shape{1, 3, 4}));
}

TEST(Index, OutOfRangeNamesDimIndexAndSize) {
  Tensor t = iota({2, 3});
  try {
    index(t, {TI::slice(), TI::of(ints({0, 3}))});
    FAIL() << "no error";
  } catch (const IndexError& e) {
    EXPECT_NE(std::string(e.what()).find("[index] index 3 is out of bounds for dim 1 with size 3"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(index(t, {TI::integer(0), TI::integer(0), TI::integer(0)}), IndexError);
}

TEST(IndexPut, WritesInPlaceAndBumpsVersion) {
  Tensor t = zeros({2, 3});
  uint32_t v0 = t.version();
  index_put_(t, {TI::integer(1)}, scalar_tensor(5.0));
  index_put_(t, {TI::of(ints({0, 0})), TI::of(ints({2, 2}))}, scalar_tensor(1.0), true);
  EXPECT_GT(t.version(), v0);
  EXPECT_EQ(values(t), (std::vector<double>{0, 0, 2, 5, 5, 5}));
  Tensor u = index_put(t, {TI::slice(), TI::integer(0)}, ints({7, 8}));
  EXPECT_EQ(values(u), (std::vector<double>{7, 0, 2, 8, 5, 5}));
  EXPECT_EQ(values(t), (std::vector<double>{0, 0, 2, 5, 5, 5}));  // unchanged
}

TEST(IndexOps, GatherScatterIndexSelectAdd) {
  Tensor t = iota({2, 3});
  Tensor idx = reshape(ints({2, 0, 1, 1}), {2, 2});
  EXPECT_EQ(values(gather(t, 1, idx)), (std::vector<double>{2, 0, 4, 4}));
  Tensor s = scatter_add(zeros({2, 3}), 1, idx, ones({2, 2}));
  EXPECT_EQ(values(s), (std::vector<double>{1, 0, 1, 0, 2, 0}));
  Tensor sv = scatter(zeros({2, 3}), 1, idx, Scalar(3.0));
  EXPECT_EQ(values(sv), (std::vector<double>{3, 0, 3, 0, 3, 0}));
  EXPECT_EQ(values(index_select(t, 1, ints({2, 2}))), (std::vector<double>{2, 2, 5, 5}));
  Tensor ia = index_add(zeros({3}), 0, ints({0, 0, 2}), ones({3}), 2);
  EXPECT_EQ(values(ia), (std::vector<double>{4, 0, 2}));
  EXPECT_THROW(gather(t, 1, reshape(ints({3}), {1, 1})), IndexError);
}

TEST(IndexOps, MaskedNonzeroOneHot) {
  Tensor t = iota({2, 2});
  Tensor m = to_dtype(ints({1, 0}), DType::Bool);
  EXPECT_EQ(values(masked_fill(t, m, Scalar(-1))), (std::vector<double>{-1, 1, -1, 3}));
  EXPECT_EQ(values(masked_select(t, m)), (std::vector<double>{0, 2}));
  Tensor nz = nonzero(ints({0, 4, 0, 2}));
  EXPECT_EQ(nz.shape(), (Shape{2, 1}));
  EXPECT_EQ(values(nz), (std::vector<double>{1, 3}));
  Tensor oh = one_hot(ints({1, 0}));
  EXPECT_EQ(oh.dtype(), DType::Int64);
  EXPECT_EQ(values(oh), (std::vector<double>{0, 1, 1, 0}));
  EXPECT_THROW(one_hot(ints({5}), 3), IndexError);
  EXPECT_THROW(masked_fill(t, ints({1, 0}), Scalar(0)), TypeError);
}

}  // namespace
}  // namespace ember
