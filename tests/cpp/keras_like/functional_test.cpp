#include <gtest/gtest.h>

#include "core/ops.h"
#include "keras_like/keras.h"
#include "tests/cpp/keras_like/test_util.h"

namespace ember::keras {
namespace {

using testing::expect_error;

TEST(KerasFunctional, ResidualMlpRunsAndTrains) {
  testing::seed(0);
  KerasTensor inputs = Input({8});
  auto d1 = std::make_shared<Dense>(8, DenseOptions{.activation = "relu"});
  auto head = std::make_shared<Dense>(2, DenseOptions{.activation = "softmax"});
  KerasTensor h = (*d1)(inputs);
  EXPECT_EQ(format_shape(h.shape()), "(None, 8)");
  KerasTensor outputs = (*head)(add({h, inputs}));
  auto model = std::make_shared<Functional>(std::vector<KerasTensor>{inputs},
                                            std::vector<KerasTensor>{outputs});
  ASSERT_TRUE(model->built());
  // The graph computes head(relu(x W1 + b1) + x).
  Tensor x = randn({5, 8});
  Tensor ref = (*head)((*d1)(x) + x);
  EXPECT_EQ(max(abs((*model)(x) - ref)).item<double>(), 0.0);
  // Layers register under their names.
  EXPECT_TRUE(model->has_child(d1->name()));
  EXPECT_EQ(model->count_params(), 8 * 8 + 8 + 8 * 2 + 2);

  Tensor xs = randn({256, 8});
  Tensor ys = to_dtype(gt(sum(xs, {1}), Scalar(0.0)), DType::Int64);
  model->compile(std::make_shared<Adam>(0.01), get_loss("sparse_categorical_crossentropy"),
                 {"accuracy"});
  auto h2 = model->fit(xs, ys, {.batch_size = 32, .epochs = 10, .verbose = 0});
  EXPECT_GT(h2->history["accuracy"].back(), 0.9);
  expect_error([&] { (*model)(randn({2, 7})); }, {"(None, 8)", "(2, 7)"});
}

TEST(KerasFunctional, SeveralInputsAndOutputsAndSharedLayers) {
  KerasTensor a = Input({4}, "a"), b = Input({4}, "b");
  auto shared = std::make_shared<Dense>(3);
  KerasTensor ya = (*shared)(a), yb = (*shared)(b);
  KerasTensor both = concatenate({ya, yb});
  EXPECT_EQ(format_shape(both.shape()), "(None, 6)");
  auto model = std::make_shared<Functional>(std::vector<KerasTensor>{a, b},
                                            std::vector<KerasTensor>{both, multiply({ya, yb})});
  EXPECT_EQ(model->parameters().size(), 2u);  // one kernel and bias, used twice
  Tensor xa = randn({2, 4}), xb = randn({2, 4});
  TensorList out = (*model)(TensorList{xa, xb});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].shape(), (Shape{2, 6}));
  Tensor pa = (*shared)(xa), pb = (*shared)(xb);
  EXPECT_EQ(max(abs(out[1] - pa * pb)).item<double>(), 0.0);
  expect_error([&] { (*model)(TensorList{xa}); }, {"takes 2 inputs, got 1"});
}

TEST(KerasFunctional, ClearErrors) {
  KerasTensor a = Input({4}), stray = Input({4});
  auto d = std::make_shared<Dense>(2);
  KerasTensor y = add({(*d)(a), (*d)(stray)});
  expect_error([&] { Functional({a}, {y}); }, {"depends on Input", "not among the model's inputs"});
  Dense on_stack(2);
  expect_error([&] { on_stack(a); }, {"std::make_shared"});
  expect_error([&] { add({a}); }, {"[Add]", "at least 2"});
  expect_error([] { Input({-1, 3}); }, {"[Input]"});
}

}  // namespace
}  // namespace ember::keras
