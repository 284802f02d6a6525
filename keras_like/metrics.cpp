#include "keras_like/metrics.h"

#include <map>
#include <memory>

#include "core/ops.h"
#include "core/ops/promotion.h"
#include "keras_like/name_lookup.h"

namespace ember::keras {

Tensor binary_accuracy(const Tensor& y_true, const Tensor& y_pred, double threshold) {
  Tensor t = align_targets(y_true, y_pred);
  Tensor hit = eq(to_dtype(gt(y_pred, Scalar(threshold)), y_pred.dtype()), t);
  return mean(to_dtype(hit, y_pred.dtype()));
}

namespace {
// The fraction of hits in the predictions' floating dtype (float64 models report in float64).
Tensor hit_rate(const Tensor& hits, const Tensor& y_pred) {
  return mean(to_dtype(hits, to_floating(y_pred.dtype())));
}
}  // namespace

Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred) {
  return hit_rate(eq(argmax(y_pred, -1), argmax(y_true, -1)), y_pred);
}

Tensor sparse_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred) {
  Tensor t = y_true;
  if (t.dim() == y_pred.dim() && t.size(-1) == 1) t = squeeze(t, {-1});
  return hit_rate(eq(argmax(y_pred, -1), to_dtype(t, DType::Int64)), y_pred);
}

namespace {

MetricFn accuracy_for(const std::string& loss_name, const Tensor& y_true, const Tensor& y_pred) {
  auto binary = [](const Tensor& t, const Tensor& p) { return binary_accuracy(t, p); };
  if (loss_name == "binary_crossentropy") return binary;
  if (loss_name == "categorical_crossentropy") return categorical_accuracy;
  if (loss_name == "sparse_categorical_crossentropy") return sparse_categorical_accuracy;
  if (y_pred.size(-1) == 1) return binary;
  if (y_true.dim() < y_pred.dim() || y_true.size(-1) == 1) return sparse_categorical_accuracy;
  return categorical_accuracy;
}

}  // namespace

Metric get_metric(const std::string& name, const Loss& loss) {
  std::string key = normalize_name(name);
  if (key == "accuracy" || key == "acc") {
    // Resolved on the first batch, when the shapes are known (Keras does the same).
    auto chosen = std::make_shared<MetricFn>();
    std::string loss_name = loss.name;
    return Metric(name, [chosen, loss_name](const Tensor& t, const Tensor& p) {
      if (!*chosen) *chosen = accuracy_for(loss_name, t, p);
      return (*chosen)(t, p);
    });
  }
  static const std::map<std::string, std::pair<std::string, MetricFn>> table = {
      {"binaryaccuracy",
       {"binary_accuracy", [](const Tensor& t, const Tensor& p) { return binary_accuracy(t, p); }}},
      {"categoricalaccuracy", {"categorical_accuracy", categorical_accuracy}},
      {"sparsecategoricalaccuracy", {"sparse_categorical_accuracy", sparse_categorical_accuracy}},
      {"mse", {"mean_squared_error", mean_squared_error}},
      {"meansquarederror", {"mean_squared_error", mean_squared_error}},
      {"mae", {"mean_absolute_error", mean_absolute_error}},
      {"meanabsoluteerror", {"mean_absolute_error", mean_absolute_error}},
  };
  // Keras reports a metric under the name it was asked for ('mae' stays 'mae').
  return Metric(name, lookup_by_name(table, name, "metric").second);
}

}  // namespace ember::keras
