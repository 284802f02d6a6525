// Reductions and softmax from C++: values, dtype rules, layouts, op round-trips, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "core/dispatch.h"
#include "core/op_registry.h"
#include "core/ops.h"
#include "core/ops/reduce_ops.h"

namespace ember {
namespace {

// A [rows, cols] float64 tensor with values v(i, j).
template <class F>
Tensor make2d(int64_t rows, int64_t cols, F v, DType dt = DType::Float64) {
  Tensor t = Tensor::empty({rows, cols}, DType::Float64);
  double* p = t.data<double>();
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) p[i * cols + j] = v(i, j);
  return dt == DType::Float64 ? t : to_dtype(t, dt);
}

double at(const Tensor& t, int64_t i) { return read_as_double(t, i); }

TEST(Reduce, SumOverEachLayout) {
  Tensor x = make2d(3, 4, [](int64_t i, int64_t j) { return i * 10 + j; });
  EXPECT_DOUBLE_EQ(sum(x).item<double>(), 138.0);
  Tensor rows = sum(x, {1});
  EXPECT_EQ(rows.shape(), (Shape{3}));
  EXPECT_DOUBLE_EQ(at(rows, 2), 20 + 21 + 22 + 23);
  Tensor cols = sum(x, {0}, /*keepdim=*/true);
  EXPECT_EQ(cols.shape(), (Shape{1, 4}));
  EXPECT_DOUBLE_EQ(at(cols, 1), 1 + 11 + 21);
  // A transposed (non-contiguous) input gives the same sums.
  Tensor xt = transpose(x, 0, 1);
  EXPECT_DOUBLE_EQ(at(sum(xt, {1}), 1), 1 + 11 + 21);
}

TEST(Reduce, IntegerSumAndProdAccumulateInInt64) {
  Tensor x =
      to_dtype(make2d(2, 3, [](int64_t i, int64_t j) { return i * 3 + j + 1; }), DType::Int32);
  EXPECT_EQ(sum(x).dtype(), DType::Int64);
  EXPECT_EQ(sum(x).item<int64_t>(), 21);
  EXPECT_EQ(prod(x).item<int64_t>(), 720);
  EXPECT_EQ(sum(x, {}, false, DType::Float32).dtype(), DType::Float32);
}

TEST(Reduce, MeanVarStd) {
  Tensor x = make2d(1, 4, [](int64_t, int64_t j) { return static_cast<double>(j + 1); });
  EXPECT_DOUBLE_EQ(mean(x).item<double>(), 2.5);
  EXPECT_NEAR(var(x).item<double>(), 5.0 / 3.0, 1e-15);
  EXPECT_NEAR(var(x, {}, 0).item<double>(), 1.25, 1e-15);
  EXPECT_NEAR(ember::std(x).item<double>(), std::sqrt(5.0 / 3.0), 1e-15);
  auto [v, m] = var_mean(x, {1});
  EXPECT_DOUBLE_EQ(at(m, 0), 2.5);
  EXPECT_THROW(mean(to_dtype(x, DType::Int64)), TypeError);
  EXPECT_THROW(var(to_dtype(x, DType::Int64)), TypeError);
}

TEST(Reduce, Float32SumIsAccurate) {
  const int64_t n = 3'000'000;
  Tensor x = full({n}, 0.1f);
  // A float32 running sum drifts by ~1e-3 relative here; double accumulation does not.
  EXPECT_NEAR(sum(x).item<double>(), n * static_cast<double>(0.1f), 1e-2);
}

TEST(Reduce, MaxMinWithIndices) {
  Tensor x = make2d(2, 3, [](int64_t i, int64_t j) { return i == 0 ? (j == 0 ? 1 : 5) : 7 - j; });
  auto r = max(x, 1);
  EXPECT_DOUBLE_EQ(at(r.values, 0), 5);
  EXPECT_EQ(r.indices.dtype(), DType::Int64);
  EXPECT_EQ(read_as_double(r.indices, 0), 1);  // first of the tied maxima
  EXPECT_EQ(read_as_double(r.indices, 1), 0);
  EXPECT_DOUBLE_EQ(max(x).item<double>(), 7);
  EXPECT_DOUBLE_EQ(min(x).item<double>(), 1);
  EXPECT_EQ(argmax(x).item<int64_t>(), 3);
  EXPECT_EQ(argmin(x, 0).shape(), (Shape{3}));
  EXPECT_EQ(amax(x, {0, 1}, true).shape(), (Shape{1, 1}));
  EXPECT_THROW(max(zeros({0, 2})), ValueError);
  EXPECT_THROW(max(x, 2), IndexError);
}

TEST(Reduce, LogSumExpIsStable) {
  Tensor x = full({2, 3}, 1000.0, DType::Float64);
  EXPECT_NEAR(at(logsumexp(x, {1}), 0), 1000 + std::log(3.0), 1e-12);
}

TEST(Reduce, AllAnyNormScans) {
  Tensor x = make2d(2, 2, [](int64_t i, int64_t j) { return i * 2 + j; });  // 0 1 / 2 3
  EXPECT_FALSE(all(x).item<bool>());
  EXPECT_TRUE(any(x).item<bool>());
  EXPECT_EQ(all(x).dtype(), DType::Bool);
  EXPECT_NEAR(norm(x).item<double>(), std::sqrt(14.0), 1e-15);
  EXPECT_NEAR(norm(x, 1).item<double>(), 6.0, 1e-15);
  EXPECT_NEAR(norm(x, INFINITY).item<double>(), 3.0, 1e-15);
  Tensor c = cumsum(x, 1);
  EXPECT_DOUBLE_EQ(at(c, 3), 5);
  Tensor p = cumprod(x, 0);
  EXPECT_DOUBLE_EQ(at(p, 3), 3);
  EXPECT_EQ(cumsum(to_dtype(x, DType::Int32), 0).dtype(), DType::Int64);
}

TEST(Reduce, OpsRoundTripThroughTheRegistry) {
  for (const char* name : {"sum",          "prod",
                           "amax",         "amin",
                           "max",          "min",
                           "argmax",       "argmin",
                           "var",          "std",
                           "logsumexp",    "all",
                           "any",          "norm",
                           "cumsum",       "cumprod",
                           "softmax",      "log_softmax",
                           "matmul",       "index_one_hot",
                           "tie_mask",     "cumprod_backward",
                           "norm_backward"}) {
    EXPECT_TRUE(has_op(name)) << name;
  }
  VarOp v(ReduceAttrs{Shape{1}, true}, 0.0);
  Attrs a;
  v.attributes(a);
  auto rebuilt = make_op("var", a);
  EXPECT_TRUE(rebuilt->is_equivalent(v));
  Tensor x = make2d(2, 3, [](int64_t i, int64_t j) { return i + j * j; });
  const Tensor in[] = {x};
  EXPECT_DOUBLE_EQ(at(run_op(*rebuilt, in)[0], 1), at(var(x, {1}, 0, true), 1));
}

TEST(Softmax, RowsSumToOneAlongAnyDim) {
  Tensor x = make2d(3, 5, [](int64_t i, int64_t j) { return std::sin(i * 5.0 + j) * 50; });
  for (int64_t dim : {0, 1}) {
    Tensor s = sum(softmax(x, dim), {dim});
    for (int64_t k = 0; k < s.numel(); ++k) EXPECT_NEAR(at(s, k), 1.0, 1e-12);
    Tensor l = logsumexp(log_softmax(x, dim), {dim});
    for (int64_t k = 0; k < l.numel(); ++k) EXPECT_NEAR(at(l, k), 0.0, 1e-12);
  }
  EXPECT_THROW(softmax(to_dtype(x, DType::Int64), 0), TypeError);
  EXPECT_EQ(softmax(to_dtype(x, DType::Int64), 0, DType::Float32).dtype(), DType::Float32);
  EXPECT_THROW(log_softmax(x, 3), IndexError);
}

}  // namespace
}  // namespace ember
