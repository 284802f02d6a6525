#include "keras_like/layers/dropout.h"

#include "nn/dropout.h"

namespace ember::keras {

Dropout::Dropout(double rate, LayerOptions layer) : Layer("Dropout", std::move(layer)), rate_(rate) {
  EMBER_CHECK(rate >= 0.0 && rate < 1.0, "[Dropout] rate must be in [0, 1), got {}", rate);
}

Tensor Dropout::call(const Tensor& x) {
  return rate_ == 0.0 ? x : nn::dropout(x, rate_, is_training());
}

}  // namespace ember::keras
