#include <gtest/gtest.h>

#include "core/ops.h"
#include "eager/grad_mode.h"
#include "keras_like/keras.h"
#include "nn/init.h"
#include "nn/rnn.h"
#include "tests/cpp/keras_like/test_util.h"

namespace ember::keras {
namespace {

using testing::expect_error;

double max_diff(const Tensor& a, const Tensor& b) {
  return max(abs(contiguous(a) - contiguous(b))).item<double>();
}

// Keras gate blocks [a | b | c] (columns of a [in, k * units] kernel) reordered and
// transposed into PyTorch's [k * units, in] layout.
Tensor to_torch_layout(const Tensor& keras_kernel, int64_t units, std::vector<int64_t> order) {
  std::vector<Tensor> blocks = chunk(keras_kernel, int64_t(order.size()), -1);
  std::vector<Tensor> picked;
  for (int64_t i : order) picked.push_back(blocks[size_t(i)]);
  return contiguous(transpose(cat(picked, -1), 0, 1));
}

TEST(KerasRecurrent, LstmMatchesNnLstmWithConvertedWeights) {
  testing::seed(0);
  LSTM lstm(5, {.return_sequences = true});
  Tensor x = randn({3, 4, 6});
  Tensor y = lstm(x);
  EXPECT_EQ(y.shape(), (Shape{3, 4, 5}));
  // unit_forget_bias
  EXPECT_EQ(sum(lstm.parameter("bias")).item<double>(), 5.0);
  nn::LSTM ref(6, 5, 1, true, /*batch_first=*/true);
  NoGradGuard no_grad;
  copy_(ref.parameter("weight_ih_l0"), to_torch_layout(lstm.parameter("kernel"), 5, {0, 1, 2, 3}));
  copy_(ref.parameter("weight_hh_l0"),
        to_torch_layout(lstm.parameter("recurrent_kernel"), 5, {0, 1, 2, 3}));
  copy_(ref.parameter("bias_ih_l0"), lstm.parameter("bias"));
  nn::init::zeros_(ref.parameter("bias_hh_l0"));
  EXPECT_LT(max_diff(y, ref.forward_rnn(x)[0]), 1e-5);
  LSTM last(5);
  EXPECT_EQ(last(x).shape(), (Shape{3, 5}));
  expect_error([&] { lstm(randn({3, 4, 7})); }, {"[LSTM]", "(3, 4, 7)"});
}

TEST(KerasRecurrent, GruMatchesNnGruWithConvertedWeights) {
  testing::seed(1);
  GRU gru(4);
  Tensor x = randn({2, 5, 3});
  Tensor y = gru(x);
  EXPECT_EQ(y.shape(), (Shape{2, 4}));
  NoGradGuard no_grad;
  nn::init::uniform_(gru.parameter("bias"), -0.5, 0.5);
  y = gru(x);
  nn::GRU ref(3, 4, 1, true, /*batch_first=*/true);
  // Keras z, r, h -> PyTorch r, z, n.
  copy_(ref.parameter("weight_ih_l0"), to_torch_layout(gru.parameter("kernel"), 4, {1, 0, 2}));
  copy_(ref.parameter("weight_hh_l0"),
        to_torch_layout(gru.parameter("recurrent_kernel"), 4, {1, 0, 2}));
  Tensor b = gru.parameter("bias");
  auto reorder = [](const Tensor& v) {
    std::vector<Tensor> p = chunk(v, 3, 0);
    return cat(std::vector<Tensor>{p[1], p[0], p[2]}, 0);
  };
  copy_(ref.parameter("bias_ih_l0"), reorder(select(b, 0, 0)));
  copy_(ref.parameter("bias_hh_l0"), reorder(select(b, 0, 1)));
  Tensor out = ref.forward_rnn(x)[0];
  EXPECT_LT(max_diff(y, select(out, 1, 4)), 1e-5);
}

TEST(KerasNormalization, BatchNormalizationTrainAndInference) {
  testing::seed(2);
  BatchNormalization bn;
  Tensor x = randn({16, 3}) * 2.0 + 1.0;
  Tensor y = bn(x);
  // Training: normalized with the batch's (biased) statistics, gamma 1, beta 0.
  auto [var, mean_] = var_mean(x, {0}, /*correction=*/0);
  Tensor ref = (x - mean_) / sqrt(var + 1e-3);
  EXPECT_LT(max_diff(y, ref), 1e-5);
  // Moving statistics: 0.99 * old + 0.01 * batch.
  EXPECT_LT(max_diff(bn.buffer("moving_mean"), mean_ * 0.01), 1e-6);
  bn.eval();
  Tensor z = bn(x);
  Tensor ref_eval = (x - bn.buffer("moving_mean")) / sqrt(bn.buffer("moving_variance") + 1e-3);
  EXPECT_LT(max_diff(z, ref_eval), 1e-5);
  // channels_last images: statistics per channel (last axis).
  BatchNormalization bn4;
  Tensor img = randn({2, 4, 4, 3});
  Tensor out = bn4(img);
  auto [v4, m4] = var_mean(img, {0, 1, 2}, 0);
  EXPECT_LT(max_diff(out, (img - m4) / sqrt(v4 + 1e-3)), 1e-5);
}

TEST(KerasNormalization, LayerNormalizationMatchesFormula) {
  testing::seed(3);
  LayerNormalization ln;
  Tensor x = randn({4, 6});
  auto [var, mean_] = var_mean(x, {-1}, 0, true);
  EXPECT_LT(max_diff(ln(x), (x - mean_) / sqrt(var + 1e-3)), 1e-5);
  EXPECT_EQ(ln.parameters().size(), 2u);
}

TEST(KerasEmbedding, LooksUpRowsFromFloatOrIntIndices) {
  testing::seed(4);
  Embedding emb(10, 3);
  Tensor idx = testing::from_vector<int64_t>({1, 7, 7, 0}, {2, 2});
  Tensor y = emb(idx);
  EXPECT_EQ(y.shape(), (Shape{2, 2, 3}));
  Tensor table = emb.parameter("embeddings");
  EXPECT_EQ(max_diff(select(select(y, 0, 1), 0, 0), select(table, 0, 7)), 0.0);
  EXPECT_EQ(max_diff(emb(to_dtype(idx, DType::Float32)), y), 0.0);
  EXPECT_LE(max(abs(table)).item<double>(), 0.05);
}

TEST(KerasRecurrent, SequenceClassifierTrains) {
  // Is the sum of a sequence of +-1 steps positive? An LSTM learns it.
  testing::seed(5);
  Tensor x = sign(randn({256, 6, 1}));
  Tensor y = to_dtype(gt(sum(x, {1, 2}), Scalar(0.0)), DType::Float32);
  auto model = std::make_shared<Sequential>(std::vector<std::shared_ptr<Layer>>{
      std::make_shared<LSTM>(8, RecurrentOptions{}, LayerOptions{.input_shape = ShapeSpec{6, 1}}),
      std::make_shared<Dense>(1, DenseOptions{.activation = "sigmoid"})});
  model->compile(std::make_shared<Adam>(0.02), get_loss("binary_crossentropy"), {"accuracy"});
  auto h = model->fit(x, y, {.batch_size = 32, .epochs = 15, .verbose = 0});
  EXPECT_GT(h->history["accuracy"].back(), 0.9);
  EXPECT_EQ(model->step_function("train")->num_traces(), 1u);
}

}  // namespace
}  // namespace ember::keras
