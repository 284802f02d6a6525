// Trains a classifier on the bundled 8x8 digits with ember::keras, from C++ with no Python:
// the same model, data order and seed as the Python version in
// tests/python/test_keras_cpp_parity.py, which checks that both give the same history.
//
//   build/examples/cpp/keras_digits [--data python/ember/datasets/data/digits.npz]
//                                   [--epochs 20] [--seed 0] [--verbose 2] [--eager]
//
// Prints the per-epoch history as "epoch E loss L accuracy A val_loss V val_accuracy W".
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/io/npz.h"
#include "core/ops.h"
#include "core/random/generator.h"
#include "keras_like/keras.h"

using namespace ember;
using Layers = std::vector<std::shared_ptr<keras::Layer>>;

namespace {

struct Args {
  std::string data = EMBER_DIGITS_PATH;
  int epochs = 20;
  uint64_t seed = 0;
  int verbose = 2;
  bool eager = false;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto value = [&] {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "keras_digits: %s needs a value\n", k.c_str());
        std::exit(2);
      }
      return std::string(argv[++i]);
    };
    if (k == "--data") a.data = value();
    else if (k == "--epochs") a.epochs = std::stoi(value());
    else if (k == "--seed") a.seed = std::stoull(value());
    else if (k == "--verbose") a.verbose = std::stoi(value());
    else if (k == "--eager") a.eager = true;
    else {
      std::fprintf(stderr, "usage: keras_digits [--data F] [--epochs N] [--seed S] "
                           "[--verbose V] [--eager]\n");
      std::exit(2);
    }
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) try {
  Args args = parse(argc, argv);
  default_generator().manual_seed(args.seed);
  io::NpzArrays arrays = io::load_npz(args.data);
  // Pixels 0..16 scaled to [0, 1], flattened to 64 features; labels as int64.
  Tensor x = reshape(to_dtype(arrays.at(0).second, DType::Float32) / 16.0, {-1, 64});
  Tensor y = to_dtype(arrays.at(1).second, DType::Int64);
  // The file is ordered by writer; shuffle once (from the seed) so the validation split, the
  // last 20% as in Keras, is a fair sample.
  Tensor order = randperm(x.size(0));
  x = index_select(x, 0, order);
  y = index_select(y, 0, order);

  auto model = std::make_shared<keras::Sequential>(Layers{
      std::make_shared<keras::Dense>(128, keras::DenseOptions{.activation = "relu"},
                                     keras::LayerOptions{.input_shape = keras::ShapeSpec{64}}),
      std::make_shared<keras::Dense>(64, keras::DenseOptions{.activation = "relu"}),
      std::make_shared<keras::Dense>(10, keras::DenseOptions{.activation = "softmax"})});
  model->compile(std::make_shared<keras::Adam>(0.003),
                 keras::get_loss("sparse_categorical_crossentropy"), {"accuracy"},
                 {.run_eagerly = args.eager});
  if (args.verbose) std::fputs(model->summary().c_str(), stdout);
  auto history = model->fit(x, y, {.batch_size = 32, .epochs = args.epochs,
                                   .verbose = args.verbose, .validation_split = 0.2});
  for (size_t e = 0; e < history->epoch.size(); ++e) {
    std::printf("epoch %zu loss %.9g accuracy %.9g val_loss %.9g val_accuracy %.9g\n", e,
                history->history["loss"][e], history->history["accuracy"][e],
                history->history["val_loss"][e], history->history["val_accuracy"][e]);
  }
  std::printf("validation accuracy %.4f\n", history->history["val_accuracy"].back());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "keras_digits: %s\n", e.what());
  return 1;
}
