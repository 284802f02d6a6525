#pragma once
// ember::keras, the Keras-style API in C++: layers, Sequential and subclassed models,
// compile / fit / evaluate / predict, losses, metrics, optimizers and callbacks.
//
//   auto model = std::make_shared<keras::Sequential>(std::vector<std::shared_ptr<keras::Layer>>{
//       std::make_shared<keras::Dense>(64, keras::DenseOptions{.activation = "relu"},
//                                      keras::LayerOptions{.input_shape = {{64}}}),
//       std::make_shared<keras::Dense>(10, keras::DenseOptions{.activation = "softmax"})});
//   model->compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
//   auto history = model->fit(x, y, {.batch_size = 32, .epochs = 10, .validation_split = 0.2});
#include "keras_like/activations.h"
#include "keras_like/callbacks.h"
#include "keras_like/initializers.h"
#include "keras_like/layer.h"
#include "keras_like/layers/activation.h"
#include "keras_like/layers/conv.h"
#include "keras_like/layers/dense.h"
#include "keras_like/layers/dropout.h"
#include "keras_like/layers/normalization.h"
#include "keras_like/layers/embedding.h"
#include "keras_like/layers/pooling.h"
#include "keras_like/layers/recurrent.h"
#include "keras_like/layers/reshaping.h"
#include "keras_like/functional.h"
#include "keras_like/keras_tensor.h"
#include "keras_like/layers/merge.h"
#include "keras_like/losses.h"
#include "keras_like/metrics.h"
#include "keras_like/model.h"
#include "keras_like/optimizers.h"
#include "keras_like/progbar_logger.h"
#include "keras_like/sequential.h"
