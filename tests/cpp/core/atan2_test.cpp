// atan2: values against std::atan2 in double, broadcasting, dtype promotion, in-place rules
// and errors that name the op.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/default_dtype.h"
#include "core/op_registry.h"
#include "core/ops.h"
#include "core/ops/atan2_op.h"

namespace ember {
namespace {

Tensor vec(const std::vector<double>& v, DType d = DType::Float64) {
  Tensor t = Tensor::empty({static_cast<int64_t>(v.size())}, DType::Float64);
  for (size_t i = 0; i < v.size(); ++i) t.data<double>()[i] = v[i];
  return to_dtype(t, d);
}

TEST(Atan2, MatchesStdAtan2InEveryQuadrantAndAtSpecialValues) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> ys = {1, 1, -1, -1, 0, -0.0, 0, -0.0, 2, inf, -inf, inf, 3, NAN};
  const std::vector<double> xs = {1, -1, 1, -1, 0, 0, -0.0, -0.0, inf, 5, -inf, inf, -inf, 1};
  Tensor out = atan2(vec(ys), vec(xs));
  ASSERT_EQ(out.dtype(), DType::Float64);
  for (size_t i = 0; i < ys.size(); ++i) {
    const double want = std::atan2(ys[i], xs[i]), got = read_as_double(out, i);
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(got)) << i;
    } else {
      EXPECT_EQ(got, want) << "atan2(" << ys[i] << ", " << xs[i] << ")";
      EXPECT_EQ(std::signbit(got), std::signbit(want)) << i;  // atan2(-0, 0) is -0
    }
  }
}

// float32 runs a vectorizable polynomial (atan2_op.h), not libm: bound its error in ulps
// over magnitudes from 1e-30 to 1e30 in every octant, and keep IEEE's special cases.
TEST(Atan2, Float32KernelIsWithinFourUlpAndKeepsSpecialCases) {
  std::vector<double> ys, xs;
  const double mags[] = {1e-30, 3e-7, 0.01, 0.37, 0.4142, 0.99, 1.0, 1.01, 2.4142, 7.5, 1e5, 1e30};
  for (double my : mags) {
    for (double mx : mags) {
      for (int sy : {-1, 1}) {
        for (int sx : {-1, 1}) {
          ys.push_back(static_cast<float>(sy * my));
          xs.push_back(static_cast<float>(sx * mx));
        }
      }
    }
  }
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> special = {0.0, -0.0, 1.0, -2.0, inf, -inf, NAN};
  for (double y : special) {
    for (double x : special) {
      ys.push_back(y);
      xs.push_back(x);
    }
  }
  Tensor out = atan2(vec(ys, DType::Float32), vec(xs, DType::Float32));
  ASSERT_EQ(out.dtype(), DType::Float32);
  for (size_t i = 0; i < ys.size(); ++i) {
    const double want = std::atan2(ys[i], xs[i]), got = read_as_double(out, i);
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(got)) << "atan2(" << ys[i] << ", " << xs[i] << ")";
      continue;
    }
    const float wf = static_cast<float>(want);
    const double ulp = std::nextafter(std::fabs(wf), INFINITY) - std::fabs(wf);
    EXPECT_LE(std::fabs(got - want), 4 * ulp) << "atan2(" << ys[i] << ", " << xs[i] << ")";
    EXPECT_EQ(std::signbit(got), std::signbit(want)) << "atan2(" << ys[i] << ", " << xs[i] << ")";
  }
}

TEST(Atan2, BroadcastsLikeOtherBinaryOps) {
  Tensor y = reshape(vec({-2, -1, 1, 2}), {4, 1});
  Tensor x = vec({-3, 0.5, 4});
  Tensor out = atan2(y, x);
  ASSERT_EQ(out.shape(), (Shape{4, 3}));
  for (int64_t i = 0; i < 4; ++i) {
    for (int64_t j = 0; j < 3; ++j) {
      EXPECT_DOUBLE_EQ(read_as_double(out, i * 3 + j),
                       std::atan2(read_as_double(y, i), read_as_double(x, j)));
    }
  }
  // A scalar on the right is a wrapped number: float32 stays float32.
  Tensor f = atan2(vec({1, -1}, DType::Float32), Scalar(2.0));
  EXPECT_EQ(f.dtype(), DType::Float32);
  EXPECT_FLOAT_EQ(read_as_double(f, 1), std::atan2(-1.0f, 2.0f));
}

TEST(Atan2, IntegersPromoteToTheDefaultFloat) {
  Tensor iy = vec({1, -2, 0}, DType::Int64), ix = vec({1, 1, -3}, DType::Int32);
  Tensor out = atan2(iy, ix);
  EXPECT_EQ(out.dtype(), DType::Float32);
  EXPECT_FLOAT_EQ(read_as_double(out, 1), static_cast<float>(std::atan2(-2.0, 1.0)));
  EXPECT_EQ(atan2(vec({1}, DType::Bool), vec({1}, DType::Bool)).dtype(), DType::Float32);
  EXPECT_EQ(atan2(iy, vec({1, 1, 1}, DType::Float16)).dtype(), DType::Float16);
  EXPECT_EQ(atan2(vec({1}, DType::Float32), vec({1}, DType::Float64)).dtype(), DType::Float64);
  set_default_dtype(DType::Float64);
  Tensor d = atan2(iy, ix);
  set_default_dtype(DType::Float32);
  EXPECT_EQ(d.dtype(), DType::Float64);
  EXPECT_DOUBLE_EQ(read_as_double(d, 2), M_PI);
}

TEST(Atan2, HalfPrecisionComputesInFloat) {
  for (DType d : {DType::Float16, DType::BFloat16}) {
    Tensor out = atan2(vec({1, -3}, d), vec({2, -0.5}, d));
    ASSERT_EQ(out.dtype(), d);
    EXPECT_NEAR(read_as_double(out, 0), std::atan2(1.0, 2.0), 1e-2);
    EXPECT_NEAR(read_as_double(out, 1), std::atan2(-3.0, -0.5), 2e-2);
  }
}

TEST(Atan2, InPlaceWritesIntoAFloatTensorAndRejectsInts) {
  Tensor y = vec({1, -1, 2}, DType::Float32);
  Tensor x = vec({-1, -1, 0}, DType::Float32);
  Tensor& r = atan2_(y, x);
  EXPECT_TRUE(r.is_same(y));
  EXPECT_FLOAT_EQ(read_as_double(y, 0), std::atan2(1.0f, -1.0f));
  EXPECT_FLOAT_EQ(read_as_double(y, 2), std::atan2(2.0f, 0.0f));
  Tensor iy = vec({1, 2}, DType::Int64);
  EXPECT_THROW(atan2_(iy, vec({1, 1}, DType::Int64)), Error);
}

TEST(Atan2, BadShapesNameTheOp) {
  try {
    atan2(Tensor::empty({2, 3}), Tensor::empty({4}));
    FAIL() << "atan2 accepted shapes [2, 3] and [4]";
  } catch (const ValueError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("[atan2]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[2, 3]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[4]"), std::string::npos) << msg;
  }
}

TEST(Atan2, IsAnElementwiseOpRebuiltByName) {
  const Atan2Op op;
  EXPECT_TRUE(op.is_elementwise());
  std::unique_ptr<Op> loaded = make_op("atan2", Attrs{});  // as the saved-graph loader does
  EXPECT_EQ(loaded->name(), "atan2");
  Tensor in[] = {vec({1}), vec({-1})};
  EXPECT_DOUBLE_EQ(read_as_double(dispatch1(*loaded, in), 0), std::atan2(1.0, -1.0));
}

}  // namespace
}  // namespace ember
