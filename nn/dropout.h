#pragma once
// Dropout: zeroes elements with probability p (a fresh bernoulli mask per call, also on
// every replay of a traced graph) and scales the rest by 1 / (1 - p); identity in eval.
#include "nn/module.h"

namespace ember::nn {

// p must be in [0, 1]; p == 1 gives zeros (still connected to the input's graph).
Tensor dropout(const Tensor& input, double p = 0.5, bool training = true);

class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, bool inplace = false);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  double p;
  bool inplace;  // accepted for PyTorch compatibility; the result is always a new tensor
};

}  // namespace ember::nn
