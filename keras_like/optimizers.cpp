#include "keras_like/optimizers.h"

#include <map>

#include "keras_like/name_lookup.h"
#include "nn/optim/optimizers.h"

namespace ember::keras {

Optimizer::Optimizer(std::string name, double learning_rate)
    : lr_(learning_rate), name_(std::move(name)) {
  EMBER_CHECK(learning_rate >= 0, "[{}] learning_rate must be non-negative, got {}", name_,
              learning_rate);
}

void Optimizer::build(const std::vector<Tensor>& weights) {
  EMBER_CHECK(!weights.empty(), "[{}] the model has no trainable weights", name_);
  opt_ = make(weights);
}

optim::Optimizer& Optimizer::impl() {
  EMBER_CHECK(opt_ != nullptr, "[{}] the optimizer is not built yet: fit() builds it on the "
              "model's trainable weights", name_);
  return *opt_;
}

double Optimizer::learning_rate() const { return opt_ ? opt_->option(0, "lr") : lr_; }

void Optimizer::set_learning_rate(double lr) {
  lr_ = lr;
  if (!opt_) return;
  for (size_t g = 0; g < opt_->num_groups(); ++g) opt_->set_option(g, "lr", lr);
}

void Optimizer::zero_grad() { impl().zero_grad(); }
void Optimizer::step() { impl().step(); }

SGD::SGD(double learning_rate, double momentum, bool nesterov)
    : Optimizer("SGD", learning_rate), momentum_(momentum), nesterov_(nesterov) {
  EMBER_CHECK(momentum >= 0.0 && momentum <= 1.0, "[SGD] momentum must be in [0, 1], got {}",
              momentum);
}

std::unique_ptr<optim::Optimizer> SGD::make(std::vector<Tensor> weights) const {
  return std::make_unique<optim::SGD>(optim::single_group(std::move(weights)), lr_, momentum_,
                                      0.0, 0.0, nesterov_);
}

Adam::Adam(double learning_rate, double beta_1, double beta_2, double epsilon, bool amsgrad,
           double weight_decay)
    : Optimizer(weight_decay > 0 ? "adamw" : "adam", learning_rate),
      beta_1_(beta_1), beta_2_(beta_2), epsilon_(epsilon), weight_decay_(weight_decay),
      amsgrad_(amsgrad) {}

std::unique_ptr<optim::Optimizer> Adam::make(std::vector<Tensor> weights) const {
  auto groups = optim::single_group(std::move(weights));
  if (weight_decay_ > 0) {
    return std::make_unique<optim::AdamW>(std::move(groups), lr_, beta_1_, beta_2_, epsilon_,
                                          weight_decay_, amsgrad_);
  }
  return std::make_unique<optim::Adam>(std::move(groups), lr_, beta_1_, beta_2_, epsilon_, 0.0,
                                       amsgrad_);
}

RMSprop::RMSprop(double learning_rate, double rho, double momentum, double epsilon, bool centered)
    : Optimizer("rmsprop", learning_rate), rho_(rho), momentum_(momentum), epsilon_(epsilon),
      centered_(centered) {}

std::unique_ptr<optim::Optimizer> RMSprop::make(std::vector<Tensor> weights) const {
  return std::make_unique<optim::RMSprop>(optim::single_group(std::move(weights)), lr_, rho_,
                                          epsilon_, 0.0, momentum_, centered_);
}

Adagrad::Adagrad(double learning_rate, double initial_accumulator_value, double epsilon)
    : Optimizer("adagrad", learning_rate),
      initial_accumulator_value_(initial_accumulator_value), epsilon_(epsilon) {}

std::unique_ptr<optim::Optimizer> Adagrad::make(std::vector<Tensor> weights) const {
  return std::make_unique<optim::Adagrad>(optim::single_group(std::move(weights)), lr_, 0.0, 0.0,
                                          initial_accumulator_value_, epsilon_);
}

std::shared_ptr<Optimizer> get_optimizer(const std::string& name) {
  using Maker = std::shared_ptr<Optimizer> (*)();
  static const std::map<std::string, Maker> table = {
      {"sgd", [] { return std::shared_ptr<Optimizer>(std::make_shared<SGD>()); }},
      {"adam", [] { return std::shared_ptr<Optimizer>(std::make_shared<Adam>()); }},
      {"adamw", [] { return std::shared_ptr<Optimizer>(std::make_shared<AdamW>()); }},
      {"rmsprop", [] { return std::shared_ptr<Optimizer>(std::make_shared<RMSprop>()); }},
      {"adagrad", [] { return std::shared_ptr<Optimizer>(std::make_shared<Adagrad>()); }},
  };
  return lookup_by_name(table, name, "optimizer")();
}

}  // namespace ember::keras
