#include <gtest/gtest.h>

#include <cmath>

#include "core/ops.h"
#include "eager/autograd.h"
#include "nn/attention.h"
#include "nn/init.h"
#include "nn/rnn.h"

namespace ember::nn {
namespace {

TEST(RNN, ParameterNamesAndShapes) {
  LSTM lstm(3, 5, 2, true, false, 0.0, true);
  auto ps = lstm.named_parameters();
  ASSERT_EQ(ps.size(), 16u);
  EXPECT_EQ(ps[0].first, "weight_ih_l0");
  EXPECT_EQ(ps[0].second.shape(), (Shape{20, 3}));
  EXPECT_EQ(ps[4].first, "weight_ih_l0_reverse");
  EXPECT_EQ(ps[8].first, "weight_ih_l1");
  EXPECT_EQ(ps[8].second.shape(), (Shape{20, 10}));
  EXPECT_EQ(ps[15].first, "bias_hh_l1_reverse");
  GRU gru(3, 4, 1, false);
  EXPECT_EQ(gru.named_parameters().size(), 2u);
  EXPECT_EQ(gru.parameter("weight_hh_l0").shape(), (Shape{12, 4}));
}

// A one-unit tanh RNN with known weights, checked by hand.
TEST(RNN, TanhRecurrenceByHand) {
  RNN rnn(1, 1, 1, "tanh", true, false, 0.0, false, DType::Float64);
  init::constant_(rnn.parameter("weight_ih_l0"), 0.5);
  init::constant_(rnn.parameter("weight_hh_l0"), -1.0);
  init::constant_(rnn.parameter("bias_ih_l0"), 0.1);
  init::constant_(rnn.parameter("bias_hh_l0"), 0.2);
  Tensor x = reshape(arange(1.0, 4.0, 1.0, DType::Float64), {3, 1, 1});  // 1, 2, 3
  TensorList r = rnn.forward_rnn(x);
  double h = 0;
  for (int t = 1; t <= 3; ++t) {
    h = std::tanh(0.5 * t + 0.1 - h + 0.2);
    EXPECT_NEAR(read_as_double(r[0], t - 1), h, 1e-12);
  }
  EXPECT_NEAR(read_as_double(r[1], 0), h, 1e-12);
  EXPECT_EQ(r[0].shape(), (Shape{3, 1, 1}));
  EXPECT_EQ(r[1].shape(), (Shape{1, 1, 1}));
}

TEST(RNN, ShapesForAllModesAndLayouts) {
  GRU gru(3, 4, 2, true, /*batch_first=*/true, 0.0, /*bidirectional=*/true);
  TensorList r = gru.forward_rnn(randn({2, 5, 3}));
  EXPECT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].shape(), (Shape{2, 5, 8}));
  EXPECT_EQ(r[1].shape(), (Shape{4, 2, 4}));
  LSTM lstm(3, 4);
  TensorList l = lstm.forward({randn({5, 3}), zeros({1, 4}), zeros({1, 4})});
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0].shape(), (Shape{5, 4}));
  EXPECT_EQ(l[2].shape(), (Shape{1, 4}));
  EXPECT_EQ(lstm.forward(randn({5, 2, 3})).shape(), (Shape{5, 2, 4}));
}

TEST(RNN, BackwardReachesAllParameters) {
  LSTM lstm(2, 3, 2, true, false, 0.0, true, DType::Float64);
  Tensor x = randn({4, 2, 2}, DType::Float64);
  backward(sum(lstm.forward(x)));
  for (const auto& [name, p] : lstm.named_parameters()) {
    ASSERT_TRUE(grad_of(p).defined()) << name;
  }
}

TEST(RNN, ErrorsNameTheModuleAndShapes) {
  LSTM lstm(3, 4);
  try {
    lstm.forward(randn({5, 2, 7}));
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("[LSTM]"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("[5, 2, 7]"), std::string::npos);
  }
  EXPECT_THROW(lstm.forward(randn({5})), ValueError);
  EXPECT_THROW(RNN(3, 4, 1, "sigmoid"), ValueError);
  EXPECT_THROW(lstm.forward({randn({5, 2, 3}), zeros({1, 2, 4})}), ValueError);
  EXPECT_THROW(GRU(3, 4).forward_rnn(randn({5, 2, 3}), zeros({2, 2, 4})), ValueError);
}

TEST(MultiheadAttention, ShapesWeightsAndErrors) {
  MultiheadAttention mha(8, 2);
  Tensor q = randn({4, 3, 8}), kv = randn({6, 3, 8});
  TensorList r = mha.attend(q, kv, kv);
  EXPECT_EQ(r[0].shape(), (Shape{4, 3, 8}));
  EXPECT_EQ(r[1].shape(), (Shape{3, 4, 6}));
  // Averaged attention weights are rows of a softmax.
  Tensor rows = sum(r[1], {-1});
  for (int64_t i = 0; i < rows.numel(); ++i) EXPECT_NEAR(read_as_double(rows, i), 1.0, 1e-5);
  EXPECT_FALSE(mha.attend(q, kv, kv, Tensor(), false).at(1).defined());
  EXPECT_EQ(mha.named_parameters().at(2).first, "out_proj.weight");
  EXPECT_THROW(MultiheadAttention(10, 3), ValueError);
  EXPECT_THROW(mha.attend(randn({4, 3, 5}), kv, kv), ValueError);
}

TEST(TransformerEncoderLayer, ForwardShapeAndLayerNorm) {
  TransformerEncoderLayer layer(8, 2, 16, 0.0);
  Tensor y = layer.forward(randn({5, 3, 8}));
  EXPECT_EQ(y.shape(), (Shape{5, 3, 8}));
  // Post-norm output: each token has mean 0 and (biased) variance 1.
  Tensor mu = mean(y, {-1});
  Tensor var_ = var(y, {-1}, 0);
  for (int64_t i = 0; i < mu.numel(); ++i) {
    EXPECT_NEAR(read_as_double(mu, i), 0.0, 1e-5);
    EXPECT_NEAR(read_as_double(var_, i), 1.0, 1e-3);
  }
  EXPECT_EQ(layer.named_parameters().size(), 12u);
  EXPECT_THROW(TransformerEncoderLayer(8, 2, 16, 0.1, "tanh"), ValueError);
}

}  // namespace
}  // namespace ember::nn
