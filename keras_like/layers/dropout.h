#pragma once
// Dropout: zeroes inputs with probability `rate` in training and scales the rest by
// 1 / (1 - rate); the identity in inference. Fresh random numbers on every traced replay.
#include "keras_like/layer.h"

namespace ember::keras {

class Dropout : public Layer {
 public:
  explicit Dropout(double rate, LayerOptions layer = {});

 protected:
  Tensor call(const Tensor& x) override;
  void check_input(const Tensor&) const override {}

 private:
  double rate_;
};

}  // namespace ember::keras
