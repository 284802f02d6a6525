#pragma once
// Keras metrics: a named per-batch value (a traceable function of y_true and y_pred, the
// mean over the batch) whose running mean, weighted by batch size, fit reports.
// "accuracy" picks its variant from the loss, or from the shapes, as Keras does.
#include <functional>
#include <string>

#include "core/tensor.h"
#include "keras_like/losses.h"

namespace ember::keras {

using MetricFn = std::function<Tensor(const Tensor& y_true, const Tensor& y_pred)>;

Tensor binary_accuracy(const Tensor& y_true, const Tensor& y_pred, double threshold = 0.5);
Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);
Tensor sparse_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);

class Metric {
 public:
  Metric(std::string name, MetricFn fn) : name_(std::move(name)), fn_(std::move(fn)) {}
  const std::string& name() const { return name_; }
  Tensor batch_value(const Tensor& y_true, const Tensor& y_pred) { return fn_(y_true, y_pred); }

  // The running mean, weighted by the number of samples of each batch.
  void accumulate(double value, int64_t count) { total_ += value * double(count); count_ += count; }
  double result() const { return count_ ? total_ / double(count_) : 0.0; }
  void reset_state() { total_ = 0.0; count_ = 0; }

 private:
  std::string name_;
  MetricFn fn_;
  double total_ = 0.0;
  int64_t count_ = 0;
};

// "accuracy"/"acc" (resolved against `loss` on the first batch), "binary_accuracy",
// "categorical_accuracy", "sparse_categorical_accuracy", "mse", "mae".
Metric get_metric(const std::string& name, const Loss& loss);

}  // namespace ember::keras
