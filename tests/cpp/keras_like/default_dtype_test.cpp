#include "core/default_dtype.h"

#include <gtest/gtest.h>

#include "core/ops.h"
#include "keras_like/keras.h"
#include "tests/cpp/keras_like/test_util.h"

namespace ember::keras {
namespace {

using Layers = std::vector<std::shared_ptr<Layer>>;

// Each test switches the default to float64 and always restores float32, so the other tests
// in this binary see the start-up default even when an expectation fails.
class KerasDefaultDType : public ::testing::Test {
 protected:
  void SetUp() override { set_default_dtype(DType::Float64); }
  void TearDown() override { set_default_dtype(DType::Float32); }
};

// Every parameter and floating buffer of the layer has dtype d.
void expect_all(const Layer& layer, DType d) {
  ASSERT_TRUE(layer.built()) << layer.name();
  EXPECT_EQ(layer.dtype(), d) << layer.name();
  for (const auto& [name, t] : layer.named_parameters()) {
    EXPECT_EQ(t.dtype(), d) << layer.name() << "." << name;
  }
  for (const auto& [name, t] : layer.named_buffers()) {
    if (is_floating(t.dtype())) EXPECT_EQ(t.dtype(), d) << layer.name() << "." << name;
  }
}

TEST_F(KerasDefaultDType, LayersCreateWeightsInTheDefaultDtype) {
  testing::seed(0);
  Dense dense(3);
  EXPECT_EQ(dense(randn({2, 4})).dtype(), DType::Float64);
  expect_all(dense, DType::Float64);

  Conv2D conv(2, {3, 3});
  EXPECT_EQ(conv(randn({1, 5, 5, 2})).dtype(), DType::Float64);
  expect_all(conv, DType::Float64);

  BatchNormalization bn;
  bn(randn({4, 3}));
  expect_all(bn, DType::Float64);

  LayerNormalization ln;
  ln(randn({4, 3}));
  expect_all(ln, DType::Float64);

  LSTM lstm(4);
  EXPECT_EQ(lstm(randn({2, 5, 3})).dtype(), DType::Float64);
  expect_all(lstm, DType::Float64);

  Embedding emb(10, 3);
  EXPECT_EQ(emb(arange(4)).dtype(), DType::Float64);
  expect_all(emb, DType::Float64);
}

TEST_F(KerasDefaultDType, AnExplicitDtypeAndEarlierLayersKeepTheirs) {
  Dense explicit_f32(2, {}, LayerOptions{.dtype = DType::Float32});
  explicit_f32(randn({1, 3}, DType::Float32));
  expect_all(explicit_f32, DType::Float32);

  // The default is read when a layer is constructed, as Keras reads floatx().
  set_default_dtype(DType::Float32);
  Dense before(2);
  set_default_dtype(DType::Float64);
  before(randn({1, 3}, DType::Float32));
  expect_all(before, DType::Float32);
}

TEST_F(KerasDefaultDType, FitAndPredictRunInTheModelsDtype) {
  testing::seed(3);
  auto model = std::make_shared<Sequential>(Layers{
      std::make_shared<Dense>(1, DenseOptions{}, LayerOptions{.input_shape = ShapeSpec{4}})});
  EXPECT_EQ(model->dtype(), DType::Float64);
  expect_all(*model, DType::Float64);
  model->compile(std::make_shared<SGD>(0.1), get_loss("mse"));
  // float32 data is cast to the model's float64, not the other way round.
  Tensor x = randn({16, 4}, DType::Float32), y = randn({16, 1}, DType::Float32);
  model->fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0});
  expect_all(*model, DType::Float64);
  Tensor p = model->predict(x);
  ASSERT_EQ(p.dtype(), DType::Float64);
  // The prediction is the float64 affine map of the float64-cast inputs.
  auto* dense = dynamic_cast<Dense*>(model->layers()[0].get());
  ASSERT_NE(dense, nullptr);
  Tensor ref =
      matmul(to_dtype(x, DType::Float64), dense->parameter("kernel")) + dense->parameter("bias");
  for (int64_t i = 0; i < 16; ++i) {
    EXPECT_NEAR(read_as_double(p, i), read_as_double(ref, i), 1e-12);
  }
}

}  // namespace
}  // namespace ember::keras
