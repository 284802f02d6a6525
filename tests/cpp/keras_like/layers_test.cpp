#include <gtest/gtest.h>

#include <cmath>

#include "core/ops.h"
#include "keras_like/keras.h"
#include "tests/cpp/keras_like/test_util.h"

namespace ember::keras {
namespace {

using testing::expect_error;
using testing::from_vector;

double at(const Tensor& t, int64_t i) { return read_as_double(t, i); }

TEST(KerasInitializers, GlorotUniformLimitFromFans) {
  testing::seed(0);
  Tensor w = glorot_uniform()({300, 100}, DType::Float32);
  double limit = std::sqrt(6.0 / 400.0);
  EXPECT_LE(max(w).item<double>(), limit);
  EXPECT_GE(min(w).item<double>(), -limit);
  // Uniform on [-l, l]: variance l^2 / 3.
  double var = var_mean(w).first.item<double>();
  EXPECT_NEAR(var, limit * limit / 3.0, 0.05 * limit * limit);
  auto [fan_in, fan_out] = fans({3, 3, 8, 16});
  EXPECT_EQ(fan_in, 72.0);
  EXPECT_EQ(fan_out, 144.0);
}

TEST(KerasInitializers, HeNormalIsTruncatedWithTheRightStd) {
  testing::seed(1);
  Tensor w = he_normal()({400, 200}, DType::Float32);
  double target = std::sqrt(2.0 / 400.0);
  EXPECT_NEAR(std::sqrt(var_mean(w).first.item<double>()), target, 0.05 * target);
  EXPECT_LE(max(abs(w)).item<double>(), 2.0 * target / 0.87962566103423978 + 1e-6);
  expect_error([] { get_initializer("glorot_unifrom"); }, {"unknown initializer", "glorot_unifrom"});
  EXPECT_NO_THROW(get_initializer("GlorotUniform"));
}

TEST(KerasDense, BuildsLazilyWithKerasLayout) {
  testing::seed(2);
  Dense d(3, {.activation = "relu"});
  EXPECT_FALSE(d.built());
  Tensor x = randn({4, 5});
  Tensor y = d(x);
  ASSERT_TRUE(d.built());
  EXPECT_EQ(d.parameter("kernel").shape(), (Shape{5, 3}));
  EXPECT_EQ(y.shape(), (Shape{4, 3}));
  Tensor ref = relu(matmul(x, d.parameter("kernel")) + d.parameter("bias"));
  for (int64_t i = 0; i < 12; ++i) EXPECT_FLOAT_EQ(at(y, i), at(ref, i));
  EXPECT_EQ(d.count_params(), 18);
  EXPECT_EQ(format_shape(d.output_shape()), "(None, 3)");
  // Any rank >= 2 with the built last dimension.
  EXPECT_EQ(d(randn({2, 7, 5})).shape(), (Shape{2, 7, 3}));
  expect_error([&] { d(randn({4, 6})); }, {"[Dense]", d.name(), "(4, 6)"});
  expect_error([] { Dense(0); }, {"[Dense]", "units"});
  expect_error([] { Dense(2, {.activation = "relux"}); }, {"unknown activation", "relux"});
}

TEST(KerasDense, DeclaredInputShapeIsChecked) {
  Dense d(2, {}, {.input_shape = ShapeSpec{4}});
  expect_error([&] { d(ones({3, 5})); }, {"declared with input_shape (None, 4)", "(3, 5)"});
}

TEST(KerasLayers, UniqueNamesPerClass) {
  Dense a(1), b(1);
  EXPECT_NE(a.name(), b.name());
  EXPECT_EQ(b.name().rfind("dense", 0), 0u);
  Dense named(1, {}, {.name = "head"});
  EXPECT_EQ(named.name(), "head");
}

TEST(KerasConv2D, ChannelsLastMatchesNchwConvolution) {
  testing::seed(3);
  Conv2D conv(4, {3, 3}, {.padding = "same"});
  Tensor x = randn({2, 6, 5, 3});  // NHWC
  Tensor y = conv(x);
  EXPECT_EQ(y.shape(), (Shape{2, 6, 5, 4}));
  Tensor w = permute(conv.parameter("kernel"), {3, 2, 0, 1});
  Tensor ref = permute(conv2d(permute(x, {0, 3, 1, 2}), w, conv.parameter("bias"), {1, 1}, {1, 1}),
                       {0, 2, 3, 1});
  Tensor diff = max(abs(contiguous(y) - contiguous(ref)));
  EXPECT_LT(diff.item<double>(), 1e-5);
  EXPECT_EQ(conv.parameter("kernel").shape(), (Shape{3, 3, 3, 4}));
  expect_error([&] { conv(randn({2, 6, 5, 2})); }, {"[Conv2D]", "(2, 6, 5, 2)"});
}

TEST(KerasConv2D, SamePaddingWithStrideFollowsTensorFlow) {
  // TensorFlow: output = ceil(in / stride); the odd extra padding goes bottom/right.
  EXPECT_EQ(same_padding(7, 3, 2, 1), (std::pair<int64_t, int64_t>{1, 1}));
  EXPECT_EQ(same_padding(6, 3, 2, 1), (std::pair<int64_t, int64_t>{0, 1}));
  EXPECT_EQ(same_padding(5, 4, 1, 1), (std::pair<int64_t, int64_t>{1, 2}));
  Conv2D conv(2, {3, 3}, {.strides = {2, 2}, .padding = "same"});
  EXPECT_EQ(conv(randn({1, 6, 6, 1})).shape(), (Shape{1, 3, 3, 2}));
  // Asymmetric padding equals an explicit pad then a valid convolution.
  Tensor x = randn({1, 6, 6, 1});
  Tensor w = permute(conv.parameter("kernel"), {3, 2, 0, 1});
  Tensor ref = conv2d(pad(permute(x, {0, 3, 1, 2}), {0, 1, 0, 1}), w, conv.parameter("bias"),
                      {2, 2});
  Tensor diff = max(abs(contiguous(conv(x)) - contiguous(permute(ref, {0, 2, 3, 1}))));
  EXPECT_LT(diff.item<double>(), 1e-5);
}

TEST(KerasPooling, MaxAverageAndGlobal) {
  Tensor x = reshape(arange(0, 32, 1, DType::Float32), {1, 4, 4, 2});  // NHWC
  Tensor m = MaxPooling2D()(x);
  EXPECT_EQ(m.shape(), (Shape{1, 2, 2, 2}));
  // Channel 0 holds 0, 2, 4, ...: the top-left 2x2 window is {0, 2, 8, 10}.
  EXPECT_EQ(at(contiguous(m), 0), 10.0);
  EXPECT_EQ(at(contiguous(AveragePooling2D()(x)), 0), 5.0);
  Tensor g = GlobalAveragePooling2D()(x);
  EXPECT_EQ(g.shape(), (Shape{1, 2}));
  EXPECT_EQ(at(g, 0), 15.0);
  EXPECT_EQ(at(g, 1), 16.0);
}

TEST(KerasReshaping, FlattenAndReshape) {
  Tensor x = randn({3, 2, 4});
  EXPECT_EQ(Flatten()(x).shape(), (Shape{3, 8}));
  EXPECT_EQ(Reshape({4, -1})(x).shape(), (Shape{3, 4, 2}));
  expect_error([&] { Reshape({3, 3})(x); }, {"[Reshape]", "cannot reshape"});
  expect_error([] { Reshape({-1, -1}); }, {"at most one"});
}

TEST(KerasDropout, TrainingOnly) {
  testing::seed(4);
  Dropout drop(0.5);
  Tensor x = ones({1000});
  Tensor y = drop(reshape(x, {10, 100}));
  double kept = sum(ne(y, Scalar(0.0))).item<double>();
  EXPECT_NEAR(kept, 500, 80);
  EXPECT_DOUBLE_EQ(max(y).item<double>(), 2.0);
  drop.eval();
  EXPECT_DOUBLE_EQ(sum(drop(reshape(x, {10, 100}))).item<double>(), 1000.0);
}

TEST(KerasLosses, MatchClosedForms) {
  Tensor y_true = from_vector<int64_t>({0, 2}, {2});
  Tensor probs = from_vector<float>({0.7f, 0.2f, 0.1f, 0.1f, 0.1f, 0.8f}, {2, 3});
  double sce = sparse_categorical_crossentropy(y_true, probs).item<double>();
  EXPECT_NEAR(sce, -(std::log(0.7) + std::log(0.8)) / 2, 1e-6);
  Tensor logits = log(probs);
  EXPECT_NEAR(sparse_categorical_crossentropy(y_true, logits, true).item<double>(), sce, 1e-6);
  Tensor onehot = from_vector<float>({1, 0, 0, 0, 0, 1}, {2, 3});
  EXPECT_NEAR(categorical_crossentropy(onehot, probs).item<double>(), sce, 1e-6);
  Tensor t = from_vector<float>({1, 0}, {2});
  Tensor p = from_vector<float>({0.9f, 0.2f}, {2, 1});
  EXPECT_NEAR(binary_crossentropy(t, p).item<double>(), -(std::log(0.9) + std::log(0.8)) / 2, 1e-6);
  EXPECT_NEAR(mean_squared_error(t, p).item<double>(), (0.01 + 0.04) / 2, 1e-7);
  expect_error([] { get_loss("msee"); }, {"unknown loss", "msee"});
  expect_error([&] { sparse_categorical_crossentropy(
                   from_vector<int64_t>({0, 1, 2, 0, 1, 2}, {2, 3}), probs); },
               {"[sparse_categorical_crossentropy]", "(2,)", "(2, 3)"});
}

TEST(KerasMetrics, AccuracyPicksTheVariant) {
  Tensor probs = from_vector<float>({0.7f, 0.2f, 0.1f, 0.1f, 0.1f, 0.8f}, {2, 3});
  Metric acc = get_metric("accuracy", get_loss("sparse_categorical_crossentropy"));
  EXPECT_DOUBLE_EQ(acc.batch_value(from_vector<int64_t>({0, 1}, {2}), probs).item<double>(), 0.5);
  Metric bin = get_metric("accuracy", get_loss("mse"));
  EXPECT_DOUBLE_EQ(bin.batch_value(from_vector<float>({1, 0}, {2}),
                                   from_vector<float>({0.6f, 0.7f}, {2, 1})).item<double>(), 0.5);
  Metric mae = get_metric("mae", get_loss("mse"));
  EXPECT_EQ(mae.name(), "mae");
  mae.accumulate(1.0, 3);
  mae.accumulate(3.0, 1);
  EXPECT_DOUBLE_EQ(mae.result(), 1.5);
}

}  // namespace
}  // namespace ember::keras
