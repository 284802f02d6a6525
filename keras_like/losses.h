#pragma once
// Keras losses: loss(y_true, y_pred) (Keras's argument order) -> the mean over the batch.
// Targets shaped (N,) against predictions (N, 1) are aligned as Keras does; probabilities
// are clipped to [1e-7, 1 - 1e-7] before logs; from_logits uses the stable forms. The same
// op sequence as the Python ember.keras.losses, so both give the same numbers.
#include <functional>
#include <string>

#include "core/tensor.h"

namespace ember::keras {

using LossFn = std::function<Tensor(const Tensor& y_true, const Tensor& y_pred)>;

struct Loss {
  std::string name;  // "sparse_categorical_crossentropy": picks the 'accuracy' variant
  LossFn fn;
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred) const { return fn(y_true, y_pred); }
};

Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred);
Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred);
Tensor huber(const Tensor& y_true, const Tensor& y_pred, double delta = 1.0);
Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits = false,
                           double label_smoothing = 0.0);
Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred,
                                bool from_logits = false, double label_smoothing = 0.0);
Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred,
                                       bool from_logits = false);

// By Keras name: "mse", "mean_squared_error", "mae", "huber", "binary_crossentropy",
// "categorical_crossentropy", "sparse_categorical_crossentropy" (class names too).
Loss get_loss(const std::string& name, bool from_logits = false);

// y_true cast to y_pred's dtype, with the unit axis Keras adds or drops.
Tensor align_targets(const Tensor& y_true, const Tensor& y_pred);

}  // namespace ember::keras
