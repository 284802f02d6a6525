#include "keras_like/losses.h"

#include <map>

#include "core/ops.h"
#include "keras_like/name_lookup.h"
#include "keras_like/shape_spec.h"
#include "nn/loss.h"

namespace ember::keras {
namespace {

constexpr double kEpsilon = 1e-7;

std::string shape_str(const Tensor& t) {
  return format_shape(ShapeSpec(t.shape().begin(), t.shape().end()));
}

bool same_sample_shape(const Tensor& a, const Tensor& b) {
  if (a.dim() != b.dim()) return false;
  for (int64_t i = 1; i < a.dim(); ++i) {
    if (a.size(i) != b.size(i)) return false;
  }
  return true;
}

void check_same(const char* op, const Tensor& y_true, const Tensor& y_pred) {
  if (!same_sample_shape(y_true, y_pred)) {
    raise<ValueError>("[{}] y_true of shape {} does not match y_pred of shape {}", op,
                      shape_str(y_true), shape_str(y_pred));
  }
}

// log of probabilities normalized along the last axis and clipped, as Keras does.
Tensor clipped_log_probs(const Tensor& y_pred) {
  Tensor p = y_pred / sum(y_pred, {-1}, true);
  return log(clamp(p, Scalar(kEpsilon), Scalar(1.0 - kEpsilon)));
}

}  // namespace

Tensor align_targets(const Tensor& y_true, const Tensor& y_pred) {
  Tensor t = y_true.dtype() == y_pred.dtype() ? y_true : to_dtype(y_true, y_pred.dtype());
  if (t.dim() == y_pred.dim() - 1 && y_pred.size(-1) == 1) return unsqueeze(t, -1);
  if (t.dim() == y_pred.dim() + 1 && t.size(-1) == 1) return squeeze(t, {-1});
  return t;
}

Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred) {
  Tensor t = align_targets(y_true, y_pred);
  check_same("mean_squared_error", t, y_pred);
  return mean(pow(y_pred - t, Scalar(2)));
}

Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred) {
  Tensor t = align_targets(y_true, y_pred);
  check_same("mean_absolute_error", t, y_pred);
  return mean(abs(y_pred - t));
}

Tensor huber(const Tensor& y_true, const Tensor& y_pred, double delta) {
  Tensor t = align_targets(y_true, y_pred);
  check_same("huber", t, y_pred);
  return nn::huber_loss(y_pred, t, "mean", delta);
}

Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits,
                           double label_smoothing) {
  Tensor t = align_targets(y_true, y_pred);
  check_same("binary_crossentropy", t, y_pred);
  if (label_smoothing != 0.0) t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing;
  if (from_logits) {
    // max(x, 0) - x * y + log(1 + exp(-|x|))
    return mean(relu(y_pred) - y_pred * t + log1p(exp(neg(abs(y_pred)))));
  }
  Tensor p = clamp(y_pred, Scalar(kEpsilon), Scalar(1.0 - kEpsilon));
  return neg(mean(t * log(p) + (neg(t) + 1.0) * log(neg(p) + 1.0)));
}

Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits,
                                double label_smoothing) {
  Tensor t = align_targets(y_true, y_pred);
  if (!same_sample_shape(t, y_pred)) {
    raise<ValueError>("[categorical_crossentropy] expects one-hot y_true of the shape of y_pred "
                      "{}, got y_true of shape {} (use sparse_categorical_crossentropy for "
                      "integer labels)", shape_str(y_pred), shape_str(y_true));
  }
  if (label_smoothing != 0.0) {
    t = t * (1.0 - label_smoothing) + label_smoothing / double(y_pred.size(-1));
  }
  Tensor logp = from_logits ? log_softmax(y_pred, -1) : clipped_log_probs(y_pred);
  return neg(mean(sum(t * logp, {-1})));
}

Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred,
                                       bool from_logits) {
  Tensor t = y_true;
  if (t.dim() == y_pred.dim() && t.size(-1) == 1) t = squeeze(t, {-1});
  bool ok = t.dim() == y_pred.dim() - 1;
  for (int64_t i = 1; ok && i < t.dim(); ++i) ok = t.size(i) == y_pred.size(i);
  if (!ok) {
    ShapeSpec want(y_pred.shape().begin(), y_pred.shape().end() - 1);
    raise<ValueError>("[sparse_categorical_crossentropy] expects integer labels y_true of shape "
                      "{} for y_pred of shape {}, got y_true of shape {}", format_shape(want),
                      shape_str(y_pred), shape_str(y_true));
  }
  if (t.dtype() != DType::Int64) t = to_dtype(t, DType::Int64);
  Tensor logp = from_logits ? log_softmax(y_pred, -1) : clipped_log_probs(y_pred);
  if (logp.dim() > 2) logp = movedim(logp, {-1}, {1});
  return nn::nll_loss(logp, t);
}

Loss get_loss(const std::string& name, bool from_logits) {
  using Maker = Loss (*)(bool);
  static const std::map<std::string, Maker> table = {
      {"mse", [](bool) { return Loss{"mean_squared_error", mean_squared_error}; }},
      {"meansquarederror", [](bool) { return Loss{"mean_squared_error", mean_squared_error}; }},
      {"mae", [](bool) { return Loss{"mean_absolute_error", mean_absolute_error}; }},
      {"meanabsoluteerror", [](bool) { return Loss{"mean_absolute_error", mean_absolute_error}; }},
      {"huber", [](bool) {
         return Loss{"huber", [](const Tensor& t, const Tensor& p) { return huber(t, p); }};
       }},
      {"binarycrossentropy", [](bool logits) {
         return Loss{"binary_crossentropy", [logits](const Tensor& t, const Tensor& p) {
                       return binary_crossentropy(t, p, logits);
                     }};
       }},
      {"categoricalcrossentropy", [](bool logits) {
         return Loss{"categorical_crossentropy", [logits](const Tensor& t, const Tensor& p) {
                       return categorical_crossentropy(t, p, logits);
                     }};
       }},
      {"sparsecategoricalcrossentropy", [](bool logits) {
         return Loss{"sparse_categorical_crossentropy", [logits](const Tensor& t, const Tensor& p) {
                       return sparse_categorical_crossentropy(t, p, logits);
                     }};
       }},
  };
  return lookup_by_name(table, name, "loss")(from_logits);
}

}  // namespace ember::keras
