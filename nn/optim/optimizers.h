#pragma once
// SGD, Adam, AdamW, RMSprop, Adagrad with PyTorch's update rules and defaults.
// SGD and Adam/AdamW take a `fused` option (default on): each parameter's update is a few
// fused ops (core/ops/optim_update.h) instead of a chain of elementwise ops; fused=false
// keeps the op-by-op form (the reference the fused one is tested against).
#include "nn/optim/optimizer.h"

namespace ember::optim {

std::vector<ParamGroup> single_group(std::vector<Tensor> params);

class SGD : public Optimizer {
 public:
  SGD(std::vector<ParamGroup> groups, double lr = 1e-3, double momentum = 0, double dampening = 0,
      double weight_decay = 0, bool nesterov = false, bool maximize = false,
      bool fused = true);
  SGD(std::vector<Tensor> params, double lr = 1e-3, double momentum = 0)
      : SGD(single_group(std::move(params)), lr, momentum) {}
  void step() override;
};

class Adam : public Optimizer {
 public:
  // decoupled_weight_decay=true gives AdamW.
  Adam(std::vector<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
       double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false,
       bool decoupled_weight_decay = false, bool fused = true);
  Adam(std::vector<Tensor> params, double lr = 1e-3) : Adam(single_group(std::move(params)), lr) {}
  void step() override;

 protected:
  Adam(std::string name, std::vector<ParamGroup> groups, Options defaults);
};

class AdamW : public Adam {
 public:
  AdamW(std::vector<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9,
        double beta2 = 0.999, double eps = 1e-8, double weight_decay = 1e-2,
        bool amsgrad = false, bool maximize = false, bool fused = true);
  AdamW(std::vector<Tensor> params, double lr = 1e-3) : AdamW(single_group(std::move(params)), lr) {}
};

class RMSprop : public Optimizer {
 public:
  RMSprop(std::vector<ParamGroup> groups, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
          double weight_decay = 0, double momentum = 0, bool centered = false,
          bool maximize = false);
  void step() override;
};

class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<ParamGroup> groups, double lr = 1e-2, double lr_decay = 0,
          double weight_decay = 0, double initial_accumulator_value = 0, double eps = 1e-10,
          bool maximize = false);
  void step() override;
};

}  // namespace ember::optim
