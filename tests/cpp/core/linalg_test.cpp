// Matrix products from C++: BLAS layouts (transposed views), batching, dtypes, errors.
#include <gtest/gtest.h>

#include <string>

#include "core/ops.h"

namespace ember {
namespace {

// [rows, cols] tensor with values i - 2j (+ offset), in dtype dt.
Tensor mat(int64_t rows, int64_t cols, double off = 0, DType dt = DType::Float64) {
  Tensor t = Tensor::empty({rows, cols}, DType::Float64);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) t.data<double>()[i * cols + j] = i - 2.0 * j + off;
  return dt == DType::Float64 ? t : to_dtype(t, dt);
}

// Naive reference product of two 2-D tensors, as doubles.
double ref(const Tensor& a, const Tensor& b, int64_t i, int64_t j) {
  double s = 0;
  for (int64_t p = 0; p < a.size(1); ++p) {
    s += read_as_double(a, i * a.size(1) + p) * read_as_double(b, p * b.size(1) + j);
  }
  return s;
}

void expect_product(const Tensor& out, const Tensor& a, const Tensor& b, double tol = 1e-9) {
  ASSERT_EQ(out.shape(), (Shape{a.size(0), b.size(1)}));
  for (int64_t i = 0; i < a.size(0); ++i)
    for (int64_t j = 0; j < b.size(1); ++j)
      EXPECT_NEAR(read_as_double(out, i * b.size(1) + j), ref(a, b, i, j), tol);
}

TEST(Linalg, MmAllTransposeCombinations) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    Tensor a = mat(4, 3, 0.5, dt), b = mat(3, 5, -1, dt);
    Tensor at = transpose(mat(3, 4, 0.5, dt), 0, 1);  // strides (1, 4): BLAS transposes
    Tensor bt = transpose(mat(5, 3, -1, dt), 0, 1);
    expect_product(mm(a, b), a, b, 1e-4);
    expect_product(mm(at, b), at, b, 1e-4);
    expect_product(mm(a, bt), a, bt, 1e-4);
    expect_product(mm(at, bt), at, bt, 1e-4);
  }
}

TEST(Linalg, OtherDtypesFallBack) {
  for (DType dt : {DType::Int32, DType::Int64, DType::Float16, DType::BFloat16}) {
    Tensor a = mat(3, 4, 1, dt), b = mat(4, 2, 0, dt);
    Tensor out = matmul(a, b);
    EXPECT_EQ(out.dtype(), dt);
    expect_product(out, a, b, dt == DType::BFloat16 ? 0.5 : 1e-2);
  }
}

TEST(Linalg, BatchedBroadcastAndVectors) {
  Tensor a = reshape(mat(6, 4), {2, 1, 3, 4});
  Tensor b = reshape(mat(20, 2), {5, 4, 2});
  EXPECT_EQ(matmul(a, b).shape(), (Shape{2, 5, 3, 2}));
  Tensor v = reshape(mat(4, 1), {4});
  EXPECT_EQ(matmul(v, v).shape(), Shape{});
  EXPECT_EQ(matmul(mat(3, 4), v).shape(), (Shape{3}));
  EXPECT_EQ(matmul(v, mat(4, 2)).shape(), (Shape{2}));
  EXPECT_EQ(mv(mat(3, 4), v).shape(), (Shape{3}));
  EXPECT_DOUBLE_EQ(dot(v, v).item<double>(), 0 + 1 + 4 + 9);
  EXPECT_EQ(outer(v, v).shape(), (Shape{4, 4}));
  Tensor bias = full({2}, 1.0, DType::Float64);
  Tensor r = addmm(bias, mat(3, 4), mat(4, 2), 2.0, 0.5);
  EXPECT_NEAR(read_as_double(r, 0), 2.0 + 0.5 * ref(mat(3, 4), mat(4, 2), 0, 0), 1e-12);
}

TEST(Linalg, ErrorsNameTheOpAndShapes) {
  try {
    matmul(mat(2, 3), mat(4, 5));
    FAIL() << "expected an error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("[matmul] shapes [2, 3] and [4, 5]"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(mm(mat(2, 3), reshape(mat(3, 1), {3})), ValueError);
  EXPECT_THROW(bmm(mat(2, 3), mat(3, 2)), ValueError);
  EXPECT_THROW(matmul(mat(2, 2), mat(2, 2, 0, DType::Float32)), TypeError);
}

}  // namespace
}  // namespace ember
