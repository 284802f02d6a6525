#pragma once
// Losses, as functions (ember.nn.functional.*) and as modules (ember.nn.*Loss).
// reduction: "mean" | "sum" | "none". Composite ops, so autograd and tracing need nothing
// special; cross entropy runs through the fused, stable log_softmax.
#include <optional>
#include <string>

#include "nn/module.h"

namespace ember::nn {

Tensor mse_loss(const Tensor& input, const Tensor& target, std::string_view reduction = "mean");
Tensor l1_loss(const Tensor& input, const Tensor& target, std::string_view reduction = "mean");
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, std::string_view reduction = "mean",
                      double beta = 1.0);
Tensor huber_loss(const Tensor& input, const Tensor& target, std::string_view reduction = "mean",
                  double delta = 1.0);
// target: class indices (int64, shape input minus the class dim 1) or probabilities
// (float, input's shape).
Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = Tensor(),
                     int64_t ignore_index = -100, std::string_view reduction = "mean",
                     double label_smoothing = 0.0);
Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight = Tensor(),
                int64_t ignore_index = -100, std::string_view reduction = "mean");
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const Tensor& weight = Tensor(), std::string_view reduction = "mean");
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const Tensor& weight = Tensor(),
                                        std::string_view reduction = "mean",
                                        const Tensor& pos_weight = Tensor());
// input: log-probabilities; reduction also accepts "batchmean".
Tensor kl_div(const Tensor& input, const Tensor& target, std::string_view reduction = "mean",
              bool log_target = false);

// Modules: hold the options; forward(input, target).
class Loss : public Module {
 public:
  Loss(std::string type_name, std::string reduction);
  TensorList forward(const TensorList& inputs) override;
  virtual Tensor compute(const Tensor& input, const Tensor& target) = 0;
  Tensor operator()(const Tensor& input, const Tensor& target);
  std::string extra_repr() const override;
  std::string reduction;
};

#define EMBER_SIMPLE_LOSS(Name)                                              \
  class Name : public Loss {                                                 \
   public:                                                                   \
    explicit Name(std::string reduction = "mean") : Loss(#Name, reduction) {} \
    Tensor compute(const Tensor& input, const Tensor& target) override;     \
  };
EMBER_SIMPLE_LOSS(MSELoss)
EMBER_SIMPLE_LOSS(L1Loss)
#undef EMBER_SIMPLE_LOSS

class SmoothL1Loss : public Loss {
 public:
  explicit SmoothL1Loss(std::string reduction = "mean", double beta = 1.0)
      : Loss("SmoothL1Loss", reduction), beta(beta) {}
  Tensor compute(const Tensor& input, const Tensor& target) override;
  double beta;
};

class HuberLoss : public Loss {
 public:
  explicit HuberLoss(std::string reduction = "mean", double delta = 1.0)
      : Loss("HuberLoss", reduction), delta(delta) {}
  Tensor compute(const Tensor& input, const Tensor& target) override;
  double delta;
};

class CrossEntropyLoss : public Loss {
 public:
  explicit CrossEntropyLoss(Tensor weight = Tensor(), int64_t ignore_index = -100,
                            std::string reduction = "mean", double label_smoothing = 0.0);
  Tensor compute(const Tensor& input, const Tensor& target) override;
  int64_t ignore_index;
  double label_smoothing;
};

class NLLLoss : public Loss {
 public:
  explicit NLLLoss(Tensor weight = Tensor(), int64_t ignore_index = -100,
                   std::string reduction = "mean");
  Tensor compute(const Tensor& input, const Tensor& target) override;
  int64_t ignore_index;
};

class BCELoss : public Loss {
 public:
  explicit BCELoss(Tensor weight = Tensor(), std::string reduction = "mean");
  Tensor compute(const Tensor& input, const Tensor& target) override;
};

class BCEWithLogitsLoss : public Loss {
 public:
  explicit BCEWithLogitsLoss(Tensor weight = Tensor(), std::string reduction = "mean",
                             Tensor pos_weight = Tensor());
  Tensor compute(const Tensor& input, const Tensor& target) override;
};

class KLDivLoss : public Loss {
 public:
  explicit KLDivLoss(std::string reduction = "mean", bool log_target = false)
      : Loss("KLDivLoss", reduction), log_target(log_target) {}
  Tensor compute(const Tensor& input, const Tensor& target) override;
  bool log_target;
};

}  // namespace ember::nn
