#pragma once
// Keras optimizers over ember::optim, with Keras's names, arguments and defaults
// (learning_rate, beta_1, epsilon=1e-7, ...). An optimizer is built on a model's trainable
// weights when training starts; its update runs as Ember ops, so it is part of the traced
// train step, and set_learning_rate() takes effect without a retrace.
#include <memory>
#include <string>
#include <vector>

#include "nn/optim/optimizer.h"

namespace ember::keras {

class Optimizer {
 public:
  Optimizer(std::string name, double learning_rate);
  virtual ~Optimizer() = default;

  const std::string& name() const { return name_; }
  bool built() const { return static_cast<bool>(opt_); }
  // Creates the state for these weights (fresh state if called again).
  void build(const std::vector<Tensor>& weights);
  double learning_rate() const;
  void set_learning_rate(double lr);
  void zero_grad();
  void step();
  optim::Optimizer& impl();

 protected:
  virtual std::unique_ptr<optim::Optimizer> make(std::vector<Tensor> weights) const = 0;
  double lr_;

 private:
  std::string name_;
  std::unique_ptr<optim::Optimizer> opt_;
};

// Keras's SGD: v = momentum * v - lr * g; w += v (PyTorch's form for a fixed lr).
class SGD : public Optimizer {
 public:
  explicit SGD(double learning_rate = 0.01, double momentum = 0.0, bool nesterov = false);

 protected:
  std::unique_ptr<optim::Optimizer> make(std::vector<Tensor> weights) const override;

 private:
  double momentum_;
  bool nesterov_;
};

// weight_decay > 0 is decoupled (AdamW-style), as in Keras 3.
class Adam : public Optimizer {
 public:
  explicit Adam(double learning_rate = 0.001, double beta_1 = 0.9, double beta_2 = 0.999,
                double epsilon = 1e-7, bool amsgrad = false, double weight_decay = 0.0);

 protected:
  std::unique_ptr<optim::Optimizer> make(std::vector<Tensor> weights) const override;

 private:
  double beta_1_, beta_2_, epsilon_, weight_decay_;
  bool amsgrad_;
};

class AdamW : public Adam {
 public:
  explicit AdamW(double learning_rate = 0.001, double weight_decay = 0.004, double beta_1 = 0.9,
                 double beta_2 = 0.999, double epsilon = 1e-7, bool amsgrad = false)
      : Adam(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay) {}
};

class RMSprop : public Optimizer {
 public:
  explicit RMSprop(double learning_rate = 0.001, double rho = 0.9, double momentum = 0.0,
                   double epsilon = 1e-7, bool centered = false);

 protected:
  std::unique_ptr<optim::Optimizer> make(std::vector<Tensor> weights) const override;

 private:
  double rho_, momentum_, epsilon_;
  bool centered_;
};

class Adagrad : public Optimizer {
 public:
  explicit Adagrad(double learning_rate = 0.001, double initial_accumulator_value = 0.1,
                   double epsilon = 1e-7);

 protected:
  std::unique_ptr<optim::Optimizer> make(std::vector<Tensor> weights) const override;

 private:
  double initial_accumulator_value_, epsilon_;
};

// By name, case-insensitive, with Keras's defaults: "sgd", "adam", "adamw", "rmsprop",
// "adagrad".
std::shared_ptr<Optimizer> get_optimizer(const std::string& name);

}  // namespace ember::keras
