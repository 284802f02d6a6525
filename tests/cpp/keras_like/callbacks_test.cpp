#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/ops.h"
#include "keras_like/keras.h"
#include "tests/cpp/keras_like/test_util.h"

namespace ember::keras {
namespace {

namespace fs = std::filesystem;
using testing::expect_error;

std::shared_ptr<Sequential> tiny_model() {
  return std::make_shared<Sequential>(std::vector<std::shared_ptr<Layer>>{
      std::make_shared<Dense>(1, DenseOptions{}, LayerOptions{.input_shape = ShapeSpec{3}})});
}

struct Data {
  Tensor x, y;
};
Data linear_data() {
  testing::seed(0);
  Tensor x = randn({64, 3});
  Tensor y = sum(x * 2.0, {1}, true) + 0.5;
  return {x, y};
}

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("ember_keras_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

TEST(KerasCallbacks, ModelCheckpointFormatsEpochsAndSavesBestOnly) {
  fs::path dir = temp_dir("ckpt");
  ModelCheckpoint every((dir / "w-{epoch:02d}.safetensors").string(), {.monitor = "loss"});
  EXPECT_EQ(every.path_for(0), (dir / "w-01.safetensors").string());
  Data d = linear_data();
  auto model = tiny_model();
  model->compile(std::make_shared<SGD>(0.05), get_loss("mse"));
  auto all = std::make_shared<ModelCheckpoint>((dir / "e{epoch}.safetensors").string(),
                                               ModelCheckpointOptions{.monitor = "loss"});
  auto best = std::make_shared<ModelCheckpoint>(
      (dir / "best.safetensors").string(),
      ModelCheckpointOptions{.monitor = "loss", .save_best_only = true});
  model->fit(d.x, d.y, {.epochs = 3, .verbose = 0, .callbacks = {all, best}});
  for (int e = 1; e <= 3; ++e) EXPECT_TRUE(fs::exists(dir / ("e" + std::to_string(e) + ".safetensors")));
  // The loss falls every epoch, so the best file holds the last weights.
  auto fresh = tiny_model();
  fresh->load_weights((dir / "best.safetensors").string());
  EXPECT_EQ(max(abs(fresh->predict(d.x) - model->predict(d.x))).item<double>(), 0.0);
  fs::remove_all(dir);
}

TEST(KerasCallbacks, ReduceLROnPlateauCutsTheRate) {
  Data d = linear_data();
  auto model = tiny_model();
  // lr 0 never improves the loss: after `patience` epochs the rate is cut (0 stays 0, so use
  // a rate too small to move the loss measurably instead).
  model->compile(std::make_shared<SGD>(1e-12), get_loss("mse"));
  auto plateau = std::make_shared<ReduceLROnPlateau>(
      ReduceLROnPlateauOptions{.monitor = "loss", .factor = 0.5, .patience = 2});
  model->fit(d.x, d.y, {.epochs = 5, .verbose = 0, .callbacks = {plateau}});
  // Epoch 0 sets the best; epochs 1-2 wait and cut at 2; epochs 3-4 wait and cut at 4.
  EXPECT_DOUBLE_EQ(model->optimizer().learning_rate(), 1e-12 / 4);
  expect_error([] { ReduceLROnPlateau({.factor = 1.5}); }, {"[ReduceLROnPlateau]", "factor"});
}

TEST(KerasCallbacks, CsvLoggerWritesOneRowPerEpoch) {
  fs::path dir = temp_dir("csv");
  Data d = linear_data();
  auto model = tiny_model();
  model->compile(std::make_shared<SGD>(0.05), get_loss("mse"), {"mae"});
  auto csv = std::make_shared<CSVLogger>((dir / "log.csv").string());
  model->fit(d.x, d.y, {.epochs = 2, .verbose = 0, .callbacks = {csv}, .validation_split = 0.25});
  std::ifstream in(dir / "log.csv");
  std::string header, row0, row1, extra;
  std::getline(in, header);
  std::getline(in, row0);
  std::getline(in, row1);
  EXPECT_EQ(header, "epoch,loss,mae,val_loss,val_mae");
  EXPECT_EQ(row0.rfind("0,", 0), 0u);
  EXPECT_EQ(row1.rfind("1,", 0), 0u);
  EXPECT_FALSE(std::getline(in, extra));
  fs::remove_all(dir);
}

TEST(KerasCallbacks, TerminateOnNaNStops) {
  Data d = linear_data();
  auto model = tiny_model();
  model->compile(std::make_shared<SGD>(1e30), get_loss("mse"));  // diverges at once
  auto h = model->fit(d.x, d.y, {.batch_size = 8, .epochs = 5, .verbose = 0,
                                 .callbacks = {std::make_shared<TerminateOnNaN>()}});
  EXPECT_EQ(h->history.at("loss").size(), 1u);
  EXPECT_TRUE(model->stop_training);
}

}  // namespace
}  // namespace ember::keras
