// Views by position and the shape ops from C++: values, aliasing, dtypes, error messages.
#include <gtest/gtest.h>

#include <numeric>

#include "core/ops.h"

namespace ember {
namespace {

// 0, 1, 2, ... in the given shape and dtype.
Tensor iota(IntList shape, DType dtype = DType::Float32) {
  Tensor t = Tensor::empty(shape, DType::Float64);
  double* p = t.data<double>();
  std::iota(p, p + t.numel(), 0.0);
  return to_dtype(t, dtype);
}

std::vector<double> values(const Tensor& t) {
  std::vector<double> out(t.numel());
  for (int64_t i = 0; i < t.numel(); ++i) out[i] = read_as_double(t, i);
  return out;
}

template <class E, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(Views, SliceSelectNarrowShareStorage) {
  Tensor t = iota({4, 5});
  Tensor s = slice(t, 1, 1, std::nullopt, 2);
  EXPECT_EQ(s.shape(), (Shape{4, 2}));
  EXPECT_EQ(s.strides(), (Strides{5, 2}));
  EXPECT_EQ(s.storage().get(), t.storage().get());
  EXPECT_EQ(values(s), (std::vector<double>{1, 3, 6, 8, 11, 13, 16, 18}));
  EXPECT_EQ(values(select(t, 0, -1)), (std::vector<double>{15, 16, 17, 18, 19}));
  EXPECT_EQ(values(narrow(t, 1, 3, 2)), (std::vector<double>{3, 4, 8, 9, 13, 14, 18, 19}));
  EXPECT_EQ(slice(t, 0, 3, 1).shape(), (Shape{0, 5}));       // stop < start: empty
  EXPECT_EQ(slice(t, 0, -100, 100).shape(), (Shape{4, 5}));  // clamped
}

TEST(Views, NegativeStepAndRangeErrors) {
  Tensor t = iota({3});
  EXPECT_NE(error_of<ValueError>([&] {
              slice(t, 0, std::nullopt, std::nullopt, -1);
            }).find("[slice] slice step must be positive, got -1"),
            std::string::npos);
  EXPECT_NE(error_of<IndexError>([&] {
              select(t, 0, 3);
            }).find("[select] index 3 is out of range for dim 0 with size 3"),
            std::string::npos);
  EXPECT_NE(error_of<IndexError>([&] { narrow(t, 0, 2, 2); }).find("[narrow]"), std::string::npos);
}

TEST(Views, UnbindDiagonalMovedim) {
  Tensor t = iota({2, 3});
  auto parts = unbind(t, 1);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(values(parts[2]), (std::vector<double>{2, 5}));
  Tensor sq = iota({3, 3});
  EXPECT_EQ(values(diagonal(sq)), (std::vector<double>{0, 4, 8}));
  EXPECT_EQ(values(diagonal(sq, 1)), (std::vector<double>{1, 5}));
  EXPECT_EQ(values(diagonal(sq, -2)), (std::vector<double>{6}));
  EXPECT_EQ(diagonal(sq).storage().get(), sq.storage().get());
  Tensor m = movedim(iota({2, 3, 4}), {0}, {2});
  EXPECT_EQ(m.shape(), (Shape{3, 4, 2}));
  EXPECT_EQ(unflatten(iota({6}), 0, {2, -1}).shape(), (Shape{2, 3}));
  EXPECT_EQ(reverse_dims(iota({2, 3, 4})).shape(), (Shape{4, 3, 2}));
  EXPECT_EQ(matrix_transpose(iota({2, 3, 4})).shape(), (Shape{2, 4, 3}));
}

TEST(Cat, PromotesAndSkipsEmpty) {
  Tensor a = iota({2}, DType::Int64);
  Tensor b = iota({1}, DType::Float32);
  Tensor e = Tensor::empty({0}, DType::Float64);
  const Tensor in[] = {a, e, b};
  Tensor c = cat(in);
  EXPECT_EQ(c.dtype(), DType::Float64);
  EXPECT_EQ(values(c), (std::vector<double>{0, 1, 0}));
  Tensor x = iota({2, 2});
  const Tensor in2[] = {x, transpose(x, 0, 1)};
  EXPECT_EQ(values(cat(in2, 1)), (std::vector<double>{0, 1, 0, 2, 2, 3, 1, 3}));
  EXPECT_EQ(stack(in2, 2).shape(), (Shape{2, 2, 2}));
  const Tensor bad[] = {iota({2, 2}), iota({3, 3})};
  EXPECT_NE(error_of<ValueError>([&] { cat(bad, 0); }).find("[cat] sizes of tensors must match"),
            std::string::npos);
}

TEST(ShapeOps, SplitChunkFlipRoll) {
  Tensor t = iota({5});
  auto parts = split(t, 2);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(values(parts[2]), (std::vector<double>{4}));
  auto sized = split(t, IntList{1, 4});
  EXPECT_EQ(values(sized[1]), (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(chunk(t, 2).size(), 2u);
  EXPECT_EQ(values(flip(t, {0})), (std::vector<double>{4, 3, 2, 1, 0}));
  EXPECT_EQ(values(roll(t, {2})), (std::vector<double>{3, 4, 0, 1, 2}));
  EXPECT_EQ(values(roll(iota({2, 2}), {1}, {1})), (std::vector<double>{1, 0, 3, 2}));
}

TEST(ShapeOps, RepeatTilePad) {
  Tensor t = iota({2});
  EXPECT_EQ(values(repeat(t, {2, 2})), (std::vector<double>{0, 1, 0, 1, 0, 1, 0, 1}));
  EXPECT_EQ(tile(iota({2, 3}), {2}).shape(), (Shape{2, 6}));
  Tensor p = iota({3});
  EXPECT_EQ(values(pad(p, {1, 2}, "constant", 9)), (std::vector<double>{9, 0, 1, 2, 9, 9}));
  EXPECT_EQ(values(pad(p, {2, 1}, "reflect")), (std::vector<double>{2, 1, 0, 1, 2, 1}));
  EXPECT_EQ(values(pad(p, {1, 1}, "replicate")), (std::vector<double>{0, 0, 1, 2, 2}));
  EXPECT_EQ(values(pad(p, {-1, 1})), (std::vector<double>{1, 2, 0}));
  EXPECT_NE(error_of<ValueError>([&] {
              pad(p, {3, 0}, "reflect");
            }).find("[pad] reflect padding"),
            std::string::npos);
}

TEST(ShapeOps, TrilTriuAllDtypes) {
  for (DType d : {DType::Float32, DType::Float64, DType::Float16, DType::BFloat16, DType::Int32,
                  DType::Int64, DType::UInt8}) {
    Tensor t = iota({2, 2}, d);
    EXPECT_EQ(values(tril(t)), (std::vector<double>{0, 0, 2, 3})) << dtype_name(d);
    EXPECT_EQ(values(triu(t, 1)), (std::vector<double>{0, 1, 0, 0})) << dtype_name(d);
  }
  EXPECT_THROW(tril(iota({3})), ValueError);
}

}  // namespace
}  // namespace ember
