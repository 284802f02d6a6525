#include "keras_like/layers/activation.h"

#include "core/ops.h"

namespace ember::keras {

ActivationLayer::ActivationLayer(const std::string& activation, LayerOptions layer)
    : Layer("Activation", std::move(layer)), activation_(get_activation(activation)) {}

Softmax::Softmax(int64_t axis, LayerOptions layer)
    : Layer("Softmax", std::move(layer)), axis_(axis) {}

Tensor Softmax::call(const Tensor& x) { return softmax(x, axis_); }

}  // namespace ember::keras
