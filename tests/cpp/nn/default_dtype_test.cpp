#include <gtest/gtest.h>

#include "core/default_dtype.h"
#include "core/ops.h"
#include "nn/attention.h"
#include "nn/conv.h"
#include "nn/embedding.h"
#include "nn/linear.h"
#include "nn/norm.h"
#include "nn/rnn.h"

namespace ember::nn {
namespace {

// Restores the float32 start-up default after each test, even when one fails.
class NnDefaultDTypeTest : public ::testing::Test {
 protected:
  void SetUp() override { set_default_dtype(DType::Float64); }
  void TearDown() override { set_default_dtype(DType::Float32); }
};

void expect_all_float64(const Module& m, const std::string& what) {
  const auto params = m.named_parameters();
  ASSERT_FALSE(params.empty()) << what;
  for (const auto& [name, p] : params) {
    EXPECT_EQ(p.dtype(), DType::Float64) << what << "." << name;
  }
}

TEST_F(NnDefaultDTypeTest, LayersCreateParametersInTheDefaultDtype) {
  expect_all_float64(Linear(3, 2), "Linear");
  expect_all_float64(Bilinear(2, 3, 4), "Bilinear");
  expect_all_float64(Conv2d(1, 2, {3, 3}), "Conv2d");
  expect_all_float64(Conv1d(1, 2, 3), "Conv1d");
  expect_all_float64(BatchNorm1d(4), "BatchNorm1d");
  for (const auto& [name, b] : BatchNorm1d(4).named_buffers()) {
    if (is_floating(b.dtype())) EXPECT_EQ(b.dtype(), DType::Float64) << "BatchNorm1d." << name;
  }
  expect_all_float64(LayerNorm({4}), "LayerNorm");
  expect_all_float64(Embedding(5, 3), "Embedding");
  expect_all_float64(LSTM(3, 4), "LSTM");
  expect_all_float64(GRU(3, 4), "GRU");
  expect_all_float64(MultiheadAttention(4, 2), "MultiheadAttention");
}

TEST_F(NnDefaultDTypeTest, ExplicitDtypeStillWins) {
  Linear l(3, 2, true, DType::Float32);
  EXPECT_EQ(l.parameter("weight").dtype(), DType::Float32);
}

TEST_F(NnDefaultDTypeTest, LinearForwardIsComputedInDouble) {
  Linear l(3, 2);
  Tensor x = reshape(arange(0.0, 0.6, 0.1), {2, 3});  // float64 under the default
  Tensor y = l.forward(x);
  ASSERT_EQ(y.dtype(), DType::Float64);
  const Tensor w = l.parameter("weight"), b = l.parameter("bias");
  for (int64_t r = 0; r < 2; ++r) {
    for (int64_t o = 0; o < 2; ++o) {
      double ref = read_as_double(b, o);
      for (int64_t i = 0; i < 3; ++i) {
        ref += read_as_double(x, r * 3 + i) * read_as_double(w, o * 3 + i);
      }
      EXPECT_NEAR(read_as_double(y, r * 2 + o), ref, 1e-14);
    }
  }
}

}  // namespace
}  // namespace ember::nn
