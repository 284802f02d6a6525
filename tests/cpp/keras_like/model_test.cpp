#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "core/ops.h"
#include "keras_like/keras.h"
#include "tests/cpp/keras_like/test_util.h"

namespace ember::keras {
namespace {

using testing::expect_error;
using Layers = std::vector<std::shared_ptr<Layer>>;

// A separable two-class problem: the label is whether the features sum above zero.
struct Blobs {
  Tensor x, y;
};
Blobs blobs(int64_t n, uint64_t seed) {
  testing::seed(seed);
  Tensor x = randn({n, 8});
  Tensor y = to_dtype(gt(sum(x, {1}), Scalar(0.0)), DType::Int64);
  return {x, y};
}

std::shared_ptr<Sequential> classifier() {
  return std::make_shared<Sequential>(Layers{
      std::make_shared<Dense>(16, DenseOptions{.activation = "relu"},
                              LayerOptions{.input_shape = ShapeSpec{8}}),
      std::make_shared<Dense>(2, DenseOptions{.activation = "softmax"})});
}

TEST(KerasModel, ClassicKerasScript) {
  // Sequential([Dense(1, input_shape=(10,))]); compile(SGD(0.01), 'mse'); fit(..., epochs=1).
  testing::seed(0);
  auto model = std::make_shared<Sequential>(
      Layers{std::make_shared<Dense>(1, DenseOptions{}, LayerOptions{.input_shape = ShapeSpec{10}})});
  EXPECT_TRUE(model->built());
  model->compile(std::make_shared<SGD>(0.01), get_loss("mse"));
  Tensor inputs = randn({5, 10}), targets = randn({5, 1});
  auto history = model->fit(inputs, targets, {.epochs = 1, .verbose = 0});
  ASSERT_EQ(history->history.at("loss").size(), 1u);
  // One full-batch SGD step from the initial weights: the logged loss is the loss before it.
  EXPECT_TRUE(std::isfinite(history->history.at("loss")[0]));
}

TEST(KerasModel, FitLearnsAndReportsHistory) {
  Blobs d = blobs(512, 1);
  testing::seed(7);
  auto model = classifier();
  model->compile(std::make_shared<Adam>(0.01), get_loss("sparse_categorical_crossentropy"),
                 {"accuracy"});
  auto h = model->fit(d.x, d.y, {.batch_size = 50, .epochs = 8, .verbose = 0,
                                 .validation_split = 0.25});
  for (const char* key : {"loss", "accuracy", "val_loss", "val_accuracy"}) {
    ASSERT_EQ(h->history.at(key).size(), 8u) << key;
  }
  EXPECT_LT(h->history["loss"].back(), h->history["loss"].front());
  EXPECT_GT(h->history["val_accuracy"].back(), 0.9);
  Logs logs = model->evaluate(d.x, d.y, 64);
  EXPECT_GT(logs.at("accuracy"), 0.9);
  Tensor p = model->predict(d.x, 100);  // 512 = 5 * 100 + 12: a short last batch
  EXPECT_EQ(p.shape(), (Shape{512, 2}));
  // One trace serves every batch size (the batch dim is dynamic).
  EXPECT_EQ(model->step_function("train")->num_traces(), 1u);
  EXPECT_EQ(model->step_function("predict")->num_traces(), 1u);
}

TEST(KerasModel, TracedAndEagerFitGiveTheSameNumbers) {
  Blobs d = blobs(200, 2);
  std::vector<double> losses[2];
  for (int eager = 0; eager < 2; ++eager) {
    testing::seed(11);
    auto model = classifier();
    model->compile("adam", "sparse_categorical_crossentropy", {"accuracy"},
                   {.run_eagerly = eager == 1});
    losses[eager] = model->fit(d.x, d.y, {.batch_size = 32, .epochs = 3, .verbose = 0})
                        ->history.at("loss");
  }
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(losses[0][i], losses[1][i], 1e-5 * std::abs(losses[1][i]));
}

TEST(KerasModel, BadInputNamesTheModelAndShapes) {
  Blobs d = blobs(10, 3);
  auto model = classifier();
  expect_error([&] { model->fit(d.x, d.y); }, {"[fit]", "must be compiled"});
  model->compile("sgd", "sparse_categorical_crossentropy");
  expect_error([&] { model->fit(d.x, narrow(d.y, 0, 0, 9), {.verbose = 0}); },
               {"[fit]", "10 samples in x", "9 in y"});
  expect_error([&] { model->fit(randn({10, 5}), d.y, {.verbose = 0}); },
               {"[Sequential]", model->name(), "(None, 8)", "(10, 5)"});
  expect_error([&] { model->compile("adam", "crossentropyy"); }, {"unknown loss", "crossentropyy"});
  expect_error([&] { model->compile("adamm", "mse"); }, {"unknown optimizer", "adamm"});
  expect_error([&] { model->fit(d.x, d.y, {.verbose = 0, .validation_split = 1.5}); },
               {"validation_split"});
}

TEST(KerasModel, EarlyStoppingRestoresTheBestWeights) {
  Blobs d = blobs(64, 4);
  testing::seed(5);
  auto model = classifier();
  model->compile(std::make_shared<SGD>(0.0), get_loss("sparse_categorical_crossentropy"));
  // With a zero learning rate nothing improves (beyond rounding, hence min_delta): training
  // stops after `patience` epochs.
  auto stop = std::make_shared<EarlyStopping>(
      EarlyStoppingOptions{.monitor = "loss", .min_delta = 1e-6, .patience = 2,
                           .restore_best_weights = true});
  auto h = model->fit(d.x, d.y, {.epochs = 20, .verbose = 0, .callbacks = {stop}});
  EXPECT_EQ(h->history.at("loss").size(), 3u);
  EXPECT_EQ(stop->stopped_epoch(), 2);
  expect_error([&] {
    auto bad = std::make_shared<EarlyStopping>(EarlyStoppingOptions{.monitor = "val_acc"});
    model->fit(d.x, d.y, {.epochs = 2, .verbose = 0, .callbacks = {bad}});
  }, {"[EarlyStopping]", "val_acc", "loss"});
}

TEST(KerasModel, LearningRateScheduleChangesValuesNotGraphs) {
  Blobs d = blobs(64, 5);
  testing::seed(6);
  auto model = classifier();
  model->compile("sgd", "sparse_categorical_crossentropy");
  std::vector<double> seen;
  auto sched = std::make_shared<LearningRateScheduler>([](int epoch, double) {
    return 0.1 / (epoch + 1);
  });
  auto probe = std::make_shared<LambdaCallback>();
  probe->on_epoch_end_fn = [&](int, const Logs&) {
    seen.push_back(model->optimizer().learning_rate());
  };
  model->fit(d.x, d.y, {.batch_size = 16, .epochs = 3, .verbose = 0, .callbacks = {sched, probe}});
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_DOUBLE_EQ(seen[2], 0.1 / 3);
  EXPECT_EQ(model->step_function("train")->num_traces(), 1u);
}

TEST(KerasModel, WeightsSaveAndLoad) {
  Blobs d = blobs(32, 6);
  testing::seed(8);
  auto a = classifier();
  auto b = classifier();
  auto path = (std::filesystem::temp_directory_path() / "ember_keras_weights.safetensors").string();
  a->save_weights(path);
  b->load_weights(path);
  std::remove(path.c_str());
  a->compile("sgd", "mse");
  b->compile("sgd", "mse");
  Tensor diff = max(abs(a->predict(d.x) - b->predict(d.x)));
  EXPECT_EQ(diff.item<double>(), 0.0);
  auto other = std::make_shared<Sequential>(Layers{
      std::make_shared<Dense>(3, DenseOptions{}, LayerOptions{.input_shape = ShapeSpec{8}})});
  a->save_weights(path);
  expect_error([&] { other->load_weights(path); }, {"kernel"});
  std::remove(path.c_str());
}

TEST(KerasModel, SummaryListsLayersShapesAndCounts) {
  auto model = classifier();
  std::string s = model->summary();
  EXPECT_NE(s.find("(Dense)"), std::string::npos) << s;
  EXPECT_NE(s.find("(None, 16)"), std::string::npos) << s;
  EXPECT_NE(s.find("Total params: 178"), std::string::npos) << s;  // 8*16+16 + 16*2+2
  EXPECT_EQ(model->count_params(), 178);
}

TEST(KerasModel, SequentialAddBuildsAndPops) {
  auto model = std::make_shared<Sequential>(Layers{}, LayerOptions{.input_shape = ShapeSpec{4}});
  model->add(std::make_shared<Dense>(3));
  EXPECT_TRUE(model->built());
  model->add(std::make_shared<Dense>(2));
  EXPECT_EQ(format_shape(model->output_shape()), "(None, 2)");
  model->pop();
  EXPECT_EQ(model->layers().size(), 1u);
}

TEST(KerasModel, TrainOnBatchAndTestOnBatch) {
  Blobs d = blobs(32, 9);
  auto model = classifier();
  model->compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  Logs first = model->train_on_batch(d.x, d.y);
  for (int i = 0; i < 20; ++i) model->train_on_batch(d.x, d.y);
  Logs after = model->test_on_batch(d.x, d.y);
  EXPECT_LT(after.at("loss"), first.at("loss"));
  EXPECT_EQ(model->predict_on_batch(d.x).shape(), (Shape{32, 2}));
}

TEST(KerasProgbar, LinesLookLikeKeras) {
  Logs logs{{"loss", 0.25}, {"accuracy", 0.9}};
  std::string v2 = ProgbarLogger::line(2, 10, 10, 0.5, logs, true);
  EXPECT_EQ(v2, "10/10 - 0s - 50ms/step - accuracy: 0.9000 - loss: 0.2500");
  std::string v1 = ProgbarLogger::line(1, 5, 10, 0.5, logs, false);
  EXPECT_EQ(v1.rfind(" 5/10 ", 0), 0u) << v1;
}

}  // namespace
}  // namespace ember::keras
